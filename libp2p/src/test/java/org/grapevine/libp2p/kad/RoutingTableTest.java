package org.grapevine.libp2p.kad;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import org.grapevine.libp2p.kad.RoutingTable.AddResult;
import org.grapevine.libp2p.kad.RoutingTable.AddStatus;
import org.grapevine.libp2p.multiaddr.Multiaddr;
import org.grapevine.libp2p.peer.PeerId;
import org.junit.jupiter.api.Test;

class RoutingTableTest {
  private static final long CHECK_TIMEOUT = 5_000_000_000L;

  private final SplittableRandom random = new SplittableRandom(7);
  private final PeerId self = KadTestPeers.random(random);
  private final RoutingTable table = new RoutingTable(self, RoutingTable.K, CHECK_TIMEOUT);

  /** Fills bucket 0 (half the key space) with k peers seen at times 0..k-1. */
  private List<PeerId> fillBucketZero() {
    List<PeerId> peers = new ArrayList<>();
    for (int i = 0; i < RoutingTable.K; i++) {
      PeerId p = KadTestPeers.withCpl(self, 0, random);
      assertThat(table.add(KadPeer.of(p), i).status()).isEqualTo(AddStatus.ADDED);
      peers.add(p);
    }
    return peers;
  }

  @Test
  void add_newPeer_goesToTheBucketOfItsCommonPrefixLength() {
    PeerId p = KadTestPeers.withCpl(self, 3, random);
    assertThat(table.add(KadPeer.of(p), 0).status()).isEqualTo(AddStatus.ADDED);
    assertThat(table.bucketSize(3)).isEqualTo(1);
    assertThat(table.size()).isEqualTo(1);
    assertThat(table.find(p)).contains(KadPeer.of(p));
  }

  @Test
  void add_self_isNeverStored() {
    assertThat(table.add(KadPeer.of(self), 0).status()).isEqualTo(AddStatus.SELF);
    assertThat(table.size()).isZero();
  }

  @Test
  void add_knownPeer_refreshesItsTimeAndKeepsAddressesUnlessNewOnesCome() throws Exception {
    PeerId p = KadTestPeers.random(random);
    List<Multiaddr> addrs = List.of(Multiaddr.parse("/ip4/1.2.3.4/tcp/4001"));
    table.add(new KadPeer(p, addrs), 0);
    assertThat(table.add(KadPeer.of(p), 10).status()).isEqualTo(AddStatus.REFRESHED);
    assertThat(table.find(p).orElseThrow().addrs()).isEqualTo(addrs);
    assertThat(table.lastSeenNanos(p)).hasValue(10);
    List<Multiaddr> moved = List.of(Multiaddr.parse("/ip4/5.6.7.8/tcp/4001"));
    table.add(new KadPeer(p, moved), 11);
    assertThat(table.find(p).orElseThrow().addrs()).isEqualTo(moved);
    assertThat(table.size()).isEqualTo(1);
  }

  @Test
  void add_fullBucket_asksToCheckTheLeastRecentlySeenInsteadOfEvicting() {
    List<PeerId> old = fillBucketZero();
    table.add(KadPeer.of(old.get(0)), 100); // seen again: now old.get(1) is the oldest
    PeerId newcomer = KadTestPeers.withCpl(self, 0, random);
    AddResult r = table.add(KadPeer.of(newcomer), 101);
    assertThat(r.status()).isEqualTo(AddStatus.CHECK_NEEDED);
    assertThat(r.toCheck()).contains(KadPeer.of(old.get(1)));
    assertThat(table.find(newcomer)).isEmpty();
    assertThat(table.bucketSize(0)).isEqualTo(RoutingTable.K);
    assertThat(table.checksStarted()).isEqualTo(1);
  }

  @Test
  void handleCheckResult_alive_keepsTheOldPeerAndDropsTheNewcomer() {
    List<PeerId> old = fillBucketZero();
    PeerId newcomer = KadTestPeers.withCpl(self, 0, random);
    table.add(KadPeer.of(newcomer), 100);
    assertThat(table.handleCheckResult(old.get(0), true, 150)).isTrue();
    assertThat(table.find(old.get(0))).isPresent();
    assertThat(table.lastSeenNanos(old.get(0))).hasValue(150);
    assertThat(table.find(newcomer)).isEmpty();
    assertThat(table.waitingDropped()).isEqualTo(1);
    // The next newcomer gets the next oldest checked.
    AddResult r = table.add(KadPeer.of(KadTestPeers.withCpl(self, 0, random)), 200);
    assertThat(r.toCheck()).contains(KadPeer.of(old.get(1)));
  }

  @Test
  void handleCheckResult_dead_replacesTheOldPeerWithTheNewcomer() {
    List<PeerId> old = fillBucketZero();
    PeerId newcomer = KadTestPeers.withCpl(self, 0, random);
    table.add(KadPeer.of(newcomer), 100);
    assertThat(table.handleCheckResult(old.get(0), false, 150)).isTrue();
    assertThat(table.find(old.get(0))).isEmpty();
    assertThat(table.find(newcomer)).isPresent();
    assertThat(table.size()).isEqualTo(RoutingTable.K);
    assertThat(table.checksFailed()).isEqualTo(1);
    assertThat(table.handleCheckResult(old.get(0), true, 160)).isFalse(); // late: nothing changes
    assertThat(table.find(old.get(0))).isEmpty();
  }

