package org.grapevine.node.core;

import java.util.Arrays;
import java.util.Collection;
import java.util.TreeSet;
import org.grapevine.protocol.identity.Identity;
import org.grapevine.protocol.sync.SyncLimits;

/**
 * What the core's sync keeps per peer ({@link SyncPeers}): its connections ({@link SyncPlanner}),
 * how many of its sessions run, and the identities it answered by name that it holds nothing of
 * ({@code null}: none; {@link SyncSessions}).
 */
final class PeerSyncs {
  int connections;

  int running;

  /**
   * Not named to the peer again while connected: sorted, at most {@link
   * SyncLimits#MAX_NAMES_PER_SESSION}. A bare array: nearly every connection of a simulation ends
   * its first session with a few such names, and a HashSet of three costs about 250 bytes where the
   * array costs 32 (a 20,000-node run shaped as bench-100k held a fifth of its steady heap in such
   * sets).
   */
  Identity[] notHeld;

  /** Adds {@code names}, in their order, while there is room. */
  void addNotHeld(Collection<Identity> names) {
    TreeSet<Identity> all = new TreeSet<>();
    if (notHeld != null) {
      all.addAll(Arrays.asList(notHeld));
    }
    for (Identity i : names) {
      if (all.size() >= SyncLimits.MAX_NAMES_PER_SESSION) {
        break; // Bounded: past it, a name costs only the round trip it did before.
      }
      all.add(i);
    }
    notHeld = all.toArray(new Identity[0]);
  }

  /** Nothing left to keep: the record may go. */
  boolean idle() {
    return connections == 0 && running == 0 && notHeld == null;
  }
}
