package org.grapevine.protocol.sync;

import java.util.ArrayList;
import java.util.List;
import java.util.SortedSet;
import java.util.function.Predicate;
import org.grapevine.protocol.identity.Identity;

/**
 * Which followed identities a session names (sync.proto step 2a) when there are more than {@link
 * SyncLimits#MAX_NAMES_PER_SESSION}: first those this node holds nothing of (a new follow, the case
 * naming exists for), then a window of the rest in key order that moves with {@code round}, so that
 * every one is named in turn instead of the same first ones forever.
 */
final class NameChoice {
  private NameChoice() {}

  /**
   * At most {@code max} of {@code candidates}: every one when they fit, otherwise the empty ones
   * (in key order) and the {@code round}-th window of the others.
   */
  static List<Identity> choose(
      SortedSet<Identity> candidates, Predicate<Identity> holdsNothing, int max, long round) {
    if (candidates.size() <= max) {
      return new ArrayList<>(candidates);
    }
    List<Identity> chosen = new ArrayList<>();
    List<Identity> rest = new ArrayList<>();
    for (Identity i : candidates) {
      if (holdsNothing.test(i) && chosen.size() < max) {
        chosen.add(i);
      } else {
        rest.add(i);
      }
    }
    int room = max - chosen.size();
    if (room == 0 || rest.isEmpty()) {
      return chosen;
    }
    int windows = (rest.size() + room - 1) / room;
    int start = (int) (Math.floorMod(round, (long) windows) * room);
    for (int k = 0; k < room && k < rest.size(); k++) {
      chosen.add(rest.get((start + k) % rest.size()));
    }
    return chosen;
  }
}
