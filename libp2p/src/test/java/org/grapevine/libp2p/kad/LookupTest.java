package org.grapevine.libp2p.kad;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import org.grapevine.libp2p.kad.Lookup.PeerState;
import org.grapevine.libp2p.peer.PeerId;
import org.junit.jupiter.api.Test;

/** Small hand-driven lookups with k = 3: each rule of {@link Lookup}'s header on its own. */
class LookupTest {
  private static final long TIMEOUT = 1_000;
  private static final LookupConfig CONFIG = new LookupConfig(3, 3, TIMEOUT, 30, 60);

  private final SplittableRandom random = new SplittableRandom(21);
  private final PeerId self = KadTestPeers.random(random);
  private final KadKey target = KadKey.random(random);

  /** {@code n} fresh peers sorted by distance to the target, closest first. */
  private List<KadPeer> peers(int n) {
    List<KadPeer> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(KadPeer.of(KadTestPeers.random(random)));
    }
    out.sort(Comparator.comparing(p -> KadKey.of(p.id()), target.byDistance()));
    return out;
  }

  private static List<KadPeer> drain(Lookup l) {
    List<KadPeer> out = new ArrayList<>();
    for (Optional<KadPeer> p = l.pollRequest(); p.isPresent(); p = l.pollRequest()) {
      out.add(p.get());
    }
    return out;
  }

  @Test
  void noSeeds_isDoneAtOnceWithNothing() {
    Lookup l = new Lookup(self, target, List.of(), CONFIG, 0);
    assertThat(l.isDone()).isTrue();
    assertThat(l.pollRequest()).isEmpty();
    assertThat(l.result()).isEmpty();
    assertThat(l.durationNanos()).hasValue(0);
  }

  @Test
  void pollRequest_asksAlphaClosestFirstThenWaits() {
    List<KadPeer> seeds = peers(6);
    List<KadPeer> farthestFirst = new ArrayList<>(seeds);
    Collections.reverse(farthestFirst);
    Lookup l = new Lookup(self, target, farthestFirst, CONFIG, 0);
    assertThat(drain(l)).containsExactlyElementsOf(seeds.subList(0, 3));
    assertThat(l.pollTimeout()).hasValue(TIMEOUT);
    l.handleResponse(seeds.get(1).id(), List.of(), 10);
    assertThat(drain(l)).containsExactly(seeds.get(3));
    assertThat(l.requestsSent()).isEqualTo(4);
  }

  @Test
  void endsWhenTheKClosestSeenHaveAllAnswered() {
    List<KadPeer> all = peers(8);
    // Seeds are the far five; the first answer reveals the three closest.
    Lookup l = new Lookup(self, target, all.subList(3, 8), CONFIG, 0);
    assertThat(drain(l)).containsExactlyElementsOf(all.subList(3, 6));
    l.handleResponse(all.get(3).id(), all.subList(0, 3), 10);
    assertThat(drain(l)).containsExactly(all.get(0));
    l.handleResponse(all.get(4).id(), List.of(), 11);
    l.handleResponse(all.get(5).id(), List.of(), 12);
    assertThat(drain(l)).containsExactlyElementsOf(all.subList(1, 3));
    l.handleResponse(all.get(0).id(), List.of(), 20);
    l.handleResponse(all.get(2).id(), List.of(), 21);
    assertThat(l.isDone()).isFalse(); // all.get(1), closer than a result, has not answered yet
    l.handleResponse(all.get(1).id(), List.of(), 22);
    assertThat(l.isDone()).isTrue();
    assertThat(l.result()).containsExactlyElementsOf(all.subList(0, 3));
    assertThat(l.hops()).isEqualTo(2);
    assertThat(l.requestsSent()).isEqualTo(6);
    assertThat(l.state(all.get(6).id())).contains(PeerState.NOT_CONTACTED);
    assertThat(l.durationNanos()).hasValue(22);
  }

  @Test
  void handleTimeout_failsOverdueRequestsAndMovesOn() {
    List<KadPeer> seeds = peers(5);
    Lookup l = new Lookup(self, target, seeds, CONFIG, 0);
    drain(l);
    l.handleResponse(seeds.get(0).id(), List.of(), 500);
    assertThat(drain(l)).containsExactly(seeds.get(3));
    l.handleTimeout(TIMEOUT);
    assertThat(l.state(seeds.get(1).id())).contains(PeerState.FAILED);
    assertThat(l.state(seeds.get(3).id())).contains(PeerState.WAITING);
    assertThat(l.timeouts()).isEqualTo(2);
    assertThat(drain(l)).containsExactly(seeds.get(4));
    assertThat(l.pollTimeout()).hasValue(500 + TIMEOUT);
    // A late answer is ignored.
    assertThat(l.handleResponse(seeds.get(1).id(), List.of(), TIMEOUT + 1)).isFalse();
    assertThat(l.ignoredResponses()).isEqualTo(1);
    l.handleResponse(seeds.get(3).id(), List.of(), TIMEOUT + 2);
    l.handleFailure(seeds.get(4).id(), TIMEOUT + 3);
    // Fewer than k reachable: done with what answered.
    assertThat(l.isDone()).isTrue();
    assertThat(l.result()).containsExactly(seeds.get(0), seeds.get(3));
    assertThat(l.failures()).isEqualTo(1);
  }

  @Test
  void handleResponse_fromPeerNeverAsked_isIgnored() {
    List<KadPeer> seeds = peers(4);
    Lookup l = new Lookup(self, target, seeds, CONFIG, 0);
    drain(l);
    assertThat(l.handleResponse(seeds.get(3).id(), peers(3), 1)).isFalse();
    assertThat(l.handleResponse(KadTestPeers.random(random), peers(3), 1)).isFalse();
    assertThat(l.ignoredResponses()).isEqualTo(2);
    assertThat(l.pollRequest()).isEmpty();
  }

  @Test
  void ourOwnIdInAnAnswer_isNeverAsked() {
    List<KadPeer> seeds = peers(1);
    Lookup l = new Lookup(self, target, seeds, CONFIG, 0);
    drain(l);
    l.handleResponse(seeds.get(0).id(), List.of(KadPeer.of(self)), 1);
    assertThat(l.state(self)).isEmpty();
    assertThat(l.isDone()).isTrue();
  }

  @Test
  void handleResponse_moreThanKCloserPeers_readsKAndCountsTheRest() {
    List<KadPeer> seeds = peers(1);
    Lookup l = new Lookup(self, target, seeds, CONFIG, 0);
    drain(l);
    l.handleResponse(seeds.get(0).id(), peers(10), 1);
    assertThat(l.closerPeersDropped()).isEqualTo(7);
    assertThat(drain(l)).hasSize(3);
  }

  @Test
  void answersFullOfFreshPeers_neverGrowTheCandidatesBeyondTheBound() {
    LookupConfig config = new LookupConfig(3, 3, TIMEOUT, 10, 60);
    Lookup l = new Lookup(self, target, peers(3), config, 0);
    long t = 0;
    for (int round = 0; round < 15 && !l.isDone(); round++) {
      for (KadPeer asked : drain(l)) {
        l.handleResponse(asked.id(), peers(3), ++t);
      }
    }
    assertThat(l.candidatesForgotten()).isPositive();
    assertThat(l.requestsSent()).isLessThanOrEqualTo(config.maxRequests());
  }

  /** A fresh peer closer to the target than {@code ref}. */
  private KadPeer closerThan(KadPeer ref) {
    KadKey refKey = KadKey.of(ref.id());
    while (true) {
      KadPeer p = KadPeer.of(KadTestPeers.random(random));
      if (target.compareDistance(KadKey.of(p.id()), refKey) < 0) {
        return p;
      }
    }
  }

  @Test
  void answersReferringToEverCloserDeadPeers_cannotKeepItGoingPastTheRequestBudget() {
    LookupConfig config = new LookupConfig(3, 3, TIMEOUT, 30, 12);
    Lookup l = new Lookup(self, target, peers(3), config, 0);
    long t = 0;
    while (!l.isDone()) {
      List<KadPeer> asked = drain(l);
      assertThat(asked).as("nothing in flight, so a lookup not done must ask").isNotEmpty();
      // The closest asked answers with three peers closer still; the others (and later those
      // three, but for one of them) fail: without a budget this would never end.
      KadPeer liar = asked.get(0);
      l.handleResponse(
          liar.id(), List.of(closerThan(liar), closerThan(liar), closerThan(liar)), ++t);
      for (KadPeer p : asked.subList(1, asked.size())) {
        l.handleFailure(p.id(), ++t);
      }
    }
    assertThat(l.requestsSent()).isEqualTo(12);
  }

  @Test
  void time_goingBack_isTheCallersBug() {
    Lookup l = new Lookup(self, target, peers(3), CONFIG, 100);
    assertThatThrownBy(() -> l.handleTimeout(99)).isInstanceOf(IllegalArgumentException.class);
  }
}
