package org.grapevine.libp2p.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import org.grapevine.libp2p.crypto.PrivKey;
import org.grapevine.libp2p.interop.JsPeer.Line;
import org.grapevine.libp2p.peer.PeerId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Tests the interop test utility itself with js on both ends: if these fail, a failing Java↔js test
 * says nothing about the Java stack. Skipped without Node.js / npm ci (see JsInterop).
 */
class JsPeerSmokeIT {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String ECHO = "/grapevine/echo/1.0.0";
  private static final int ECHO_BYTES = 300 * 1024; // more than one 256 KiB yamux window
  private static final int STREAMS = 4;

  @ParameterizedTest(name = "listener {0}, dialer {1}")
  @CsvSource({"V2, V2", "V3, V3", "V2, V3", "V3, V2"})
  void echo_jsListenerAndJsDialer_identifyPingAndEchoOnConcurrentStreams(
      Line listenerLine, Line dialerLine) {
    JsInterop.assumeAvailable(listenerLine);
    JsInterop.assumeAvailable(dialerLine);
    try (JsPeer listener = JsPeer.listen(listenerLine, "--echo", "--identify");
        JsPeer dialer =
            JsPeer.dial(
                dialerLine,
                listener.dialAddr(),
                "--identify",
                "--ping",
                "2",
                "--send-echo",
                Integer.toString(ECHO_BYTES),
                "--streams",
                Integer.toString(STREAMS))) {
      assertThat(listener.listenAddrs())
          .allSatisfy(
              a ->
                  assertThat(a)
                      .startsWith("/ip4/127.0.0.1/tcp/")
                      .endsWith("/p2p/" + listener.peerId()));

      JsEvent connected = dialer.awaitEvent("connected", WAIT);
      assertThat(connected.string("peer")).isEqualTo(listener.peerId());
      assertThat(connected.string("direction")).isEqualTo("outbound");

      JsEvent identify = dialer.awaitEvent("identify", WAIT);
      assertThat(identify.string("peer")).isEqualTo(listener.peerId());
      assertThat(identify.string("agentVersion"))
          .startsWith("js-libp2p/" + (listenerLine == Line.V2 ? "2." : "3."));
      assertThat(identify.strings("protocols"))
          .contains(ECHO, "/ipfs/id/1.0.0", "/ipfs/ping/1.0.0");
      assertThat(identify.strings("listenAddrs")).isNotEmpty();
      assertThat(identify.string("observedAddr")).startsWith("/ip4/127.0.0.1/tcp/");

      assertThat(dialer.awaitEvents("ping", 2, WAIT))
          .extracting(e -> e.number("seq"))
          .containsExactly(1L, 2L);

      List<JsEvent> echoes = dialer.awaitEvents("echo", STREAMS, WAIT);
      assertThat(echoes)
          .allSatisfy(
              e -> {
                assertThat(e.bool("ok")).as(e.line()).isTrue();
                assertThat(e.number("received")).isEqualTo(ECHO_BYTES);
              });
      assertThat(echoes)
          .extracting(e -> e.number("stream"))
          .containsExactlyInAnyOrder(0L, 1L, 2L, 3L);
      assertThat(dialer.awaitEvent("echo-total", WAIT).bool("ok")).isTrue();
      assertThat(dialer.awaitExit(WAIT)).isZero();

      JsEvent inbound = listener.awaitEvent("connected", WAIT);
      assertThat(inbound.string("peer")).isEqualTo(dialer.peerId());
      assertThat(inbound.string("direction")).isEqualTo("inbound");
      assertThat(listener.awaitEvent("identify", WAIT).string("peer")).isEqualTo(dialer.peerId());
      assertThat(listener.awaitEvents("echoed", STREAMS, WAIT))
          .allSatisfy(e -> assertThat(e.number("bytes")).isEqualTo(ECHO_BYTES));
    }
  }

  @ParameterizedTest
  @EnumSource(Line.class)
  void seed_fixedSeed_peerIdMatchesTheJavaDerivation(Line line) {
    JsInterop.assumeAvailable(line);
    String seed = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
    String expected =
        PeerId.fromPubKey(PrivKey.fromSeed(HexFormat.of().parseHex(seed)).publicKey()).toBase58();
    try (JsPeer js = JsPeer.listen(line, "--seed", seed)) {
      assertThat(js.peerId()).isEqualTo(expected);
    }
  }

  @Test
  void pnet_sameKeyConnects_differentKeyFailsOnBothSides(@TempDir Path dir) throws Exception {
    JsInterop.assumeAvailable(Line.V2);
    JsInterop.assumeAvailable(Line.V3);
    byte[] a = new byte[32];
    byte[] b = new byte[32];
    for (int i = 0; i < 32; i++) {
      a[i] = (byte) i;
      b[i] = (byte) (0xff - i);
    }
    Path keyA = JsInterop.writeSwarmKey(dir.resolve("a.key"), a);
    Path keyB = JsInterop.writeSwarmKey(dir.resolve("b.key"), b);
    try (JsPeer listener = JsPeer.listen(Line.V3, "--echo", "--swarm-key", keyA.toString())) {
      try (JsPeer same =
          JsPeer.dial(
              Line.V2,
              listener.dialAddr(),
              "--swarm-key",
              keyA.toString(),
              "--send-echo",
              "1000")) {
        assertThat(same.awaitEvent("echo", WAIT).bool("ok")).isTrue();
        assertThat(same.awaitExit(WAIT)).isZero();
      }
      try (JsPeer other =
          JsPeer.dial(
              Line.V2, listener.dialAddr(), "--swarm-key", keyB.toString(), "--ping", "1")) {
        assertThat(other.awaitEvent("error", WAIT).string("stage")).isEqualTo("dial");
        assertThat(other.awaitExit(WAIT)).isEqualTo(1);
        assertThat(other.events()).extracting(JsEvent::name).doesNotContain("connected", "ping");
      }
      assertThat(listener.awaitEvent("error", WAIT).string("stage")).isEqualTo("inbound-upgrade");
    }
  }

  @Test
  void close_runningListener_stopsItThroughStdin() {
    JsInterop.assumeAvailable(Line.V3);
    JsPeer js = JsPeer.listen(Line.V3, "--timeout", "600");
    js.close();
    assertThat(js.isAlive()).isFalse();
    assertThat(js.events())
        .last()
        .satisfies(
            e -> {
              assertThat(e.name()).isEqualTo("closed");
              assertThat(e.string("reason")).isEqualTo("stdin closed");
              assertThat(e.number("code")).isZero();
            });
  }
}
