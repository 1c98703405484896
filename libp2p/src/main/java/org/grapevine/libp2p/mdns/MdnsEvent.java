package org.grapevine.libp2p.mdns;

import java.util.List;
import org.grapevine.libp2p.multiaddr.Multiaddr;
import org.grapevine.libp2p.peer.PeerId;

/** Outputs of an {@link MdnsSession}, drained with {@link MdnsSession#pollEvent}. */
public sealed interface MdnsEvent {
  /**
   * Another peer answered for the service: its addresses (each ending in {@code /p2p/peer}), as
   * announced. Reported on every answer, so a listener also learns that a peer is still there.
   */
  record PeerDiscovered(PeerId peer, List<Multiaddr> addrs) implements MdnsEvent {
    public PeerDiscovered {
      addrs = List.copyOf(addrs);
    }
  }

  /** A packet on the mDNS group that is not a valid DNS message: someone else's fault, ignored. */
  record MalformedPacket(String detail) implements MdnsEvent {}
}
