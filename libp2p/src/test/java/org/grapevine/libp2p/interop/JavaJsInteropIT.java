package org.grapevine.libp2p.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.Unpooled;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.grapevine.libp2p.crypto.PrivKey;
import org.grapevine.libp2p.echo.EchoProtocol;
import org.grapevine.libp2p.host.Connection;
import org.grapevine.libp2p.host.DialException;
import org.grapevine.libp2p.host.Host;
import org.grapevine.libp2p.host.HostConfig;
import org.grapevine.libp2p.host.HostListener;
import org.grapevine.libp2p.host.NegotiatedStream;
import org.grapevine.libp2p.host.StreamCollector;
import org.grapevine.libp2p.identify.IdentifyProtocol;
import org.grapevine.libp2p.identify.IdentifyResult;
import org.grapevine.libp2p.interop.JsPeer.Line;
import org.grapevine.libp2p.multiaddr.Multiaddr;
import org.grapevine.libp2p.ping.PingProtocol;
import org.grapevine.libp2p.pnet.SwarmKey;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Our host against real js-libp2p peers (2.x and 3.x) on 127.0.0.1, in both dial directions: the
 * whole upgrade (multistream, Noise with early muxer negotiation, Yamux), identify, ping, an echo
 * protocol on concurrent streams carrying more than the Yamux window each, and private networks.
 * Skipped with a message when Node.js or the npm packages are missing; required in CI.
 */
class JavaJsInteropIT {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final int STREAMS = 4;
  private static final int ECHO_BYTES = 600 * 1024; // More than twice the 256 KiB Yamux window.
  private final List<Host> hosts = new ArrayList<>();

  @AfterEach
  void closeHosts() {
    hosts.forEach(Host::close);
  }

  private Host host(SwarmKey key, String... listen) throws Exception {
    Host h =
        new Host(
            HostConfig.builder(PrivKey.generate(RANDOM))
                .listen(listen)
                .swarmKey(key)
                .agentVersion("grapevine-interop/1")
                .inboundRate(1000, 1000)
                .build());
    hosts.add(h);
    h.start();
    h.setProtocolHandler(EchoProtocol.ID, (stream, conn) -> EchoProtocol.respond(stream));
    return h;
  }

  @ParameterizedTest
  @EnumSource(Line.class)
  void javaDialsJs_identifyPingAndEchoOnConcurrentStreams(Line line) throws Exception {
    JsInterop.assumeAvailable(line);
    try (JsPeer js = JsPeer.listen(line, "--echo", "--identify")) {
      Host ours = host(null);
      CompletableFuture<IdentifyResult> identified = new CompletableFuture<>();
      ours.addListener(
          new HostListener() {
            @Override
            public void onIdentified(Connection connection, IdentifyResult identify) {
              identified.complete(identify);
            }
          });
      Multiaddr addr = Multiaddr.parse(js.dialAddr());
      Connection c = ours.dial(addr).get(30, TimeUnit.SECONDS);
      assertThat(c.remotePeer().toBase58()).isEqualTo(js.peerId());

      IdentifyResult id = identified.get(30, TimeUnit.SECONDS);
      assertThat(id.agentVersion()).startsWith("js-libp2p/" + (line == Line.V2 ? "2." : "3."));
      assertThat(id.protocols()).contains(EchoProtocol.ID, IdentifyProtocol.ID, PingProtocol.ID);
      assertThat(Multiaddr.decode(id.listenAddrs().get(0)).toString())
          .startsWith("/ip4/127.0.0.1/tcp/");

      // js identified us too, and saw what we serve.
      JsEvent theirs = js.awaitEvent("identify", WAIT);
      assertThat(theirs.string("peer")).isEqualTo(ours.peerId().toBase58());
      assertThat(theirs.string("agentVersion")).isEqualTo("grapevine-interop/1");
      assertThat(theirs.strings("protocols"))
          .contains(EchoProtocol.ID, PingProtocol.ID, IdentifyProtocol.ID);

      for (int i = 0; i < 3; i++) {
        assertThat(ours.ping(c).get(30, TimeUnit.SECONDS)).isPositive();
      }
      echoThrough(ours, c);
    }
  }

