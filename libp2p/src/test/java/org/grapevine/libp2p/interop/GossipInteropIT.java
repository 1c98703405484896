package org.grapevine.libp2p.interop;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.grapevine.libp2p.crypto.PrivKey;
import org.grapevine.libp2p.gossipsub.Acceptance;
import org.grapevine.libp2p.gossipsub.GossipConfig;
import org.grapevine.libp2p.gossipsub.GossipErrorCode;
import org.grapevine.libp2p.gossipsub.GossipEvent;
import org.grapevine.libp2p.gossipsub.netty.GossipDriver;
import org.grapevine.libp2p.host.Host;
import org.grapevine.libp2p.host.HostConfig;
import org.grapevine.libp2p.interop.JsPeer.Line;
import org.grapevine.libp2p.multiaddr.Multiaddr;
import org.grapevine.libp2p.peer.PeerId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * GossipSub between our node and real js-libp2p nodes (2.x and 3.x) on 127.0.0.1: meshes form both
 * ways, messages flow both ways, our node relays between js nodes in both directions, a js message
 * with a bad signature is rejected by us and not forwarded, and with the same message-id function
 * (from || seqno, configured on the js side) copies deduplicate across implementations.
 */
class GossipInteropIT {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String TOPIC = "grapevine-interop";
  private final MultiThreadIoEventLoopGroup group =
      new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
  private Host host;
  private GossipDriver driver;
  private final BlockingQueue<GossipEvent.MessageReceived> inbox = new LinkedBlockingQueue<>();
  private final List<GossipEvent> events = new CopyOnWriteArrayList<>();

  @AfterEach
  void close() {
    if (driver != null) {
      driver.close();
    }
    if (host != null) {
      host.close();
    }
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
  }

  private void startOurs() throws Exception {
    host =
        new Host(
            HostConfig.builder(PrivKey.generate(new SecureRandom()))
                .listen("/ip4/127.0.0.1/tcp/0")
                .inboundRate(1000, 1000)
                .build(),
            group);
    host.start();
    driver =
        new GossipDriver(
            host,
            GossipConfig.builder().initialSeqno(System.currentTimeMillis() * 1_000_000L).build(),
            new SplittableRandom(),
            group.next());
    driver.setMessageHandler(
        (m, verdict) -> {
          inbox.add(m);
          verdict.accept(Acceptance.ACCEPT);
        });
    driver.addEventListener(events::add);
    driver.start();
    driver.subscribe(TOPIC).get(10, TimeUnit.SECONDS);
  }

  private static JsPeer jsListener(Line line, String... extra) {
    String[] base = {
      "--gossip", "--msgid", "from-seqno", "--subscribe", TOPIC, "--stay", "--timeout", "60"
    };
    String[] args = new String[base.length + extra.length];
    System.arraycopy(base, 0, args, 0, base.length);
    System.arraycopy(extra, 0, args, base.length, extra.length);
    return JsPeer.listen(line, args);
  }

  private void awaitOurMesh(String peer) throws Exception {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (driver.meshPeers(TOPIC).get(5, TimeUnit.SECONDS).stream()
        .noneMatch(p -> p.toBase58().equals(peer))) {
      assertThat(System.nanoTime()).as("our mesh never included " + peer).isLessThan(deadline);
      Thread.sleep(50);
    }
  }

  private static String text(GossipEvent.MessageReceived m) {
    return new String(m.data(), StandardCharsets.UTF_8);
  }

  @ParameterizedTest
  @EnumSource(Line.class)
  void oursAndJs_graftEachOtherAndExchangeMessagesWithTheSameIds(Line line) throws Exception {
    JsInterop.assumeAvailable(line);
    startOurs();
    try (JsPeer js =
        jsListener(line, "--publish", TOPIC + "=hello from js", "--await-messages", "1")) {
      host.dial(Multiaddr.parse(js.dialAddr())).get(30, TimeUnit.SECONDS);
      awaitOurMesh(js.peerId());
      JsEvent graft = js.awaitEvent("graft", WAIT);
      assertThat(graft.string("peer")).isEqualTo(host.peerId().toBase58());

      // js → ours: its publication arrives once, with its id equal to ours for the same message.
      GossipEvent.MessageReceived fromJs = inbox.poll(30, TimeUnit.SECONDS);
      assertThat(fromJs).isNotNull();
      assertThat(text(fromJs)).isEqualTo("hello from js");
      assertThat(fromJs.from().map(PeerId::toBase58)).contains(js.peerId());
      JsEvent published = js.awaitEvent("published", WAIT);
      assertThat(HexFormat.of().formatHex(fromJs.id().toBytes()))
          .isEqualTo(published.string("msgId"));

      // ours → js.
      GossipDriver.Published sent =
          driver
              .publish(TOPIC, "hello from java".getBytes(StandardCharsets.UTF_8))
              .get(10, TimeUnit.SECONDS);
      assertThat(sent.peers()).isEqualTo(1);
      JsEvent received = js.awaitEvent("message", WAIT);
      assertThat(received.string("data")).isEqualTo("hello from java");
      assertThat(received.string("from")).isEqualTo(host.peerId().toBase58());
      Thread.sleep(500);
      assertThat(inbox).as("no duplicate of js's message").isEmpty();
    }
  }

