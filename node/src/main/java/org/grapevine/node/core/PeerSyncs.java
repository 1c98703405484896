package org.grapevine.node.core;

import org.grapevine.protocol.identity.Identity;
import org.grapevine.protocol.internal.SmallSortedSet;

/**
 * What {@link SyncSessions} keeps per peer: how many of its sessions run, and the identities it
 * answered by name that it holds nothing of ({@code null}: none). One record, so one map entry per
 * peer instead of one in each of two maps: a simulation holds millions of connections, and at t = 0
 * nearly every one runs a session.
 */
final class PeerSyncs {
  int running;

  /**
   * Not named to the peer again while connected; a sorted array while small (a HashSet of three
   * costs about 250 bytes where the array costs 40, and a 20,000-node run shaped as bench-100k held
   * a fifth of its steady heap in such sets).
   */
  SmallSortedSet<Identity> notHeld;

  /** Nothing left to keep: the record may go. */
  boolean idle() {
    return running == 0 && notHeld == null;
  }
}
