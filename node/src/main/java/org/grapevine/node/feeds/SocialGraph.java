package org.grapevine.node.feeds;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.grapevine.node.LogQueries;
import org.grapevine.node.storage.PostStore;
import org.grapevine.protocol.identity.Identity;

/**
 * The graph around this node's person that feeds read ({@code graph.*}): whom they follow, and for
 * everyone else how many of those follow them, per the held logs. Immutable; rebuilt when a follow
 * or unfollow of theirs or of someone they follow arrives.
 */
final class SocialGraph {
  final Identity me;
  private final Set<Identity> follows;
  private final Map<Identity, Integer> followedByFollows;

  SocialGraph(Identity me, Set<Identity> follows, Map<Identity, Integer> followedByFollows) {
    this.me = me;
    this.follows = Set.copyOf(follows);
    this.followedByFollows = Map.copyOf(followedByFollows);
  }

  /** From the store: its follows, and each followed identity's follows as its held logs say. */
  static SocialGraph of(PostStore store, Identity me) {
    Set<Identity> follows = store.follows();
    Map<Identity, Integer> counts = new HashMap<>();
    for (Identity f : follows) {
      for (Identity g : LogQueries.following(store, f)) {
        counts.merge(g, 1, Integer::sum);
      }
    }
    return new SocialGraph(me, follows, counts);
  }

  boolean follows(Identity who) {
    return follows.contains(who);
  }

  /** How many of the identities followed follow {@code who}. */
  int followedByFollows(Identity who) {
    return followedByFollows.getOrDefault(who, 0);
  }

  /** 0 me, 1 followed, 2 followed by someone followed, 3 anyone else. */
  int hops(Identity who) {
    if (who.equals(me)) {
      return 0;
    }
    if (follows.contains(who)) {
      return 1;
    }
    return followedByFollows(who) > 0 ? 2 : 3;
  }

  Set<Identity> followSet() {
    return follows;
  }
}
