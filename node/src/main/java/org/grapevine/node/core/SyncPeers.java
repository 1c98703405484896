package org.grapevine.node.core;

import java.util.Arrays;
import java.util.Collection;
import java.util.Map;
import org.grapevine.collect.SmallMap;
import org.grapevine.libp2p.peer.PeerId;
import org.grapevine.protocol.identity.Identity;

/**
 * The {@link PeerSyncs} of each peer that has a connection, a running session or names it holds
 * nothing of, shared by {@link SyncPlanner} and {@link SyncSessions}: one map entry per peer where
 * each kept its own (a simulation holds millions of connections, so each entry counts). A record
 * goes when it is {@link PeerSyncs#idle}. Not thread-safe, as the core.
 */
final class SyncPeers {
  private static final int RECENT = 4;

  private final Map<PeerId, PeerSyncs> byPeer = new SmallMap<>(); // never iterated

  /**
   * The last few distinct {@link PeerSyncs#notHeld} arrays made, reused for a peer whose names come
   * out equal: most peers of a node hold none of the few identities it names (at 20,000 simulated
   * nodes nearly every connection end kept its own copy of the same handful of names). The arrays
   * are never changed once made, so sharing them is safe.
   */
  private final Identity[][] recentNotHeld = new Identity[RECENT][];

  private int nextRecent;

  /** The peer's record, or null. */
  PeerSyncs get(PeerId peer) {
    return byPeer.get(peer);
  }

  /** The peer's record, made if missing. */
  PeerSyncs getOrAdd(PeerId peer) {
    return byPeer.computeIfAbsent(peer, k -> new PeerSyncs());
  }

  /** Adds {@code names} to {@code record}'s not-held names, sharing an equal array made before. */
  void addNotHeld(PeerSyncs record, Collection<Identity> names) {
    record.addNotHeld(names);
    for (Identity[] recent : recentNotHeld) {
      if (Arrays.equals(recent, record.notHeld)) {
        record.notHeld = recent;
        return;
      }
    }
    recentNotHeld[nextRecent] = record.notHeld;
    nextRecent = (nextRecent + 1) % RECENT;
  }

  /** Drops {@code record}, the peer's, if nothing is left in it. */
  void dropIfIdle(PeerId peer, PeerSyncs record) {
    if (record.idle()) {
      byPeer.remove(peer);
    }
  }
}
