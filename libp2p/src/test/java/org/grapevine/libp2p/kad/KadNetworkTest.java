package org.grapevine.libp2p.kad;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import org.grapevine.libp2p.peer.PeerId;
import org.junit.jupiter.api.Test;

/**
 * Lookups on whole in-memory DHTs ({@link KadTestNetwork}) in virtual time: they find the true
 * {@code k} closest nodes, and the number of hops grows like log n.
 *
 * <p>Tolerances: none on convergence where every node is up. In a network where every node answers,
 * a lookup that ends only when the {@code k} closest it has seen have all answered finds exactly
 * the {@code k} closest as long as the tables route (each node knows its own neighbourhood, which
 * its self lookup at join and the lookups of later joiners give it); a miss would be a bug here,
 * not bad luck. Hops and messages are only bounded loosely (well under n, and hops under log2 n),
 * as the figures vary with the seed; they are printed for the record.
 */
class KadNetworkTest {
  private static final int LOOKUPS = 100;
  private static final int BOOTSTRAP_LOOKUPS = 3;

  private record Stats(
      double meanHops, double meanRequests, int exact, int minOverlap, String digest) {}

  /** Runs {@link #LOOKUPS} lookups for random keys from random live nodes. */
  private static Stats measure(KadTestNetwork net) {
    long hops = 0;
    long requests = 0;
    int exact = 0;
    int minOverlap = RoutingTable.K;
    StringBuilder digest = new StringBuilder();
    List<PeerId> live = net.ids.stream().filter(net::isAlive).toList();
    for (int i = 0; i < LOOKUPS; i++) {
      PeerId from = live.get(net.random().nextInt(live.size()));
      KadKey target = KadKey.random(net.random());
      KadTestNetwork.Run run = net.lookup(from, target);
      Lookup l = run.lookup();
      List<PeerId> expected = closestLive(net, live, target, from);
      List<PeerId> found = l.result().stream().map(KadPeer::id).toList();
      // Whatever the tables held, the lookup found the best its answers allowed.
      List<PeerId> known = run.known().stream().filter(net::isAlive).toList();
      assertThat(found).isEqualTo(closestLive(net, known, target, from));
      if (found.equals(expected)) {
        exact++;
      }
      minOverlap = Math.min(minOverlap, (int) found.stream().filter(expected::contains).count());
      hops += l.hops();
      requests += l.requestsSent();
      digest.append(l.hops()).append('/').append(l.requestsSent()).append(' ');
    }
    return new Stats(
        (double) hops / LOOKUPS, (double) requests / LOOKUPS, exact, minOverlap, digest.toString());
  }

  private static List<PeerId> closestLive(
      KadTestNetwork net, List<PeerId> among, KadKey target, PeerId self) {
    return among.stream()
        .filter(p -> !p.equals(self) && net.isAlive(p))
        .sorted(Comparator.comparing(KadKey::of, target.byDistance()))
        .limit(RoutingTable.K)
        .toList();
  }

  private static void print(String what, int n, Stats s) {
    System.out.printf(
        Locale.ROOT,
        "kad %s n=%d: %d/%d lookups exact (least overlap %d), mean hops %.2f, mean requests %.1f (log2 n = %.1f)%n",
        what,
        n,
        s.exact(),
        LOOKUPS,
        s.minOverlap(),
        s.meanHops(),
        s.meanRequests(),
        Math.log(n) / Math.log(2));
  }

  @Test
  void lookups_allNodesUp_findTheTrueKClosestAndHopsGrowLikeLogN() {
    List<Stats> stats = new ArrayList<>();
    for (int n : new int[] {100, 1_000}) {
      KadTestNetwork net = KadTestNetwork.build(n, BOOTSTRAP_LOOKUPS, 42);
      Stats s = measure(net);
      print("all up", n, s);
      assertThat(s.exact()).as("lookups finding the true 20 closest, n = %d", n).isEqualTo(LOOKUPS);
      assertThat(s.meanHops()).isLessThan(Math.log(n) / Math.log(2));
      assertThat(s.meanRequests()).isLessThan(n / 4.0);
      stats.add(s);
    }
    // Ten times the nodes: more hops, but far from ten times as many.
    assertThat(stats.get(1).meanHops())
        .isGreaterThanOrEqualTo(stats.get(0).meanHops())
        .isLessThan(3 * stats.get(0).meanHops());
  }

  @Test
  void lookups_tenthOfNodesDead_stillFindTheKClosestLiveOnes() {
    int n = 1_000;
    KadTestNetwork net = KadTestNetwork.build(n, BOOTSTRAP_LOOKUPS, 43);
    for (int i = 0; i < n / 10; i++) {
      net.kill(net.ids.get(net.random().nextInt(n)));
    }
    Stats s = measure(net);
    print("10% dead", n, s);
    // Servers answer with their k closest, dead ones included (they learn of a death only by
    // asking), so a live peer ranked just past k overall can be in no answer at all: measured,
    // every
    // miss is such a peer (in the results' tables, outside their top k). measure() asserts the
    // lookup's own part: the best of what it was told. Here only that misses stay few and small.
    assertThat(s.exact()).isGreaterThanOrEqualTo(90);
    assertThat(s.minOverlap()).isGreaterThanOrEqualTo(RoutingTable.K - 3);
  }

  @Test
  void sameSeed_sameRunBitForBit() {
    Stats a = measure(KadTestNetwork.build(200, BOOTSTRAP_LOOKUPS, 7));
    Stats b = measure(KadTestNetwork.build(200, BOOTSTRAP_LOOKUPS, 7));
    assertThat(a.digest()).isEqualTo(b.digest());
  }
}
