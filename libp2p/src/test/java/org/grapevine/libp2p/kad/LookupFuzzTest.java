package org.grapevine.libp2p.kad;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.grapevine.libp2p.peer.PeerId;

/**
 * {@link Lookup} against peers that answer with arbitrary subsets of a small universe (ourselves
 * included), fail, or never answer, in any order: its invariants hold and it always ends.
 */
class LookupFuzzTest {
  private static final LookupConfig CONFIG = new LookupConfig(3, 5, 1_000, 40, 30);

  @Property(tries = 300)
  void anyAnswersInAnyOrder_keepTheInvariantsAndEnd(@ForAll long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    PeerId self = KadTestPeers.random(random);
    KadKey target = KadKey.random(random);
    List<KadPeer> universe = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      universe.add(KadPeer.of(KadTestPeers.random(random)));
    }
    universe.add(KadPeer.of(self));
    long now = 0;
    Lookup l = new Lookup(self, target, pick(universe, 1 + random.nextInt(8), random), CONFIG, now);
    List<PeerId> inFlight = new ArrayList<>();
    Set<PeerId> asked = new HashSet<>();
    Set<PeerId> answered = new HashSet<>();
    int steps = 0;
    while (!l.isDone()) {
      assertThat(++steps).as("steps").isLessThan(1_000);
      for (Optional<KadPeer> p = l.pollRequest(); p.isPresent(); p = l.pollRequest()) {
        assertThat(asked.add(p.get().id())).as("asked once").isTrue();
        inFlight.add(p.get().id());
      }
      assertThat(asked).doesNotContain(self);
      assertThat(inFlight.size()).isLessThanOrEqualTo(CONFIG.alpha());
      assertThat(inFlight.isEmpty()).isEqualTo(l.pollTimeout().isEmpty());
      if (l.isDone()) {
        break;
      }
      assertThat(inFlight).as("a lookup not done waits on someone").isNotEmpty();
      int roll = random.nextInt(10);
      now += random.nextInt(300);
      if (roll < 6) {
        PeerId from = inFlight.remove(random.nextInt(inFlight.size()));
        assertThat(l.handleResponse(from, pick(universe, random.nextInt(30), random), now))
            .isTrue();
        answered.add(from);
      } else if (roll < 8) {
        assertThat(l.handleFailure(inFlight.remove(random.nextInt(inFlight.size())), now)).isTrue();
      } else {
        now = Math.max(now, l.pollTimeout().getAsLong());
        inFlight.removeAll(l.handleTimeout(now));
      }
    }
    assertThat(l.requestsSent()).isEqualTo(asked.size()).isLessThanOrEqualTo(CONFIG.maxRequests());
    List<KadPeer> result = l.result();
    assertThat(result.size()).isLessThanOrEqualTo(CONFIG.resultSize());
    assertThat(result).allMatch(p -> answered.contains(p.id()));
    assertThat(result).extracting(p -> KadKey.of(p.id())).isSortedAccordingTo(target.byDistance());
    // The result is the closest of those that answered.
    Set<PeerId> inResult = new HashSet<>();
    result.forEach(p -> inResult.add(p.id()));
    if (result.size() < CONFIG.resultSize()) {
      assertThat(inResult).isEqualTo(answered);
    } else {
      KadKey last = KadKey.of(result.get(result.size() - 1).id());
      for (PeerId left : answered) {
        if (!inResult.contains(left)) {
          assertThat(target.compareDistance(KadKey.of(left), last)).isPositive();
        }
      }
    }
  }

  private static List<KadPeer> pick(List<KadPeer> universe, int n, SplittableRandom random) {
    List<KadPeer> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(universe.get(random.nextInt(universe.size())));
    }
    out.sort(Comparator.comparing(p -> p.id().toBase58()));
    return out;
  }
}
