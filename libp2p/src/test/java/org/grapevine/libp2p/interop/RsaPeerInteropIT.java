package org.grapevine.libp2p.interop;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.grapevine.libp2p.crypto.PrivKey;
import org.grapevine.libp2p.crypto.PubKey;
import org.grapevine.libp2p.gossipsub.Acceptance;
import org.grapevine.libp2p.gossipsub.GossipConfig;
import org.grapevine.libp2p.gossipsub.GossipEvent;
import org.grapevine.libp2p.gossipsub.netty.GossipDriver;
import org.grapevine.libp2p.host.Connection;
import org.grapevine.libp2p.host.Host;
import org.grapevine.libp2p.host.HostConfig;
import org.grapevine.libp2p.host.HostListener;
import org.grapevine.libp2p.identify.IdentifyResult;
import org.grapevine.libp2p.interop.JsPeer.Line;
import org.grapevine.libp2p.multiaddr.Multiaddr;
import org.grapevine.libp2p.peer.PeerId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Our host against real js-libp2p nodes (2.x and 3.x) whose identity is an RSA-2048 key ({@code
 * generateKeyPair('RSA', 2048)} from @libp2p/crypto, the key type of four of the five public Amino
 * bootstrap peers), on 127.0.0.1: we dial it by its {@code Qm...} peer ID and it dials us, Noise
 * verifies its RSA signature of the static key, identify gives its RSA key and the same {@code
 * Qm...} ID, and a GossipSub message it signs with that key (sent with the {@code key} field, which
 * js always sets) passes our StrictSign checks.
 */
class RsaPeerInteropIT {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String TOPIC = "grapevine-rsa-interop";
  private final MultiThreadIoEventLoopGroup group =
      new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
  private final CompletableFuture<IdentifyResult> identified = new CompletableFuture<>();
  private Host host;
  private GossipDriver driver;

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

  private Host startOurs() throws Exception {
    host =
        new Host(
            HostConfig.builder(PrivKey.generate(new SecureRandom()))
                .listen("/ip4/127.0.0.1/tcp/0")
                .agentVersion("grapevine-interop/1")
                .inboundRate(1000, 1000)
                .build(),
            group);
    host.start();
    host.addListener(
        new HostListener() {
          @Override
          public void onIdentified(Connection connection, IdentifyResult identify) {
            identified.complete(identify);
          }
        });
    return host;
  }

  /** The identify result of an RSA js peer: its RSA key, whose sha2-256 ID is the peer's. */
  private static void assertRsaIdentity(IdentifyResult id, String jsPeerId) {
    assertThat(id.peer().toBase58()).isEqualTo(jsPeerId).startsWith("Qm");
    assertThat(id.publicKey().type()).isEqualTo(PubKey.Type.RSA);
    assertThat(PeerId.fromPubKey(id.publicKey()).toBase58()).isEqualTo(jsPeerId);
    assertThat(id.publicKey()).hasToString("PubKey[RSA-2048]");
  }

  @ParameterizedTest
  @EnumSource(Line.class)
  void weDialRsaJs_noiseIdentifyAndPing(Line line) throws Exception {
    JsInterop.assumeAvailable(line);
    try (JsPeer js = JsPeer.listen(line, "--rsa", "--identify")) {
      assertThat(js.listeningEvent(WAIT).string("keyType")).isEqualTo("RSA");
      assertThat(js.dialAddr()).contains("/p2p/Qm");
      Host ours = startOurs();
      Connection c = ours.dial(Multiaddr.parse(js.dialAddr())).get(30, TimeUnit.SECONDS);
      assertThat(c.remotePeer().toBase58()).isEqualTo(js.peerId());
      assertRsaIdentity(identified.get(30, TimeUnit.SECONDS), js.peerId());
      assertThat(ours.ping(c).get(30, TimeUnit.SECONDS)).isPositive();
      // js verified our Ed25519 side of the same connection.
      assertThat(js.awaitEvent("identify", WAIT).string("peer"))
          .isEqualTo(ours.peerId().toBase58());
    }
  }

  @ParameterizedTest
  @EnumSource(Line.class)
  void rsaJsDialsUs_noiseIdentifyAndPing(Line line) throws Exception {
    JsInterop.assumeAvailable(line);
    Host ours = startOurs();
    String addr = ours.listenAddrs().get(0).withPeerId(ours.peerId()).toString();
    try (JsPeer js = JsPeer.dial(line, addr, "--rsa", "--identify", "--ping", "2")) {
      assertThat(js.awaitEvent("identify", WAIT).string("peer"))
          .isEqualTo(ours.peerId().toBase58());
      assertThat(js.awaitEvents("ping", 2, WAIT)).hasSize(2);
      assertRsaIdentity(identified.get(30, TimeUnit.SECONDS), js.peerId());
      assertThat(js.awaitExit(WAIT)).as(js.stderr()).isZero();
    }
  }

  @ParameterizedTest
  @EnumSource(Line.class)
  void rsaJsPublishes_ourRouterAcceptsItsSignature(Line line) throws Exception {
    JsInterop.assumeAvailable(line);
    Host ours = startOurs();
    BlockingQueue<GossipEvent.MessageReceived> inbox = new LinkedBlockingQueue<>();
    BlockingQueue<GossipEvent> events = new LinkedBlockingQueue<>();
    driver =
        new GossipDriver(
            ours, GossipConfig.builder().build(), new SplittableRandom(), group.next());
    driver.setMessageHandler(
        (m, verdict) -> {
          inbox.add(m);
          verdict.accept(Acceptance.ACCEPT);
        });
    driver.addEventListener(events::add);
    driver.start();
    driver.subscribe(TOPIC).get(10, TimeUnit.SECONDS);
    try (JsPeer js =
        JsPeer.listen(
            line,
            "--rsa",
            "--gossip",
            "--subscribe",
            TOPIC,
            "--publish",
            TOPIC + "=signed with RSA",
            "--stay",
            "--timeout",
            "60")) {
      ours.dial(Multiaddr.parse(js.dialAddr())).get(30, TimeUnit.SECONDS);
      GossipEvent.MessageReceived m = inbox.poll(30, TimeUnit.SECONDS);
      assertThat(m).as("no message from the RSA js peer; our events: %s", events).isNotNull();
      assertThat(new String(m.data(), StandardCharsets.UTF_8)).isEqualTo("signed with RSA");
      assertThat(m.from().map(PeerId::toBase58)).contains(js.peerId());
      assertThat(events).noneMatch(e -> e instanceof GossipEvent.PeerMisbehaved);
    }
  }
}
