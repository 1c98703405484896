package org.grapevine.libp2p.kad;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.grapevine.libp2p.kad.KadServer.Refusal;
import org.grapevine.libp2p.multiaddr.Multiaddr;
import org.grapevine.libp2p.peer.PeerId;
import org.junit.jupiter.api.Test;

/**
 * One {@link Dht} driven by hand: the test plays every other peer, so that each rule of the header
 * (whom the table takes, checks, failures, timeouts, bounds, rate limits, records) is seen request
 * by request.
 */
class DhtTest {
  private static final long SECOND = 1_000_000_000L;

  private final SplittableRandom random = new SplittableRandom(3);
  private final PeerId self = KadTestPeers.random(random);
  private final Multiaddr addr = KadCodecTest.addr("/ip4/10.0.0.1/tcp/4001");
  private long now = SECOND;

  /** A CID's multihash: sha2-256 (0x12), 32 bytes. */
  static byte[] cidKey(RandomGenerator random) {
    byte[] mh = new byte[34];
    random.nextBytes(mh);
    mh[0] = 0x12;
    mh[1] = 32;
    return mh;
  }

  private Dht dht(DhtConfig config) {
    return new Dht(self, config, new SplittableRandom(9), now);
  }

  private List<KadPeer> peers(int n) {
    List<KadPeer> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(new KadPeer(KadTestPeers.random(random), List.of(addr)));
    }
    return out;
  }

  private static List<DhtRequest> requests(Dht d) {
    List<DhtRequest> out = new ArrayList<>();
    d.pollRequest().ifPresent(out::add);
    for (var r = d.pollRequest(); r.isPresent(); r = d.pollRequest()) {
      out.add(r.get());
    }
    return out;
  }

  private static List<DhtEvent> events(Dht d) {
    List<DhtEvent> out = new ArrayList<>();
    for (var e = d.pollEvent(); e.isPresent(); e = d.pollEvent()) {
      out.add(e.get());
    }
    return out;
  }

  private static DhtEvent.QueryDone done(List<DhtEvent> events, long query) {
    return events.stream()
        .filter(e -> e instanceof DhtEvent.QueryDone d && d.query() == query)
        .map(DhtEvent.QueryDone.class::cast)
        .findFirst()
        .orElseThrow();
  }

  private static KadMessage answer(KadMessageType type, byte[] key, List<KadPeerInfo> providers) {
    return new KadMessage(type, key, null, List.of(), providers);
  }

  // ---------------------------------------------------------------- routing table

  @Test
  void handlePeerIdentified_onlyServersEnterAndAClientLeaves() {
    Dht d = dht(DhtConfig.DEFAULT);
    PeerId client = KadTestPeers.random(random);
    PeerId server = KadTestPeers.random(random);
    d.handlePeerIdentified(client, List.of(addr), false, now);
    d.handlePeerIdentified(server, List.of(addr), true, now);
    assertThat(d.routingTablePeers()).extracting(KadPeer::id).containsExactly(server);
    assertThat(events(d))
        .containsExactly(new DhtEvent.RoutingUpdated(new KadPeer(server, List.of(addr)), true));
    d.handlePeerIdentified(server, List.of(addr), false, now);
    assertThat(d.routingTableSize()).isZero();
    assertThat(d.stats().peersRemovedNotServer()).isEqualTo(1);
  }

  @Test
  void fullBucket_checkAnswered_newcomerDropped_checkFailed_newcomerIn() {
    Dht d = dht(DhtConfig.DEFAULT);
    List<KadPeer> bucket0 = new ArrayList<>();
    for (int i = 0; i < RoutingTable.K; i++) {
      bucket0.add(new KadPeer(KadTestPeers.withCpl(self, 0, random), List.of(addr)));
    }
    d.handleSeed(bucket0, now);
    assertThat(requests(d)).isEmpty();
    KadPeer newcomer = new KadPeer(KadTestPeers.withCpl(self, 0, random), List.of(addr));
    d.handlePeerIdentified(newcomer.id(), newcomer.addrs(), true, now);
    DhtRequest ping = requests(d).get(0);
    assertThat(ping.message().type()).isEqualTo(KadMessageType.PING);
    assertThat(ping.to()).isEqualTo(bucket0.get(0));
    d.handleResponse(ping.id(), KadMessage.request(KadMessageType.PING, new byte[0]), now);
    assertThat(d.routingTablePeers()).extracting(KadPeer::id).doesNotContain(newcomer.id());

    // The least recently seen is now bucket0[1]; it fails its check and the newcomer takes its
    // place.
    d.handlePeerIdentified(newcomer.id(), newcomer.addrs(), true, now);
    DhtRequest ping2 = requests(d).get(0);
    assertThat(ping2.to()).isEqualTo(bucket0.get(1));
    events(d);
    now += SECOND;
    d.handleFailure(ping2.id(), "reset", now);
    assertThat(d.routingTablePeers())
        .extracting(KadPeer::id)
        .contains(newcomer.id())
        .doesNotContain(bucket0.get(1).id());
    assertThat(events(d))
        .containsExactly(
            new DhtEvent.RoutingUpdated(newcomer, true),
            new DhtEvent.RoutingUpdated(bucket0.get(1), false));
    assertThat(d.stats().checksSent()).isEqualTo(2);
    assertThat(d.stats().checksFailed()).isEqualTo(1);
  }

  @Test
  void fullBucket_checkUnanswered_timesOutAndEvicts() {
    Dht d = dht(DhtConfig.DEFAULT);
    List<KadPeer> bucket0 = new ArrayList<>();
    for (int i = 0; i < RoutingTable.K; i++) {
      bucket0.add(new KadPeer(KadTestPeers.withCpl(self, 0, random), List.of(addr)));
    }
    d.handleSeed(bucket0, now);
    KadPeer newcomer = new KadPeer(KadTestPeers.withCpl(self, 0, random), List.of(addr));
    d.handlePeerIdentified(newcomer.id(), newcomer.addrs(), true, now);
    DhtRequest ping = requests(d).get(0);
    long deadline = d.pollTimeout().orElseThrow();
    assertThat(deadline).isEqualTo(now + DhtConfig.DEFAULT.checkTimeoutNanos());
    d.handleTimeout(deadline);
    assertThat(d.routingTablePeers())
        .extracting(KadPeer::id)
        .contains(newcomer.id())
        .doesNotContain(ping.to().id());
    assertThat(d.stats().timeouts()).isEqualTo(1);
    d.handleResponse(ping.id(), KadMessage.request(KadMessageType.PING, new byte[0]), deadline + 1);
    assertThat(d.stats().lateReports()).isEqualTo(1);
  }

  // ---------------------------------------------------------------- failures and timeouts

  @Test
  void lookup_failureAndTimeouts_peersRemovedQueryEndsLateAnswersCounted() {
    Dht d = dht(DhtConfig.DEFAULT);
    List<KadPeer> seeds = peers(3);
    d.handleSeed(seeds, now);
    events(d);
    long q = d.findClosest(cidKey(random), now);
    List<DhtRequest> sent = requests(d);
    assertThat(sent)
        .hasSize(3)
        .allSatisfy(r -> assertThat(r.message().type()).isEqualTo(KadMessageType.FIND_NODE));
    d.handleFailure(sent.get(0).id(), "dial failed", now);
    assertThat(d.routingTableSize()).isEqualTo(2);
    // A wrong answer type counts as a failure of that peer.
    d.handleResponse(sent.get(1).id(), KadMessage.request(KadMessageType.PING, new byte[0]), now);
    assertThat(d.stats().badResponses()).isEqualTo(1);
    long deadline = d.pollTimeout().orElseThrow();
    assertThat(deadline).isEqualTo(now + LookupConfig.REQUEST_TIMEOUT_NANOS);
    d.handleTimeout(deadline);
    List<DhtEvent> ev = events(d);
    DhtEvent.QueryDone done = done(ev, q);
    assertThat(done.stats().success()).isFalse();
    assertThat(done.stats().failures()).isEqualTo(3);
    assertThat(d.routingTableSize()).isZero();
    assertThat(d.stats().peersRemovedForFailure()).isEqualTo(3);
    assertThat(d.stats().timeouts()).isEqualTo(1);
    assertThat(ev).filteredOn(e -> e instanceof DhtEvent.RoutingUpdated u && !u.added()).hasSize(3);
    d.handleResponse(
        sent.get(2).id(), answer(KadMessageType.FIND_NODE, new byte[] {1}, List.of()), deadline);
    assertThat(d.stats().lateReports()).isEqualTo(1);
    assertThat(d.pendingRequests()).isZero();
  }

  @Test
  void query_pastQueryTimeout_endsWithWhatItHas() {
    DhtConfig c = DhtConfig.builder().queryTimeoutNanos(5 * SECOND).build();
    Dht d = dht(c);
    d.handleSeed(peers(3), now);
    long q = d.findProviders(cidKey(random), 5, now);
    requests(d);
    d.handleTimeout(now + 5 * SECOND);
    DhtEvent.QueryDone done = done(events(d), q);
    assertThat(done.stats().success()).isFalse();
    assertThat(done.stats().durationNanos()).isEqualTo(5 * SECOND);
    assertThat(d.stats().queriesTimedOut()).isEqualTo(1);
  }

  // ---------------------------------------------------------------- providers

  @Test
  void findProviders_providersDedupedNeverSelfBoundedPerAnswerAndStopAtWanted() {
    Dht d = dht(DhtConfig.DEFAULT);
    List<KadPeer> seeds = peers(3);
    d.handleSeed(seeds, now);
    byte[] key = cidKey(random);
    long q = d.findProviders(key, 25, now);
    List<DhtRequest> sent = requests(d);
    assertThat(sent)
        .allSatisfy(r -> assertThat(r.message().type()).isEqualTo(KadMessageType.GET_PROVIDERS));
    // A peer lists 64 providers (us among them, one twice): k read, the rest counted.
    List<KadPeerInfo> listed = new ArrayList<>();
    listed.add(KadPeerInfo.of(self, List.of(addr)));
    List<KadPeer> many = peers(KadCodec.MAX_PEERS - 2);
    listed.add(KadPeerInfo.of(many.get(0).id(), List.of(addr)));
    many.forEach(p -> listed.add(KadPeerInfo.of(p.id(), p.addrs())));
    d.handleResponse(sent.get(0).id(), answer(KadMessageType.GET_PROVIDERS, key, listed), now);
    List<DhtEvent> ev = events(d);
    assertThat(ev).filteredOn(e -> e instanceof DhtEvent.ProviderFound).hasSize(RoutingTable.K - 2);
    assertThat(d.stats().providerPeersDropped()).isEqualTo(KadCodec.MAX_PEERS - RoutingTable.K + 1);
    // Another answer brings the 25th: the query ends at once, the last request abandoned.
    d.handleResponse(
        sent.get(1).id(),
        answer(
            KadMessageType.GET_PROVIDERS,
            key,
            many.subList(20, 30).stream().map(p -> KadPeerInfo.of(p.id(), p.addrs())).toList()),
        now);
    DhtEvent.QueryDone done = done(events(d), q);
    assertThat(done.providers()).hasSize(25).doesNotHaveDuplicates();
    assertThat(done.providers()).extracting(KadPeer::id).doesNotContain(self);
    assertThat(done.stats().success()).isTrue();
    d.handleResponse(sent.get(2).id(), answer(KadMessageType.GET_PROVIDERS, key, List.of()), now);
    assertThat(d.stats().lateReports()).isEqualTo(1);
  }

  @Test
  void startProviding_lookupThenAddProviderToClosestWithOwnAddrs_orCountedWithout() {
    Dht d = dht(DhtConfig.DEFAULT);
    List<KadPeer> seeds = peers(2);
    d.handleSeed(seeds, now);
    byte[] key = cidKey(random);
    long q = d.startProviding(key, now);
    List<DhtRequest> lookup = requests(d);
    assertThat(lookup).hasSize(2);
    for (DhtRequest r : lookup) {
      d.handleResponse(r.id(), answer(KadMessageType.FIND_NODE, key, List.of()), now);
    }
    List<DhtRequest> adds = requests(d);
    assertThat(adds)
        .hasSize(2)
        .allSatisfy(
            r -> {
              assertThat(r.message().type()).isEqualTo(KadMessageType.ADD_PROVIDER);
              assertThat(r.expectsResponse()).isFalse();
              assertThat(r.message().providerPeers())
                  .containsExactly(KadPeerInfo.of(self, List.of()));
            });
    assertThat(d.stats().providesWithoutAddrs()).isEqualTo(1);
    d.handleResponse(adds.get(0).id(), null, now);
    d.handleFailure(adds.get(1).id(), "reset", now);
    DhtEvent.QueryDone done = done(events(d), q);
    assertThat(done.peers()).containsExactly(adds.get(0).to());
    assertThat(done.stats().requests()).isEqualTo(4);
    // We serve our own record: a GET_PROVIDERS from anyone lists us.
    d.handleOwnAddrs(List.of(addr));
    KadMessage m =
        d.handleRequest(
                seeds.get(0).id(), KadMessage.request(KadMessageType.GET_PROVIDERS, key), now)
            .response()
            .orElseThrow();
    assertThat(m.providerPeers()).extracting(KadPeerInfo::id).containsExactly(self);
  }

  @Test
  void reannounce_afterOwnAddrsChange_addProviderCarriesTheNewAddrs() throws Exception {
    Dht d = dht(DhtConfig.DEFAULT);
    d.handleSeed(peers(1), now);
    byte[] key = cidKey(random);
    Multiaddr before = Multiaddr.parse("/ip4/10.0.0.1/tcp/4001");
    Multiaddr circuit =
        Multiaddr.parse("/ip4/11.0.0.2/tcp/4001/p2p/" + peers(1).get(0).id() + "/p2p-circuit");
    d.handleOwnAddrs(List.of(before));
    d.startProviding(key, now);
    for (DhtRequest r : requests(d)) {
      d.handleResponse(r.id(), answer(KadMessageType.FIND_NODE, key, List.of()), now);
    }
    assertThat(requests(d))
        .singleElement()
        .satisfies(
            r -> assertThat(r.message().providerPeers().get(0).addrs()).containsExactly(before));
    events(d);

    d.handleOwnAddrs(List.of(before, circuit));
    d.reannounce(now + 1);
    List<DhtRequest> lookup = requests(d);
    assertThat(lookup).as("the announcement walks again").isNotEmpty();
    for (DhtRequest r : lookup) {
      d.handleResponse(r.id(), answer(KadMessageType.FIND_NODE, key, List.of()), now + 1);
    }
    assertThat(requests(d))
        .singleElement()
        .satisfies(
            r ->
                assertThat(r.message().providerPeers().get(0).addrs())
                    .containsExactly(before, circuit));
    assertThat(d.stats().republishes()).isEqualTo(1);
  }

  @Test
  void startProviding_beyondMaxProvidedKeys_refusedAndCounted() {
    Dht d = dht(DhtConfig.builder().maxProvidedKeys(2).build());
    d.startProviding(cidKey(random), now);
    d.startProviding(cidKey(random), now);
    long q = d.startProviding(cidKey(random), now);
    assertThat(done(events(d), q).stats().success()).isFalse();
    assertThat(d.stats().providesRefused()).isEqualTo(1);
    assertThat(d.providedKeys()).isEqualTo(2);
    assertThatThrownBy(() -> d.startProviding(new byte[] {1, 2, 3}, now))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void peerAnnouncingThousandsOfKeys_boundedPerProviderAndCounted() {
    DhtConfig c = DhtConfig.builder().maxKeysPerProvider(100).requestBurst(10_000).build();
    Dht d = dht(c);
    PeerId flood = KadTestPeers.random(random);
    for (int i = 0; i < 5_000; i++) {
      KadMessage add =
          new KadMessage(
              KadMessageType.ADD_PROVIDER,
              cidKey(random),
              null,
              List.of(),
              List.of(KadPeerInfo.of(flood, List.of(addr))));
      assertThat(d.handleRequest(flood, add, now).refusal()).isEmpty();
    }
    assertThat(d.stats().providerRecords()).isEqualTo(100);
    assertThat(d.stats().refused(Refusal.PROVIDER_FULL)).isEqualTo(4_900);
    // One announcement listing others than its sender: those are forgeries, dropped and counted.
    List<KadPeerInfo> forged =
        peers(50).stream().map(p -> KadPeerInfo.of(p.id(), p.addrs())).toList();
    d.handleRequest(
        flood,
        new KadMessage(KadMessageType.ADD_PROVIDER, cidKey(random), null, List.of(), forged),
        now);
    assertThat(d.stats().refused(Refusal.FORGED_PROVIDER)).isEqualTo(50);
    assertThat(d.stats().requestsIn(KadMessageType.ADD_PROVIDER)).isEqualTo(5_001);
  }

  // ---------------------------------------------------------------- serving

  @Test
  void handleRequest_beyondBurst_rateLimitedUntilRefilled() {
    Dht d = dht(DhtConfig.builder().requestsPerSecond(20).requestBurst(40).build());
    PeerId greedy = KadTestPeers.random(random);
    PeerId other = KadTestPeers.random(random);
    KadMessage ping = KadMessage.request(KadMessageType.PING, new byte[0]);
    for (int i = 0; i < 40; i++) {
      assertThat(d.handleRequest(greedy, ping, now).response()).isPresent();
    }
    assertThat(d.handleRequest(greedy, ping, now).refusal()).contains(Refusal.RATE_LIMITED);
    assertThat(d.handleRequest(other, ping, now).response()).isPresent();
    now += SECOND / 2; // ten tokens back
    int served = 0;
    for (int i = 0; i < 15; i++) {
      if (d.handleRequest(greedy, ping, now).refusal().isEmpty()) {
        served++;
      }
    }
    assertThat(served).isEqualTo(10);
    assertThat(d.stats().refused(Refusal.RATE_LIMITED)).isEqualTo(6);
    assertThat(Refusal.RATE_LIMITED.senderAtFault()).isFalse();
  }

  // ---------------------------------------------------------------- values

  @Test
  void getValue_invalidRecordIgnoredValidOneKept_otherNamespacesRefused() {
    Dht d = dht(DhtConfig.DEFAULT);
    d.handleSeed(peers(3), now);
    PkRecordsTest.KeyPair pk = PkRecordsTest.rsaLike(random);
    PkRecordsTest.KeyPair other = PkRecordsTest.rsaLike(random);
    byte[] key = PkRecords.key(pk.id());
    long q = d.getValue(key, now);
    List<DhtRequest> sent = requests(d);
    assertThat(sent)
        .hasSize(3)
        .allSatisfy(r -> assertThat(r.message().type()).isEqualTo(KadMessageType.GET_VALUE));
    KadRecord forged = new KadRecord(key, other.value(), "");
    d.handleResponse(
        sent.get(0).id(),
        new KadMessage(KadMessageType.GET_VALUE, key, forged, List.of(), List.of()),
        now);
    assertThat(d.stats().invalidRecordsReceived()).isEqualTo(1);
    assertThat(d.queries()).isEqualTo(1);
    KadRecord good = new KadRecord(key, pk.value(), "2026-12-02T00:00:00Z");
    d.handleResponse(
        sent.get(1).id(),
        new KadMessage(KadMessageType.GET_VALUE, key, good, List.of(), List.of()),
        now);
    DhtEvent.QueryDone done = done(events(d), q);
    assertThat(done.record().orElseThrow().value()).isEqualTo(pk.value());
    assertThat(done.stats().success()).isTrue();

    long ipns = d.getValue("/ipns/x".getBytes(StandardCharsets.UTF_8), now);
    assertThat(done(events(d), ipns).stats().success()).isFalse();
    assertThat(d.stats().valueKeysRefused()).isEqualTo(1);
    assertThatThrownBy(() -> d.putValue(key, other.value(), now))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void queries_beyondConcurrencyQueuedBeyondQueueRefused() {
    Dht d = dht(DhtConfig.builder().maxConcurrentQueries(2).maxQueuedQueries(3).build());
    d.handleSeed(peers(3), now);
    List<Long> ids = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      ids.add(d.findClosest(cidKey(random), now));
    }
    assertThat(d.queries()).isEqualTo(5);
    assertThat(d.queuedQueries()).isEqualTo(3);
    assertThat(done(events(d), ids.get(5)).stats().success()).isFalse();
    assertThat(d.stats().queriesRefused()).isEqualTo(1);
    assertThatThrownBy(() -> d.findProviders(cidKey(random), 0, now))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> d.findClosest(new byte[0], now))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