  @ParameterizedTest
  @EnumSource(Line.class)
  void lineJsOursJs_oursRelaysBothWays(Line line) throws Exception {
    JsInterop.assumeAvailable(line);
    startOurs();
    // a and b are connected only to us, and a publisher publishes as soon as it has one
    // subscriber (us): so we first mesh with the receiving side, then connect the publisher.
    try (JsPeer b = jsListener(line, "--await-messages", "1")) {
      host.dial(Multiaddr.parse(b.dialAddr())).get(30, TimeUnit.SECONDS);
      awaitOurMesh(b.peerId());
      try (JsPeer a = jsListener(line, "--publish", TOPIC + "=from a", "--await-messages", "1")) {
        host.dial(Multiaddr.parse(a.dialAddr())).get(30, TimeUnit.SECONDS);
        JsEvent atB = b.awaitEvent("message", WAIT);
        assertThat(atB.string("data")).isEqualTo("from a");
        assertThat(atB.string("from")).isEqualTo(a.peerId());
        assertThat(atB.string("via")).isEqualTo(host.peerId().toBase58());
        awaitOurMesh(a.peerId());
        // The other way: a new publisher on b's side of us; a receives through us.
        try (JsPeer c = jsListener(line, "--publish", TOPIC + "=from c")) {
          host.dial(Multiaddr.parse(c.dialAddr())).get(30, TimeUnit.SECONDS);
          JsEvent atA = a.awaitEvent("message", WAIT);
          assertThat(atA.string("data")).isEqualTo("from c");
          assertThat(atA.string("from")).isEqualTo(c.peerId());
          assertThat(atA.string("via")).isEqualTo(host.peerId().toBase58());
        }
        // Our application saw each exactly once.
        assertThat(
                List.of(
                    text(inbox.poll(30, TimeUnit.SECONDS)), text(inbox.poll(30, TimeUnit.SECONDS))))
            .containsExactlyInAnyOrder("from a", "from c");
      }
    }
  }

  @ParameterizedTest
  @EnumSource(Line.class)
  void badSignatureFromJs_rejectedByUsAndNotForwarded(Line line) throws Exception {
    JsInterop.assumeAvailable(line);
    startOurs();
    try (JsPeer forger =
            jsListener(
                line, "--publish-invalid", TOPIC + "=forged", "--publish", TOPIC + "=genuine");
        JsPeer watcher = jsListener(line)) {
      host.dial(Multiaddr.parse(watcher.dialAddr())).get(30, TimeUnit.SECONDS);
      awaitOurMesh(watcher.peerId());
      host.dial(Multiaddr.parse(forger.dialAddr())).get(30, TimeUnit.SECONDS);
      forger.awaitEvent("published-invalid", WAIT);
      // The genuine message after it arrives and is relayed; the forged one never is.
      GossipEvent.MessageReceived m = inbox.poll(30, TimeUnit.SECONDS);
      assertThat(m).isNotNull();
      assertThat(text(m)).isEqualTo("genuine");
      assertThat(watcher.awaitEvent("message", WAIT).string("data")).isEqualTo("genuine");
      Thread.sleep(1000);
      assertThat(inbox).isEmpty();
      assertThat(watcher.events())
          .noneMatch(e -> e.name().equals("message") && "forged".equals(e.string("data")));
      assertThat(events)
          .anyMatch(
              e ->
                  e instanceof GossipEvent.PeerMisbehaved pm
                      && pm.peer().toBase58().equals(forger.peerId())
                      && pm.code() == GossipErrorCode.INVALID_SIGNATURE);
    }
  }

  @ParameterizedTest
  @EnumSource(Line.class)
  void triangle_sameMessageIdFunction_eachNodeDeliversOnce(Line line) throws Exception {
    JsInterop.assumeAvailable(line);
    startOurs();
    // a publishes only once both b and we subscribe to it, so the message reaches each of us
    // twice (directly and relayed); the shared id function must collapse the copies.
    try (JsPeer a =
        jsListener(line, "--publish", TOPIC + "=to everyone", "--publish-min-peers", "2")) {
      try (JsPeer b =
          JsPeer.dial(
              line,
              a.dialAddr(),
              "--gossip",
              "--msgid",
              "from-seqno",
              "--subscribe",
              TOPIC,
              "--stay",
              "--timeout",
              "60")) {
        host.dial(Multiaddr.parse(b.listenAddrs().get(0))).get(30, TimeUnit.SECONDS);
        awaitOurMesh(b.peerId());
        host.dial(Multiaddr.parse(a.dialAddr())).get(30, TimeUnit.SECONDS);
        GossipEvent.MessageReceived m = inbox.poll(30, TimeUnit.SECONDS);
        assertThat(m).isNotNull();
        assertThat(text(m)).isEqualTo("to everyone");
        assertThat(b.awaitEvent("message", WAIT).string("data")).isEqualTo("to everyone");
        Thread.sleep(2000); // Heartbeats and gossip rounds: a second copy would show up by now.
        assertThat(inbox).isEmpty();
        assertThat(b.events()).filteredOn(e -> e.name().equals("message")).hasSize(1);
        assertThat(driver.metrics().get(5, TimeUnit.SECONDS).toString()).isNotBlank();
      }
    }
  }
}