  @ParameterizedTest
  @EnumSource(Line.class)
  void jsDialsJava_identifyPingAndEchoOnConcurrentStreams(Line line) throws Exception {
    JsInterop.assumeAvailable(line);
    Host ours = host(null, "/ip4/127.0.0.1/tcp/0");
    CompletableFuture<IdentifyResult> identified = new CompletableFuture<>();
    ours.addListener(
        new HostListener() {
          @Override
          public void onIdentified(Connection connection, IdentifyResult identify) {
            identified.complete(identify);
          }
        });
    String addr = ours.listenAddrs().get(0).withPeerId(ours.peerId()).toString();
    try (JsPeer js =
        JsPeer.dial(
            line,
            addr,
            "--identify",
            "--ping",
            "3",
            "--send-echo",
            Integer.toString(ECHO_BYTES),
            "--streams",
            Integer.toString(STREAMS))) {
      JsEvent identify = js.awaitEvent("identify", WAIT);
      assertThat(identify.string("peer")).isEqualTo(ours.peerId().toBase58());
      assertThat(identify.string("agentVersion")).isEqualTo("grapevine-interop/1");
      assertThat(identify.strings("protocols")).contains(EchoProtocol.ID, PingProtocol.ID);
      assertThat(identify.strings("listenAddrs")).contains(ours.listenAddrs().get(0).toString());
      assertThat(js.awaitEvents("ping", 3, WAIT)).hasSize(3);
      List<JsEvent> echoes = js.awaitEvents("echo", STREAMS, WAIT);
      assertThat(echoes)
          .allSatisfy(
              e -> {
                assertThat(e.bool("ok")).as(e.line()).isTrue();
                assertThat(e.number("received")).isEqualTo(ECHO_BYTES);
              });
      // We identified the dialer on our inbound connection too (as js does on every connection).
      IdentifyResult theirs = identified.get(30, TimeUnit.SECONDS);
      assertThat(theirs.peer().toBase58()).isEqualTo(js.peerId());
      assertThat(theirs.agentVersion()).startsWith("js-libp2p/");
      assertThat(js.awaitExit(WAIT)).as(js.stderr()).isZero();
    }
  }

  @ParameterizedTest
  @EnumSource(Line.class)
  void pnet_sameKeyConnectsBothWays_otherKeyOrNoKeyRefused(Line line, @TempDir Path dir)
      throws Exception {
    JsInterop.assumeAvailable(line);
    SwarmKey key = SwarmKey.generate(RANDOM);
    Path keyFile = Files.writeString(dir.resolve("swarm.key"), key.format());
    Path otherFile =
        Files.writeString(dir.resolve("other.key"), SwarmKey.generate(RANDOM).format());

    // js listens with the key: we connect with it, and fail with another key or none.
    try (JsPeer js = JsPeer.listen(line, "--echo", "--swarm-key", keyFile.toString())) {
      Multiaddr addr = Multiaddr.parse(js.dialAddr());
      Host same = host(key);
      assertThat(same.ping(same.dial(addr).get(30, TimeUnit.SECONDS)).get(30, TimeUnit.SECONDS))
          .isPositive();
      Host other = host(SwarmKey.parse(Files.readAllBytes(otherFile)));
      assertThatThrownBy(() -> other.dial(addr).get(30, TimeUnit.SECONDS))
          .hasCauseInstanceOf(DialException.class);
      Host none = host(null);
      assertThatThrownBy(() -> none.dial(addr).get(30, TimeUnit.SECONDS))
          .hasCauseInstanceOf(DialException.class);
    }

    // We listen with the key: js connects with it, and fails with another key.
    Host ours = host(key, "/ip4/127.0.0.1/tcp/0");
    String addr = ours.listenAddrs().get(0).withPeerId(ours.peerId()).toString();
    try (JsPeer js = JsPeer.dial(line, addr, "--swarm-key", keyFile.toString(), "--ping", "1")) {
      assertThat(js.awaitEvent("ping", WAIT).number("seq")).isEqualTo(1);
      assertThat(js.awaitExit(WAIT)).isZero();
    }
    try (JsPeer js =
        JsPeer.dial(
            line, addr, "--swarm-key", otherFile.toString(), "--ping", "1", "--timeout", "10")) {
      assertThat(js.awaitEvent("error", WAIT).string("message")).isNotBlank();
      assertThat(js.awaitExit(WAIT)).isNotZero();
    }
    assertThat(ours.connections()).isEmpty();
  }

  /** Echoes {@link #ECHO_BYTES} on {@link #STREAMS} concurrent streams and checks every byte. */
  private static void echoThrough(Host ours, Connection c) throws Exception {
    List<CompletableFuture<byte[]>> results = new ArrayList<>();
    List<byte[]> sent = new ArrayList<>();
    for (int i = 0; i < STREAMS; i++) {
      byte[] payload = new byte[ECHO_BYTES];
      new java.util.Random(i).nextBytes(payload);
      sent.add(payload);
      NegotiatedStream ns = ours.newStream(c, List.of(EchoProtocol.ID)).get(30, TimeUnit.SECONDS);
      StreamCollector collector = new StreamCollector();
      ns.stream().setReader(collector);
      for (int off = 0; off < payload.length; off += 40_000) {
        ns.stream()
            .write(Unpooled.wrappedBuffer(payload, off, Math.min(40_000, payload.length - off)));
      }
      ns.stream().closeWrite();
      results.add(collector.done);
    }
    for (int i = 0; i < STREAMS; i++) {
      assertThat(results.get(i).get(60, TimeUnit.SECONDS))
          .as("stream %d", i)
          .isEqualTo(sent.get(i));
    }
  }
}
