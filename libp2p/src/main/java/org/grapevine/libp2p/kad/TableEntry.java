package org.grapevine.libp2p.kad;

/** One peer in a {@link RoutingTable} bucket, and when it was last seen alive. Plain data. */
final class TableEntry {
  /** Kept so that {@link RoutingTable#closest} hashes nothing. */
  final KadKey key;

  KadPeer peer;
  long lastSeenNanos;

  TableEntry(KadPeer peer, long lastSeenNanos) {
    this.key = KadKey.of(peer.id());
    this.peer = peer;
    this.lastSeenNanos = lastSeenNanos;
  }
}
