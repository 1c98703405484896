package org.grapevine.node.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.grapevine.node.config.NodeConfig;
import org.grapevine.protocol.identity.Identity;
import org.junit.jupiter.api.Test;

class CircleTest {
  private static final NodeConfig.Circle ROOMY = new NodeConfig.Circle(true, 1000, 10_000, 100);

  private static Identity id(int i) {
    byte[] key = new byte[32];
    key[0] = (byte) (i >> 8);
    key[1] = (byte) i;
    return Identity.of(key);
  }

  private static final Identity OWN = id(0);
  private static final Identity B = id(1);
  private static final Identity C = id(2);
  private static final Identity D = id(3);

  private static List<Identity> identities(List<Circle.Member> members) {
    return members.stream().map(Circle.Member::identity).toList();
  }

  @Test
  void rankedByHowManyFollowsFollowThem_tiesByKey() {
    // B and C are followed; both follow 12, only C follows 11 and 10.
    Map<Identity, Set<Identity>> sets =
        Map.of(B, Set.of(id(12), id(11)), C, Set.of(id(12), id(10)));
    List<Circle.Member> circle =
        Circle.of(OWN, Set.of(OWN, B, C), sets, i -> false, i -> 0, i -> false, ROOMY);
    assertThat(identities(circle)).containsExactly(id(12), id(10), id(11));
    assertThat(circle.get(0).followedBy()).isEqualTo(2);
    assertThat(circle.get(1).followedBy()).isEqualTo(1);
    assertThat(circle).allMatch(Circle.Member::fetched);
  }

  @Test
  void leavesOutOwnIdentityFollowsAndExcludedOnes() {
    // B follows us, C (whom we follow too), D (blocked or muted) and 10.
    Map<Identity, Set<Identity>> sets = Map.of(B, Set.of(OWN, C, D, id(10)));
    List<Circle.Member> circle =
        Circle.of(OWN, Set.of(OWN, B, C), sets, i -> i.equals(D), i -> 0, i -> false, ROOMY);
    assertThat(identities(circle)).containsExactly(id(10));
  }

  @Test
  void ownFollowSetIsNotAHop() {
    // Our own follow set (if given) is our follows, not two hops away.
    Map<Identity, Set<Identity>> sets = Map.of(OWN, Set.of(id(10)), B, Set.of(id(11)));
    assertThat(
            identities(Circle.of(OWN, Set.of(OWN, B), sets, i -> false, i -> 0, i -> false, ROOMY)))
        .containsExactly(id(11));
  }

  @Test
  void cappedAtMaxIdentities_theMostFollowedKept() {
    Map<Identity, Set<Identity>> sets =
        Map.of(B, Set.of(id(10), id(11), id(12)), C, Set.of(id(12)), D, Set.of(id(12), id(11)));
    NodeConfig.Circle two = new NodeConfig.Circle(true, 1000, 10_000, 2);
    assertThat(
            identities(Circle.of(OWN, Set.of(B, C, D), sets, i -> false, i -> 0, i -> false, two)))
        .containsExactly(id(12), id(11));
  }

  @Test
  void excludedOnesDoNotTakeASeat() {
    Map<Identity, Set<Identity>> sets = Map.of(B, Set.of(id(10), id(11)), C, Set.of(id(10)));
    NodeConfig.Circle one = new NodeConfig.Circle(true, 1000, 10_000, 1);
    assertThat(
            identities(Circle.of(OWN, Set.of(B, C), sets, id(10)::equals, i -> 0, i -> false, one)))
        .containsExactly(id(11));
  }

  @Test
  void disabledOrNoSeats_empty() {
    Map<Identity, Set<Identity>> sets = Map.of(B, Set.of(id(10)));
    assertThat(
            Circle.of(
                OWN,
                Set.of(B),
                sets,
                i -> false,
                i -> 0,
                i -> false,
                new NodeConfig.Circle(false, 1000, 10_000, 100)))
        .isEmpty();
    assertThat(
            Circle.of(
                OWN,
                Set.of(B),
                sets,
                i -> false,
                i -> 0,
                i -> false,
                new NodeConfig.Circle(true, 1000, 10, 0)))
        .isEmpty();
  }

  @Test
  void membersAtTheirBudgetOrPastTheTotalAreNotFetched_theLeastFollowedFirst() {
    // 10 (followed by 3) holds 600, 11 (by 2) holds 1000 = its budget, 12 (by 1) holds 100 but
    // the total of 1500 is reached by then.
    Map<Identity, Set<Identity>> sets =
        Map.of(B, Set.of(id(10), id(11), id(12)), C, Set.of(id(10), id(11)), D, Set.of(id(10)));
    Map<Identity, Long> held = Map.of(id(10), 600L, id(11), 1000L, id(12), 100L);
    NodeConfig.Circle budget = new NodeConfig.Circle(true, 1000, 1500, 100);
    List<Circle.Member> circle =
        Circle.of(OWN, Set.of(B, C, D), sets, i -> false, held::get, i -> false, budget);
    assertThat(circle)
        .containsExactly(
            new Circle.Member(id(10), 3, 600, true),
            new Circle.Member(id(11), 2, 1000, false),
            new Circle.Member(id(12), 1, 100, false));
  }

  @Test
  void aMemberRefusedForItsBudgetIsNotFetched_evenBelowIt() {
    Map<Identity, Set<Identity>> sets = Map.of(B, Set.of(id(10), id(11)));
    List<Circle.Member> circle =
        Circle.of(OWN, Set.of(B), sets, i -> false, i -> 10, id(11)::equals, ROOMY);
    assertThat(circle)
        .containsExactly(
            new Circle.Member(id(10), 1, 10, true), new Circle.Member(id(11), 1, 10, false));
  }

  @Test
  void keeps_withinBothBudgetsOnly() {
    NodeConfig.Circle budget = new NodeConfig.Circle(true, 1000, 1500, 100);
    assertThat(Circle.keeps(budget, 0, 0, 1000)).isTrue(); // exactly the per-identity budget
    assertThat(Circle.keeps(budget, 1, 0, 1000)).isFalse();
    assertThat(Circle.keeps(budget, 0, 500, 1000)).isTrue(); // exactly the total
    assertThat(Circle.keeps(budget, 0, 501, 1000)).isFalse();
    assertThat(Circle.keeps(budget, 5000, 0, 1)).isFalse(); // held over the budget already
    assertThat(Circle.keeps(budget, 0, 9000, 1)).isFalse();
  }

  @Test
  void followDecisions_theLatestByTimestampDecides() {
    FollowDecisions d = new FollowDecisions(B);
    d.apply(id(10), 100, true);
    d.apply(id(11), 100, true);
    d.apply(id(10), 200, false); // unfollowed later
    d.apply(id(11), 50, false); // an older unfollow arriving late does not undo the follow
    d.apply(B, 300, true); // following oneself is no follow
    assertThat(d.follows()).containsExactly(id(11));
  }
}
