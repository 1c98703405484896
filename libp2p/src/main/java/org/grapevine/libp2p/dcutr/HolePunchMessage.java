package org.grapevine.libp2p.dcutr;

import java.util.List;
import org.grapevine.libp2p.multiaddr.Multiaddr;

/**
 * One DCUtR message: CONNECT carries the sender's observed (public) addresses, SYNC none.
 *
 * @param skippedAddrs addresses the peer sent that were not read (unparseable, or past {@link
 *     HolePunchCodec#MAX_ADDRS}); 0 for messages we build
 */
public record HolePunchMessage(Type type, List<Multiaddr> addrs, int skippedAddrs) {
  public enum Type {
    CONNECT,
    SYNC
  }

  public HolePunchMessage {
    addrs = List.copyOf(addrs);
  }

  public static HolePunchMessage connect(List<Multiaddr> addrs) {
    return new HolePunchMessage(Type.CONNECT, addrs, 0);
  }

  public static HolePunchMessage sync() {
    return new HolePunchMessage(Type.SYNC, List.of(), 0);
  }
}