  @Test
  void handleTimeout_unansweredCheck_countsThePeerDead() {
    List<PeerId> old = fillBucketZero();
    PeerId newcomer = KadTestPeers.withCpl(self, 0, random);
    table.add(KadPeer.of(newcomer), 100);
    assertThat(table.pollTimeout()).hasValue(100 + CHECK_TIMEOUT);
    table.handleTimeout(100 + CHECK_TIMEOUT - 1);
    assertThat(table.find(old.get(0))).isPresent();
    table.handleTimeout(100 + CHECK_TIMEOUT);
    assertThat(table.find(old.get(0))).isEmpty();
    assertThat(table.find(newcomer)).isPresent();
    assertThat(table.pollTimeout()).isEmpty();
  }

  @Test
  void add_duringACheck_newerNewcomerReplacesTheWaitingOne() {
    List<PeerId> old = fillBucketZero();
    PeerId first = KadTestPeers.withCpl(self, 0, random);
    PeerId second = KadTestPeers.withCpl(self, 0, random);
    table.add(KadPeer.of(first), 100);
    AddResult r = table.add(KadPeer.of(second), 101);
    assertThat(r.status()).isEqualTo(AddStatus.WAITING);
    assertThat(r.toCheck()).isEmpty();
    assertThat(table.waitingReplaced()).isEqualTo(1);
    table.handleCheckResult(old.get(0), false, 150);
    assertThat(table.find(second)).isPresent();
    assertThat(table.find(first)).isEmpty();
  }

  @Test
  void add_checkedPeerShowsLife_endsTheCheckAsAlive() {
    List<PeerId> old = fillBucketZero();
    PeerId newcomer = KadTestPeers.withCpl(self, 0, random);
    table.add(KadPeer.of(newcomer), 100);
    assertThat(table.add(KadPeer.of(old.get(0)), 120).status()).isEqualTo(AddStatus.REFRESHED);
    assertThat(table.pollTimeout()).isEmpty();
    assertThat(table.find(newcomer)).isEmpty();
  }

  @Test
  void remove_duringACheck_letsTheWaitingPeerIn() {
    List<PeerId> old = fillBucketZero();
    PeerId newcomer = KadTestPeers.withCpl(self, 0, random);
    table.add(KadPeer.of(newcomer), 100);
    assertThat(table.remove(old.get(5), 110)).isTrue();
    assertThat(table.find(newcomer)).isPresent();
    assertThat(table.find(old.get(0))).isPresent();
    assertThat(table.pollTimeout()).isEmpty();
    assertThat(table.remove(old.get(5), 111)).isFalse();
  }

  @Test
  void closest_equalsABruteForceSortOfTheTable() {
    for (int i = 0; i < 2_000; i++) {
      table.add(KadPeer.of(KadTestPeers.random(random)), i);
    }
    for (int t = 0; t < 50; t++) {
      KadKey target = KadKey.random(random);
      List<PeerId> expected =
          table.peers().stream()
              .map(KadPeer::id)
              .sorted(Comparator.comparing(KadKey::of, target.byDistance()))
              .limit(RoutingTable.K)
              .toList();
      assertThat(table.closest(target, RoutingTable.K))
          .extracting(KadPeer::id)
          .containsExactlyElementsOf(expected);
    }
    assertThat(table.closest(KadKey.random(random), 0)).isEmpty();
  }

  @Test
  void add_manyPeers_staysBoundedByKPerBucket() {
    for (int i = 0; i < 20_000; i++) {
      AddResult r = table.add(KadPeer.of(KadTestPeers.random(random)), i);
      r.toCheck().ifPresent(p -> table.handleCheckResult(p.id(), true, 0));
    }
    for (int cpl = 0; cpl < KadKey.BITS; cpl++) {
      assertThat(table.bucketSize(cpl)).isLessThanOrEqualTo(RoutingTable.K);
    }
    // Half of all peers fall in bucket 0, a quarter in bucket 1...: the far buckets are full.
    assertThat(table.bucketSize(0)).isEqualTo(RoutingTable.K);
    assertThat(table.bucketSize(7)).isEqualTo(RoutingTable.K);
    assertThat(table.size()).isEqualTo(table.peers().size()).isLessThan(20 * 16);
  }

  @Test
  void bucketsToRefresh_thoseUpToTheDeepestWithoutARecentLookup() {
    table.add(KadPeer.of(KadTestPeers.withCpl(self, 0, random)), 0);
    table.add(KadPeer.of(KadTestPeers.withCpl(self, 3, random)), 0);
    assertThat(table.bucketsToRefresh(0, 100)).containsExactly(0, 1, 2, 3);
    table.markRefreshed(KadKey.randomWithPrefix(table.selfKey(), 1, random), 10);
    table.markRefreshed(KadKey.randomWithPrefix(table.selfKey(), 3, random), 50);
    assertThat(table.bucketsToRefresh(60, 100)).containsExactly(0, 2);
    assertThat(table.bucketsToRefresh(110, 100)).containsExactly(0, 1, 2);
    assertThat(table.bucketsToRefresh(150, 100)).containsExactly(0, 1, 2, 3);
  }

  @Test
  void remove_theWaitingPeer_endsTheCheckAndKeepsTheBucket() {
    List<PeerId> old = fillBucketZero();
    PeerId newcomer = KadTestPeers.withCpl(self, 0, random);
    table.add(KadPeer.of(newcomer), 100);
    assertThat(table.remove(newcomer, 110)).isFalse();
    assertThat(table.pollTimeout()).isEmpty();
    assertThat(table.handleCheckResult(old.get(0), false, 120)).isFalse();
    table.handleTimeout(100 + CHECK_TIMEOUT);
    assertThat(table.peers()).extracting(KadPeer::id).containsExactlyInAnyOrderElementsOf(old);
  }
}
