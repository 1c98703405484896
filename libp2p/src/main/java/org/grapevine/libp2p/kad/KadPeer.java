package org.grapevine.libp2p.kad;

import java.util.List;
import org.grapevine.libp2p.multiaddr.Multiaddr;
import org.grapevine.libp2p.peer.PeerId;

/**
 * A peer as the DHT passes it around: its ID and the addresses it was reported with (the spec's
 * {@code Message.Peer} without the connection hint). Addresses are kept at most {@link #MAX_ADDRS}:
 * whoever builds one from the wire drops (and counts) the rest.
 */
public record KadPeer(PeerId id, List<Multiaddr> addrs) {
  /**
   * Public DHT peers list a dozen or two addresses (TCP, QUIC, WebTransport over IPv4 and IPv6);
   * more than this is padding, and every routing table entry and provider record holds a copy.
   */
  public static final int MAX_ADDRS = 32;

  public KadPeer {
    addrs = List.copyOf(addrs);
    if (addrs.size() > MAX_ADDRS) {
      throw new IllegalArgumentException(
          id + " with " + addrs.size() + " addresses; at most " + MAX_ADDRS);
    }
  }

  /** A peer whose addresses are unknown (e.g. a table entry learned only by its ID). */
  public static KadPeer of(PeerId id) {
    return new KadPeer(id, List.of());
  }

  /** The first {@link #MAX_ADDRS} of {@code addrs}; the caller counts what was cut. */
  public static KadPeer capped(PeerId id, List<Multiaddr> addrs) {
    return new KadPeer(id, addrs.size() <= MAX_ADDRS ? addrs : addrs.subList(0, MAX_ADDRS));
  }
}
