package org.grapevine.libp2p.autonat;

import java.util.List;
import org.grapevine.libp2p.multiaddr.Multiaddr;
import org.grapevine.libp2p.peer.PeerId;

/**
 * A dial request the client core wants sent: open {@code /libp2p/autonat/2/dial-request} to {@code
 * server}, write {@code DialRequest(addrs, nonce)}, and report what comes back under {@code id}.
 */
public record ClientRequest(long id, PeerId server, List<Multiaddr> addrs, long nonce) {
  public ClientRequest {
    addrs = List.copyOf(addrs);
  }
}
