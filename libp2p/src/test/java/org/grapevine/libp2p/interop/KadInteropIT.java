package org.grapevine.libp2p.interop;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBufAllocator;
import io.netty.util.concurrent.DefaultEventExecutor;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.grapevine.libp2p.crypto.PrivKey;
import org.grapevine.libp2p.host.Host;
import org.grapevine.libp2p.host.HostConfig;
import org.grapevine.libp2p.interop.JsPeer.Line;
import org.grapevine.libp2p.kad.Dht;
import org.grapevine.libp2p.kad.DhtConfig;
import org.grapevine.libp2p.kad.KadKey;
import org.grapevine.libp2p.kad.KadMessage;
import org.grapevine.libp2p.kad.KadMessageType;
import org.grapevine.libp2p.kad.KadPeer;
import org.grapevine.libp2p.kad.KadPeerInfo;
import org.grapevine.libp2p.kad.KadRecord;
import org.grapevine.libp2p.kad.RawCid;
import org.grapevine.libp2p.kad.netty.DhtDriver;
import org.grapevine.libp2p.kad.netty.KadClient;
import org.grapevine.libp2p.kad.netty.KadInboundCounter;
import org.grapevine.libp2p.kad.netty.KadInboundHandler;
import org.grapevine.libp2p.kad.netty.KadStreamConfig;
import org.grapevine.libp2p.kad.netty.KadTestServer;
import org.grapevine.libp2p.multiaddr.Multiaddr;
import org.grapevine.libp2p.peer.PeerId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The Kademlia DHT ({@code /ipfs/kad/1.0.0}) between our adapter and real js-libp2p nodes running
 * {@code @libp2p/kad-dht} (15.x on libp2p 2.x, 16.x on 3.x) in server mode, on 127.0.0.1. Our side
 * is {@link KadClient} and {@link KadInboundHandler} over a {@link KadServer} ({@link
 * KadTestServer}: the node's {@code Dht} takes its place later). Two of our hosts, "we" and
 * "other", connect to the js node so that its routing table holds both and its answers name a peer
 * we can check.
 *
 * <p>The last test runs our whole {@link Dht} ({@link DhtDriver}) against js: a lookup of a js
 * provider, and our announcement found by js.
 */
@Timeout(120)
class KadInteropIT {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final Duration REQUEST = Duration.ofSeconds(10);

  private final List<Host> hosts = new ArrayList<>();
  private final KadClient client =
      new KadClient(KadStreamConfig.defaults(), ByteBufAllocator.DEFAULT);
  private JsPeer js;
  private Host we;
  private KadTestServer ourDht;
  private KadInboundHandler ourInbound;
  private Host other;
  private KadTestServer otherDht;

  @AfterEach
  void close() {
    if (js != null) {
      js.close();
    }
    hosts.forEach(Host::close);
  }

  private Host host() throws Exception {
    Host h =
        new Host(
            HostConfig.builder(PrivKey.generate(RANDOM))
                .listen("/ip4/127.0.0.1/tcp/0")
                .inboundRate(1000, 1000)
                .build());
    hosts.add(h);
    h.start();
    return h;
  }

  /** js listening with its DHT; both our hosts connected and in js's routing table. */
  private void start(Line line) throws Exception {
    JsInterop.assumeAvailable(line);
    js = JsPeer.listen(line, "--dht", "--timeout", "110");
    js.awaitEvent("dht-ready", WAIT);
    we = host();
    ourDht = new KadTestServer(we.peerId());
    ourInbound =
        new KadInboundHandler(KadStreamConfig.defaults(), ourDht, null, ByteBufAllocator.DEFAULT);
    ourInbound.register(we);
    other = host();
    otherDht = new KadTestServer(other.peerId());
    new KadInboundHandler(KadStreamConfig.defaults(), otherDht, null, ByteBufAllocator.DEFAULT)
        .register(other);
    for (Host h : List.of(we, other)) {
      h.dial(Multiaddr.parse(js.dialAddr())).get(30, TimeUnit.SECONDS);
      String id = h.peerId().toBase58();
      js.awaitEvent("dht-peer-added", e -> e.string("peer").equals(id), WAIT);
    }
  }

  private KadPeer jsPeer() {
    return new KadPeer(PeerId.parse(js.peerId()), List.of());
  }

  private KadMessage ask(KadMessage request) throws Exception {
    return client.request(we, jsPeer(), request, true, REQUEST).get(20, TimeUnit.SECONDS);
  }

  private static byte[] multihash() {
    byte[] mh = new byte[34];
    RANDOM.nextBytes(mh);
    mh[0] = 0x12; // sha2-256
    mh[1] = 32;
    return mh;
  }

  private static byte[] pkKey(PeerId peer) {
    byte[] mh = peer.toBytes();
    byte[] key = new byte[4 + mh.length];
    System.arraycopy("/pk/".getBytes(java.nio.charset.StandardCharsets.US_ASCII), 0, key, 0, 4);
    System.arraycopy(mh, 0, key, 4, mh.length);
    return key;
  }

  /** The PublicKey protobuf inside an Ed25519 peer ID (identity multihash: 0x00, 36, protobuf). */
  private static byte[] publicKeyProtobuf(PeerId peer) {
    byte[] mh = peer.toBytes();
    assertThat(mh[0]).as("identity multihash").isZero();
    return Arrays.copyOfRange(mh, 2, mh.length);
  }

  private static List<String> peers(JsEvent e, String field) {
    return e.objects(field).stream().map(o -> (String) o.get("peer")).toList();
  }

  private static JsEvent ok(JsEvent result) {
    assertThat(result.bool("ok")).as(result.line()).isTrue();
    return result;
  }

  private List<Map<String, Object>> responsesFromUs(JsEvent result, String type) {
    String us = we.peerId().toBase58();
    return result.objects("responses").stream()
        .filter(r -> us.equals(r.get("peer")) && type.equals(r.get("type")))
        .toList();
  }

  @ParameterizedTest
  @EnumSource(Line.class)
  void jsFindNode_ourAdapterAnswersWithOurTable(Line line) throws Exception {
    start(line);
    for (int i = 0; i < 3; i++) {
      PeerId p = PeerId.fromPubKey(PrivKey.generate(RANDOM).publicKey());
      // Port 1 on loopback is closed: js's dials to these fail at once.
      ourDht.addPeer(new KadPeer(p, List.of(Multiaddr.parse("/ip4/127.0.0.1/tcp/1"))));
    }

    // A target outside our table: an exact match would be answered with that one peer alone.
    PeerId target = PeerId.fromPubKey(PrivKey.generate(RANDOM).publicKey());
    JsEvent result = ok(js.dht(WAIT, "closest", target.toBase58()));

    assertThat(responsesFromUs(result, "FIND_NODE"))
        .as("js's FIND_NODE to us and our answer: " + result.line())
        .isNotEmpty()
        .allSatisfy(
            r -> assertThat(((Number) r.get("closer")).intValue()).isGreaterThanOrEqualTo(3));
    assertThat(ourDht.seen(KadMessageType.FIND_NODE)).isPositive();
    assertThat(ourInbound.count(KadInboundCounter.MALFORMED)).isZero();
  }

  @ParameterizedTest
  @EnumSource(Line.class)
  void jsFindProviders_ourAdapterAnswersWithOurRecord(Line line) throws Exception {
    start(line);
    byte[] key = multihash();
    PeerId provider = PeerId.fromPubKey(PrivKey.generate(RANDOM).publicKey());
    ourDht.addProvider(
        key, new KadPeer(provider, List.of(Multiaddr.parse("/ip4/127.0.0.1/tcp/1"))));

    JsEvent result = ok(js.dht(WAIT, "find-providers", RawCid.text(key), "1"));

    assertThat(result.objects("providers"))
        .anySatisfy(
            p -> {
              assertThat(p.get("peer")).isEqualTo(provider.toBase58());
              assertThat(p.get("from")).isEqualTo(we.peerId().toBase58());
              assertThat(((List<?>) p.get("addrs")).stream().map(String::valueOf))
                  .contains("/ip4/127.0.0.1/tcp/1");
            });
    assertThat(ourDht.seen(KadMessageType.GET_PROVIDERS)).isPositive();
  }

  @ParameterizedTest
  @EnumSource(Line.class)
  void ourFindNode_jsAnswersWithTheOtherPeerItKnows(Line line) throws Exception {
    start(line);

    KadMessage answer = ask(KadMessage.request(KadMessageType.FIND_NODE, other.peerId().toBytes()));

    assertThat(answer.type()).isEqualTo(KadMessageType.FIND_NODE);
    assertThat(answer.closerPeers())
        .extracting(KadPeerInfo::id)
        .as("js answers with the peer it knows, never with us (the asker)")
        .contains(other.peerId())
        .doesNotContain(we.peerId());
    KadPeerInfo found =
        answer.closerPeers().stream().filter(p -> p.id().equals(other.peerId())).findFirst().get();
    assertThat(found.addrs()).contains(other.listenAddrs().get(0));
  }

  /**
   * A second js node provides; our GET_PROVIDERS to the first js node lists it. (A js node never
   * lists itself as a provider: it keeps no addresses of its own in its peer store and drops
   * providers without addresses from answers; hence the second node.)
   */
  @ParameterizedTest
  @EnumSource(Line.class)
  void jsProvides_weSeeItThroughGetProvidersAndItsAddProviderReachedUs(Line line) throws Exception {
    start(line);
    // js walks only towards peers closer to the key than the one that named them (Kademlia's
    // rule): take a key closer to both our hosts than to js, so that the provider's lookup, which
    // starts at js, goes on to us.
    KadKey jsKey = KadKey.of(PeerId.parse(js.peerId()));
    byte[] key;
    do {
      key = multihash();
    } while (KadKey.of(key).compareDistance(KadKey.of(we.peerId()), jsKey) >= 0
        || KadKey.of(key).compareDistance(KadKey.of(other.peerId()), jsKey) >= 0);
    try (JsPeer provider =
        JsPeer.dial(line, js.dialAddr(), "--dht", "--stay", "--timeout", "110")) {
      String providerId = provider.peerId();
      js.awaitEvent("dht-peer-added", e -> e.string("peer").equals(providerId), WAIT);
      provider.awaitEvent("dht-peer-added", e -> e.string("peer").equals(js.peerId()), WAIT);

      JsEvent provided = ok(provider.dht(WAIT, "provide", RawCid.text(key)));
      KadMessage answer = ask(KadMessage.request(KadMessageType.GET_PROVIDERS, key));

      assertThat(answer.providerPeers())
          .as(provided.line())
          .anySatisfy(
              p -> {
                assertThat(p.id()).isEqualTo(PeerId.parse(providerId));
                assertThat(p.addrs())
                    .contains(Multiaddr.parse(provider.dialAddr()).withoutPeerId());
              });
      // Its lookup found our hosts through js's answers, and its ADD_PROVIDER came through our
      // inbound adapter into our stores.
      assertThat(ourDht.providers(key))
          .as(provided.line())
          .extracting(KadPeer::id)
          .containsExactly(PeerId.parse(providerId));
      assertThat(otherDht.providers(key))
          .extracting(KadPeer::id)
          .containsExactly(PeerId.parse(providerId));
    }
  }

  @ParameterizedTest
  @EnumSource(Line.class)
  void ourAddProvider_jsFindProvidersSeesOurRecord(Line line) throws Exception {
    start(line);
    byte[] key = multihash();
    KadMessage add =
        new KadMessage(
            KadMessageType.ADD_PROVIDER,
            key,
            null,
            List.of(),
            List.of(KadPeerInfo.of(we.peerId(), we.listenAddrs())));

    assertThat(client.request(we, jsPeer(), add, false, REQUEST).get(20, TimeUnit.SECONDS))
        .isNull();

    // js stores the record asynchronously, on the stream's own task: ask until it shows (each
    // answer is complete; only the order of two independent js tasks is unknown).
    JsEvent result = null;
    for (int i = 0; i < 20; i++) {
      result = ok(js.dht(WAIT, "find-providers", RawCid.text(key), "1"));
      if (peers(result, "providers").contains(we.peerId().toBase58())) {
        break;
      }
    }
    assertThat(peers(result, "providers")).as(result.line()).contains(we.peerId().toBase58());
  }

  @ParameterizedTest
  @EnumSource(Line.class)
  void pkRecords_ourGetValueAndPutValueAgainstJs(Line line) throws Exception {
    start(line);

    // GET_VALUE /pk/<other>: js answers with the public key it holds for that peer.
    byte[] otherKey = pkKey(other.peerId());
    KadMessage got = ask(KadMessage.request(KadMessageType.GET_VALUE, otherKey));
    assertThat(got.optionalRecord()).isPresent();
    assertThat(got.record().key()).isEqualTo(otherKey);
    assertThat(got.record().value()).isEqualTo(publicKeyProtobuf(other.peerId()));

    // PUT_VALUE /pk/<us>: js validates and stores it, echoes the request, and serves it back.
    byte[] ourKey = pkKey(we.peerId());
    byte[] ourPk = publicKeyProtobuf(we.peerId());
    KadMessage put =
        new KadMessage(
            KadMessageType.PUT_VALUE,
            ourKey,
            new KadRecord(ourKey, ourPk, ""),
            List.of(),
            List.of());
    KadMessage echoed = ask(put);
    assertThat(echoed.type()).isEqualTo(KadMessageType.PUT_VALUE);
    assertThat(echoed.record().value()).isEqualTo(ourPk);
    JsEvent value = ok(js.dht(WAIT, "get", HexFormat.of().formatHex(ourKey)));
    assertThat(value.string("value")).isEqualTo(HexFormat.of().formatHex(ourPk));
  }

  @ParameterizedTest
  @EnumSource(Line.class)
  void jsPutValue_weValidateAndStoreIt_andServeItBack(Line line) throws Exception {
    start(line);
    PeerId jsId = PeerId.parse(js.peerId());
    byte[] key = pkKey(jsId);

    JsEvent result =
        js.dht(
            WAIT,
            "put",
            HexFormat.of().formatHex(key),
            HexFormat.of().formatHex(publicKeyProtobuf(jsId)));

    assertThat(ourDht.seen(KadMessageType.PUT_VALUE)).as(result.line()).isPositive();
    assertThat(ourInbound.count(KadInboundCounter.REFUSED)).isZero();
    assertThat(ourInbound.count(KadInboundCounter.MALFORMED)).isZero();
    KadMessage got =
        client
            .request(
                other,
                new KadPeer(we.peerId(), we.listenAddrs()),
                KadMessage.request(KadMessageType.GET_VALUE, key),
                true,
                REQUEST)
            .get(20, TimeUnit.SECONDS);
    assertThat(got.optionalRecord()).as("the record js stored on us").isPresent();
    assertThat(got.record().value()).isEqualTo(publicKeyProtobuf(jsId));
  }

  /** Our whole {@link Dht} (not one request) on a host of its own, seeded with js. */
  private DhtDriver ourLookups(Host host, DefaultEventExecutor loop) throws Exception {
    Dht dht = new Dht(host.peerId(), DhtConfig.DEFAULT, new SplittableRandom(3), DhtDriver.now());
    DhtDriver driver = new DhtDriver(host, dht, loop, KadStreamConfig.defaults(), false, REQUEST);
    driver.start();
    KadPeer seed =
        new KadPeer(
            PeerId.parse(js.peerId()), List.of(Multiaddr.parse(js.dialAddr()).withoutPeerId()));
    driver.input(d -> d.handleSeed(List.of(seed), DhtDriver.now()));
    return driver;
  }

  @ParameterizedTest
  @EnumSource(Line.class)
  void ourDht_findsAJsProvider_andJsFindsWhatOurDhtProvides(Line line) throws Exception {
    start(line);
    DefaultEventExecutor loop = new DefaultEventExecutor();
    try (JsPeer provider =
        JsPeer.dial(line, js.dialAddr(), "--dht", "--stay", "--timeout", "110")) {
      String providerId = provider.peerId();
      js.awaitEvent("dht-peer-added", e -> e.string("peer").equals(providerId), WAIT);
      provider.awaitEvent("dht-peer-added", e -> e.string("peer").equals(js.peerId()), WAIT);
      byte[] theirs = multihash();
      ok(provider.dht(WAIT, "provide", RawCid.text(theirs)));

      DhtDriver driver = ourLookups(host(), loop);
      DhtDriver.Outcome found =
          driver.query(d -> d.findProviders(theirs, 5, DhtDriver.now())).get(60, TimeUnit.SECONDS);
      assertThat(found.providers()).extracting(KadPeer::id).contains(PeerId.parse(providerId));

      byte[] ours = multihash();
      DhtDriver.Outcome provided =
          driver.query(d -> d.startProviding(ours, DhtDriver.now())).get(60, TimeUnit.SECONDS);
      assertThat(provided.done().stats().success()).as("a peer took our record").isTrue();
      JsEvent result = null;
      for (int i = 0; i < 20; i++) {
        result = ok(provider.dht(WAIT, "find-providers", RawCid.text(ours), "1"));
        if (!peers(result, "providers").isEmpty()) {
          break;
        }
      }
      assertThat(peers(result, "providers")).as(result.line()).isNotEmpty();
      driver.close();
    } finally {
      loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
    }
  }
}
