package org.grapevine.node.core;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.SortedSet;
import org.grapevine.protocol.identity.Identity;

/**
 * Which followed identities one sync session offers when there are more than a session may carry
 * ({@code SyncLimits.MAX_SESSION_IDENTITIES}): a window of that many in key order that moves on
 * with every session, wrapping around, so that every followed identity is offered in turn. Taking
 * the first ones every time would never sync the others, and nobody would know.
 */
final class FollowWindow {
  private FollowWindow() {}

  /**
   * The {@code session}-th window (0, 1, ...) of at most {@code max} identities of {@code follows};
   * all of them when they fit.
   */
  static Set<Identity> of(SortedSet<Identity> follows, int max, long session) {
    if (follows.size() <= max) {
      return follows;
    }
    List<Identity> all = new ArrayList<>(follows);
    int start = (int) ((session % ((all.size() + max - 1) / max)) * max);
    Set<Identity> window = new LinkedHashSet<>();
    for (int i = 0; i < max; i++) {
      window.add(all.get((start + i) % all.size()));
    }
    return window;
  }
}
