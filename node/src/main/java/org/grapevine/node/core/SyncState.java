package org.grapevine.node.core;

import java.util.List;
import java.util.Map;
import org.grapevine.libp2p.peer.PeerId;
import org.grapevine.protocol.sync.SyncEvent;
import org.grapevine.protocol.sync.SyncSession;
import org.grapevine.protocol.sync.SyncStats;
import org.grapevine.protocol.validation.Verification;

/**
 * One sync stream as the core sees it: the protocol session, and the received batches between
 * "verify this" and "stored". Batches are numbered in arrival order and stored in that order,
 * whatever order their verifications come back in.
 */
final class SyncState {
  final long id;
  final PeerId peer;
  final SyncSession session;

  /** Batches handed out for verification, and how many of them were stored or dropped. */
  int issued;

  int applied;

  /**
   * Verifications that came back ahead of an earlier batch's; null until the first verification (a
   * simulation holds hundreds of thousands of sessions at once).
   */
  Map<Integer, List<Verification>> verifiedAhead;

  /** Failed (by either side) or a batch held an invalid entry: later batches are dropped. */
  boolean failed;

  SyncEvent.Failed failure;
  SyncStats stats;

  /** CloseSync was commanded: nothing more is written. */
  boolean closed;

  SyncState(long id, PeerId peer, SyncSession session) {
    this.id = id;
    this.peer = peer;
    this.session = session;
  }

  /** Over, and every batch handed out was stored or dropped: what the peer sent is in the store. */
  boolean finished() {
    return session.isOver() && (failed || applied == issued);
  }
}
