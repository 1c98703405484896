package org.grapevine.libp2p.kad;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.grapevine.libp2p.peer.PeerId;
import org.junit.jupiter.api.Test;

/**
 * Whole networks of {@link Dht}s ({@link DhtTestNetwork}) in virtual time, each node seeded with
 * three random nodes already up and bootstrapped (self lookup and bucket refresh).
 *
 * <p>Tolerances: none where every node is up and nothing is lost: a findPeer must find its peer, a
 * findClosest the true 20 closest, a findProviders the provider. A miss would be a bug in whom the
 * tables take or in the walk, not bad luck. Hops and messages are printed for the record. With 5%
 * of messages lost, 48 of 50 findPeers must succeed: a lost message costs a request timeout and, as
 * go does, the peer's place in the asker's table, and the walk goes on around it.
 */
class DhtNetworkTest {
  private static final long MINUTE = TimeUnit.MINUTES.toNanos(1);

  private static List<PeerId> trueClosest(DhtTestNetwork net, KadKey target, PeerId self) {
    return net.ids.stream()
        .filter(p -> !p.equals(self) && net.isUp(p))
        .sorted(Comparator.comparing(KadKey::of, target.byDistance()))
        .limit(RoutingTable.K)
        .toList();
  }

  @Test
  void network1000_afterBootstrap_findPeerFindClosestAndProvideThenFindConverge() {
    DhtTestNetwork net = new DhtTestNetwork(1_000, DhtConfig.DEFAULT, 42, 0);
    net.bootstrapAll(3, 2 * MINUTE);
    long bootstrapMessages = net.messages();

    // findPeer of peers not in the asker's table (those end at once): every one succeeds.
    long hops = 0;
    long requests = 0;
    int lookups = 100;
    for (int i = 0; i < lookups; i++) {
      PeerId from = net.ids.get(net.random().nextInt(net.ids.size()));
      List<PeerId> known = net.node(from).routingTablePeers().stream().map(KadPeer::id).toList();
      PeerId target = net.ids.get(net.random().nextInt(net.ids.size()));
      while (target.equals(from) || known.contains(target)) {
        target = net.ids.get(net.random().nextInt(net.ids.size()));
      }
      PeerId wanted = target;
      long q = net.command(from, d -> d.findPeer(wanted, net.now()));
      DhtEvent.QueryDone done = net.await(from, q, MINUTE);
      assertThat(done.stats().success()).as("findPeer %d", i).isTrue();
      assertThat(done.peers()).extracting(KadPeer::id).containsExactly(wanted);
      assertThat(done.peers().get(0).addrs()).isNotEmpty();
      hops += done.stats().hops();
      requests += done.stats().requests();
    }

    // findClosest: the true 20 closest, or nearly.
    int exact = 0;
    int minOverlap = RoutingTable.K;
    for (int i = 0; i < lookups; i++) {
      PeerId from = net.ids.get(net.random().nextInt(net.ids.size()));
      byte[] key = KadTestPeers.random(net.random()).toBytes();
      long q = net.command(from, d -> d.findClosest(key, net.now()));
      DhtEvent.QueryDone done = net.await(from, q, MINUTE);
      List<PeerId> found = done.peers().stream().map(KadPeer::id).toList();
      List<PeerId> expected = trueClosest(net, KadKey.of(key), from);
      int overlap = (int) found.stream().filter(expected::contains).count();
      minOverlap = Math.min(minOverlap, overlap);
      if (found.equals(expected)) {
        exact++;
      }
    }
    System.out.printf(
        Locale.ROOT,
        "dht n=1000: bootstrap %d messages (%.0f a node), table %.0f peers on average; findPeer"
            + " mean hops %.2f, mean requests %.1f; findClosest %d/%d exact, least overlap %d%n",
        bootstrapMessages,
        bootstrapMessages / 1000.0,
        net.ids.stream().mapToInt(id -> net.node(id).routingTableSize()).average().orElse(0),
        (double) hops / lookups,
        (double) requests / lookups,
        exact,
        lookups,
        minOverlap);
    assertThat(minOverlap).isEqualTo(RoutingTable.K);
    assertThat(exact).isEqualTo(lookups);

    // Provide on one node, find from ten others.
    PeerId provider = net.ids.get(7);
    byte[] key = DhtTest.cidKey(net.random());
    long p = net.command(provider, d -> d.startProviding(key, net.now()));
    DhtEvent.QueryDone provided = net.await(provider, p, MINUTE);
    assertThat(provided.kind()).isEqualTo(QueryKind.PROVIDE);
    assertThat(provided.peers()).hasSize(RoutingTable.K);
    for (int i = 0; i < 10; i++) {
      PeerId from = net.ids.get(100 + i);
      long q = net.command(from, d -> d.findProviders(key, 1, net.now()));
      DhtEvent.QueryDone done = net.await(from, q, MINUTE);
      assertThat(done.providers()).extracting(KadPeer::id).containsExactly(provider);
      assertThat(done.providers().get(0).addrs())
          .containsExactlyElementsOf(net.peer(provider).addrs());
      assertThat(net.events(from))
          .filteredOn(r -> r.event() instanceof DhtEvent.ProviderFound f && f.query() == q)
          .hasSize(1);
    }
  }

  @Test
  void network100_fivePercentLoss_lookupsStillSucceed() {
    DhtTestNetwork net = new DhtTestNetwork(100, DhtConfig.DEFAULT, 7, 0.05);
    net.bootstrapAll(3, 2 * MINUTE);
    int ok = 0;
    for (int i = 0; i < 50; i++) {
      PeerId from = net.ids.get(net.random().nextInt(net.ids.size()));
      PeerId target = net.ids.get(net.random().nextInt(net.ids.size()));
      long q = net.command(from, d -> d.findPeer(target, net.now()));
      if (net.await(from, q, 2 * MINUTE).stats().success() || target.equals(from)) {
        ok++;
      }
    }
    System.out.printf(
        Locale.ROOT, "dht n=100, 5%% loss: findPeer %d/50, %d messages lost%n", ok, net.lost());
    assertThat(net.lost()).isPositive();
    assertThat(ok).isGreaterThanOrEqualTo(48);
  }
}
