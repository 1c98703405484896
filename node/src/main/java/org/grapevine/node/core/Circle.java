package org.grapevine.node.core;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.ToLongFunction;
import org.grapevine.node.config.NodeConfig;
import org.grapevine.protocol.identity.Identity;

/**
 * The extended circle (issue 17, docs/ARCHITECTURE.md "Extended circle"): the identities two follow
 * hops away whose logs a node keeps without following them, so that feeds have more than the
 * followed logs to rank. Plain computation, no I/O: the caller gives the follow sets and what it
 * holds.
 *
 * <p>Rules:
 *
 * <ol>
 *   <li>Candidates: every identity that at least one followed identity follows (by the follow and
 *       unfollow entries of its held logs), except this node's own identity, the identities it
 *       follows, and excluded ones (blocked or muted).
 *   <li>Order: by how many of this node's follows follow it, most first; ties by identity key, so
 *       that the order does not depend on map iteration.
 *   <li>Cap: the first {@link NodeConfig.Circle#maxIdentities} candidates are the circle.
 *   <li>Budgets: a member is fetched while it holds less than {@link
 *       NodeConfig.Circle#perIdentityBytes} and the members up to it (in order) hold less than
 *       {@link NodeConfig.Circle#totalBytes} together: as the total fills, the least followed stop
 *       being fetched first. Ingestion checks the same budgets entry by entry ({@link #keeps}).
 * </ol>
 */
public final class Circle {
  private Circle() {}

  /**
   * One member of the circle.
   *
   * @param followedBy how many of this node's follows follow it
   * @param heldBytes content bytes held of its logs (as {@code PostStore.storedBytes} counts them)
   * @param fetched whether sync fetches it (it is within both budgets)
   */
  public record Member(Identity identity, int followedBy, long heldBytes, boolean fetched) {}

  /**
   * The circle, in order (rules 1 to 4).
   *
   * @param own this node's identity
   * @param follows the identities this node follows (its own may be among them)
   * @param followSets whom each followed identity follows; identities without an entry follow
   *     nobody known
   * @param excluded blocked or muted identities
   * @param heldBytes content bytes held of an identity, asked only of the members
   * @param full members whose content was refused for a budget ({@link #keeps}) since they last
   *     held less: they are at a budget even below it, the next entry not fitting
   */
  public static List<Member> of(
      Identity own,
      Set<Identity> follows,
      Map<Identity, ? extends Collection<Identity>> followSets,
      Predicate<Identity> excluded,
      ToLongFunction<Identity> heldBytes,
      Predicate<Identity> full,
      NodeConfig.Circle config) {
    if (!config.enabled() || config.maxIdentities() == 0) {
      return List.of();
    }
    Map<Identity, Integer> counts = new HashMap<>();
    for (Identity followed : follows) {
      if (followed.equals(own)) {
        continue; // Whom we follow is the follows themselves, not the circle.
      }
      Collection<Identity> theirs = followSets.get(followed);
      if (theirs == null) {
        continue;
      }
      for (Identity candidate : theirs) {
        if (!candidate.equals(own) && !follows.contains(candidate)) {
          counts.merge(candidate, 1, Integer::sum);
        }
      }
    }
    List<Map.Entry<Identity, Integer>> ranked = new ArrayList<>(counts.entrySet());
    ranked.sort(
        Comparator.comparing((Map.Entry<Identity, Integer> e) -> e.getValue())
            .reversed()
            .thenComparing(Map.Entry::getKey));
    List<Member> out = new ArrayList<>();
    long cumulative = 0;
    for (Map.Entry<Identity, Integer> e : ranked) {
      if (out.size() >= config.maxIdentities()) {
        break;
      }
      Identity candidate = e.getKey();
      // Asked in rank order and only until the cap is full: a block or mute read per candidate.
      if (excluded.test(candidate)) {
        continue;
      }
      long held = heldBytes.applyAsLong(candidate);
      cumulative = saturatedAdd(cumulative, held);
      boolean fetched =
          held < config.perIdentityBytes()
              && cumulative < config.totalBytes()
              && !full.test(candidate);
      out.add(new Member(candidate, e.getValue(), held, fetched));
    }
    return out;
  }

  /**
   * Whether a member's entry of {@code contentBytes} is kept with its content: the member would
   * hold at most {@link NodeConfig.Circle#perIdentityBytes} and all members together at most {@link
   * NodeConfig.Circle#totalBytes}.
   *
   * @param heldBytes what the member holds now
   * @param totalHeldBytes what all members hold now
   */
  public static boolean keeps(
      NodeConfig.Circle config, long heldBytes, long totalHeldBytes, long contentBytes) {
    return contentBytes
            <= config.perIdentityBytes() - Math.min(heldBytes, config.perIdentityBytes())
        && contentBytes <= config.totalBytes() - Math.min(totalHeldBytes, config.totalBytes());
  }

  private static long saturatedAdd(long a, long b) {
    long sum = a + b;
    return sum < 0 ? Long.MAX_VALUE : sum;
  }
}
