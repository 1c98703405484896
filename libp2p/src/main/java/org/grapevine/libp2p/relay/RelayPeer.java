package org.grapevine.libp2p.relay;

import java.util.List;
import org.grapevine.libp2p.multiaddr.Multiaddr;
import org.grapevine.libp2p.peer.PeerId;

/** The {@code Peer} of circuit-v2.md: a peer ID and (optionally) addresses. */
public record RelayPeer(PeerId id, List<Multiaddr> addrs) {
  public RelayPeer {
    addrs = List.copyOf(addrs);
  }

  public static RelayPeer of(PeerId id) {
    return new RelayPeer(id, List.of());
  }
}
