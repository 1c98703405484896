package org.grapevine.libp2p.kad;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.grapevine.libp2p.peer.PeerId;
import org.junit.jupiter.api.Test;

/**
 * What the {@link Dht} does over hours and days of virtual time, on a small {@link DhtTestNetwork}:
 * republication, expiry of provider records, bucket refresh. The network's refresh interval is 6 h
 * (not 10 min) so that two simulated days stay cheap; the schedules under test are the defaults.
 */
class DhtScheduleTest {
  private static final long MINUTE = TimeUnit.MINUTES.toNanos(1);
  private static final long HOUR = TimeUnit.HOURS.toNanos(1);
  private static final DhtConfig CONFIG =
      DhtConfig.builder().refreshIntervalNanos(6 * HOUR).build();

  private static boolean finds(DhtTestNetwork net, PeerId from, byte[] key, PeerId provider) {
    long q = net.command(from, d -> d.findProviders(key, 1, net.now()));
    return net.await(from, q, MINUTE).providers().stream().anyMatch(p -> p.id().equals(provider));
  }

  private static List<PeerId> providersAnswered(Dht d, PeerId asker, byte[] key, long now) {
    KadMessage answer =
        d.handleRequest(asker, KadMessage.request(KadMessageType.GET_PROVIDERS, key), now)
            .response()
            .orElseThrow();
    return answer.providerPeers().stream().map(KadPeerInfo::id).toList();
  }

  @Test
  void provide_republishedEvery22h_untilStopped_thenExpiresAfter48h() {
    DhtTestNetwork net = new DhtTestNetwork(40, CONFIG, 11, 0);
    net.bootstrapAll(3, MINUTE);
    PeerId provider = net.ids.get(0);
    PeerId seeker = net.ids.get(1);
    Dht p = net.node(provider);
    byte[] key = DhtTest.cidKey(net.random());
    long start = net.now();
    net.await(provider, net.command(provider, d -> d.startProviding(key, net.now())), MINUTE);
    long firstAdds = p.stats().requestsOut(KadMessageType.ADD_PROVIDER);
    assertThat(firstAdds).isEqualTo(RoutingTable.K);
    assertThat(finds(net, seeker, key, provider)).isTrue();

    // Not before 22 h; once just after.
    net.runUntil(start + 22 * HOUR - MINUTE);
    assertThat(p.stats().republishes()).isZero();
    net.runUntil(start + 22 * HOUR + MINUTE);
    assertThat(p.stats().republishes()).isEqualTo(1);
    assertThat(p.stats().requestsOut(KadMessageType.ADD_PROVIDER)).isEqualTo(2 * firstAdds);

    // Stopped: no more announcements; the last one's records last 48 h, not longer. Our own
    // record goes at once: asked, we no longer name ourselves.
    assertThat(providersAnswered(p, seeker, key, net.now())).contains(provider);
    long lastAnnounce = net.now();
    net.command(
        provider,
        d -> {
          d.stopProviding(key, net.now());
          return 0;
        });
    assertThat(providersAnswered(p, seeker, key, net.now())).doesNotContain(provider);
    net.runUntil(lastAnnounce + 47 * HOUR);
    assertThat(p.stats().republishes()).isEqualTo(1);
    assertThat(finds(net, seeker, key, provider)).isTrue();
    net.runUntil(lastAnnounce + 49 * HOUR);
    assertThat(finds(net, seeker, key, provider)).isFalse();
    long expired =
        net.ids.stream().mapToLong(id -> net.node(id).stats().providerRecordsExpired()).sum();
    assertThat(expired).isGreaterThanOrEqualTo(RoutingTable.K);
  }

  @Test
  void bootstrap_refreshesStaleBucketsThenAgainEachInterval() {
    DhtTestNetwork net = new DhtTestNetwork(40, CONFIG, 12, 0);
    net.bootstrapAll(3, MINUTE);
    PeerId id = net.ids.get(5);
    Dht d = net.node(id);
    assertThat(d.stats().bootstrapRuns()).isEqualTo(1);
    long first = d.stats().refreshLookups();
    assertThat(first).isPositive();
    long refreshDone =
        net.events(id).stream()
            .filter(r -> r.event() instanceof DhtEvent.QueryDone q && q.kind() == QueryKind.REFRESH)
            .count();
    assertThat(refreshDone).isEqualTo(first);
    // Within the interval nothing more; after it, a second run refreshes the buckets again.
    net.runUntil(net.now() + 5 * HOUR);
    assertThat(d.stats().bootstrapRuns()).isEqualTo(1);
    net.runUntil(net.now() + 2 * HOUR);
    assertThat(d.stats().bootstrapRuns()).isEqualTo(2);
    assertThat(d.stats().refreshLookups()).isGreaterThan(first);
    assertThat(d.routingTableSize()).isGreaterThanOrEqualTo(RoutingTable.K);
  }

  @Test
  void pkRecord_putOnOneNode_getOnAnother_missingKeyFails() {
    DhtTestNetwork net = new DhtTestNetwork(40, CONFIG, 13, 0);
    net.bootstrapAll(3, MINUTE);
    PkRecordsTest.KeyPair pk = PkRecordsTest.rsaLike(net.random());
    byte[] key = PkRecords.key(pk.id());
    PeerId writer = net.ids.get(2);
    DhtEvent.QueryDone put =
        net.await(writer, net.command(writer, d -> d.putValue(key, pk.value(), net.now())), MINUTE);
    assertThat(put.peers()).hasSize(RoutingTable.K);
    PeerId reader = net.ids.get(3);
    DhtEvent.QueryDone got =
        net.await(reader, net.command(reader, d -> d.getValue(key, net.now())), MINUTE);
    assertThat(got.record().orElseThrow().value()).isEqualTo(pk.value());
    byte[] missing = PkRecords.key(PkRecordsTest.rsaLike(net.random()).id());
    DhtEvent.QueryDone none =
        net.await(reader, net.command(reader, d -> d.getValue(missing, net.now())), MINUTE);
    assertThat(none.stats().success()).isFalse();
    assertThat(none.record()).isEmpty();
  }

  @Test
  void deadAndClientNodes_lookupsRouteAroundThem() {
    DhtTestNetwork net = new DhtTestNetwork(60, CONFIG, 14, 0);
    for (int i = 50; i < 60; i++) {
      net.setClient(net.ids.get(i));
    }
    net.bootstrapAll(3, MINUTE);
    for (int i = 50; i < 60; i++) {
      assertThat(net.node(net.ids.get(i)).stats().requestsIn(KadMessageType.FIND_NODE)).isZero();
    }
    for (int i = 0; i < 50; i++) {
      Dht d = net.node(net.ids.get(i));
      assertThat(d.routingTablePeers())
          .extracting(KadPeer::id)
          .doesNotContainAnyElementsOf(net.ids.subList(50, 60));
    }
    for (int i = 40; i < 50; i++) {
      net.setDown(net.ids.get(i), true);
    }
    PeerId from = net.ids.get(0);
    PeerId target = net.ids.get(20);
    DhtEvent.QueryDone done =
        net.await(from, net.command(from, d -> d.findClosest(target.toBytes(), net.now())), MINUTE);
    assertThat(done.stats().success()).isTrue();
    assertThat(done.peers())
        .extracting(KadPeer::id)
        .doesNotContainAnyElementsOf(net.ids.subList(40, 60));
  }
}
