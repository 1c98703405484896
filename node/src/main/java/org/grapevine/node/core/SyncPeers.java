package org.grapevine.node.core;

import java.util.HashMap;
import java.util.Map;
import org.grapevine.libp2p.peer.PeerId;

/**
 * The {@link PeerSyncs} of each peer that has a connection, a running session or names it holds
 * nothing of, shared by {@link SyncPlanner} and {@link SyncSessions}: one map entry per peer where
 * each kept its own (a simulation holds millions of connections, so each entry counts). A record
 * goes when it is {@link PeerSyncs#idle}. Not thread-safe, as the core.
 */
final class SyncPeers {
  private final Map<PeerId, PeerSyncs> byPeer = new HashMap<>();

  /** The peer's record, or null. */
  PeerSyncs get(PeerId peer) {
    return byPeer.get(peer);
  }

  /** The peer's record, made if missing. */
  PeerSyncs getOrAdd(PeerId peer) {
    return byPeer.computeIfAbsent(peer, k -> new PeerSyncs());
  }

  /** Drops {@code record}, the peer's, if nothing is left in it. */
  void dropIfIdle(PeerId peer, PeerSyncs record) {
    if (record.idle()) {
      byPeer.remove(peer);
    }
  }
}
