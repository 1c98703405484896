package org.grapevine.libp2p.kad;

import java.util.List;
import java.util.Objects;
import org.grapevine.libp2p.multiaddr.Multiaddr;
import org.grapevine.libp2p.peer.PeerId;

/**
 * A peer as a Kademlia message names it (the spec's {@code Message.Peer}): its ID, the addresses we
 * could read, and the sender's connection hint. The DHT core works with {@link #peer()}.
 *
 * @param skippedAddrs addresses in the message that we could not read (a protocol we do not know,
 *     such as a newer transport): skipped, not fatal, and counted so that it shows
 */
public record KadPeerInfo(
    PeerId id, List<Multiaddr> addrs, KadConnection connection, int skippedAddrs) {
  public KadPeerInfo {
    Objects.requireNonNull(id, "id");
    addrs = List.copyOf(addrs);
    Objects.requireNonNull(connection, "connection");
    if (skippedAddrs < 0) {
      throw new IllegalArgumentException("skippedAddrs " + skippedAddrs);
    }
  }

  /** A peer with its addresses and no connection hint, as a sender writes one. */
  public static KadPeerInfo of(PeerId id, List<Multiaddr> addrs) {
    return new KadPeerInfo(id, addrs, KadConnection.NOT_CONNECTED, 0);
  }

  /** The peer for the DHT core (at most {@link KadPeer#MAX_ADDRS} addresses, as decoded). */
  public KadPeer peer() {
    return KadPeer.capped(id, addrs);
  }
}
