package org.grapevine.libp2p.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.grapevine.libp2p.autonat.AutonatClient;
import org.grapevine.libp2p.autonat.AutonatClientConfig;
import org.grapevine.libp2p.autonat.AutonatConfig;
import org.grapevine.libp2p.autonat.AutonatServer;
import org.grapevine.libp2p.autonat.AutonatServerConfig;
import org.grapevine.libp2p.autonat.Reachability;
import org.grapevine.libp2p.autonat.netty.AutonatService;
import org.grapevine.libp2p.host.Host;
import org.grapevine.libp2p.interop.JsPeer.Line;
import org.grapevine.libp2p.multiaddr.Multiaddr;
import org.grapevine.libp2p.testing.LoopbackHosts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * AutoNAT v2 ({@code /libp2p/autonat/2/dial-request}, {@code .../dial-back}) between our client and
 * server and js-libp2p 3.3.11 with {@code @libp2p/autonat-v2} 2.0.15 (js's v2 package for libp2p
 * 3.x; it runs client and server together), on 127.0.0.1.
 *
 * <p>js refuses private addresses on both sides, with no test switch: its client never asks about a
 * private or loopback address of its own, and its server does not dial one (see below). So each
 * test also uses a public-looking address that nobody serves, {@link #UNSERVED}: asking about it
 * runs the whole exchange (request, dial-data request and payment, since its IP is not the one the
 * request came from, the dial, the response), and the dial fails, so the answer is "unreachable".
 * The dial does leave the machine (a TCP SYN to 11.0.0.1 port 9, where no libp2p node is expected);
 * it fails at once here, or after the dial timeout (js 6 s per address, ours 5 s) where the SYN is
 * dropped. A positive answer ("reachable") needs a public IP, which loopback tests do not have.
 *
 * <p>Waits are failure guards (the test fails when they run out), never timed assertions.
 */
@Timeout(150)
class AutonatInteropIT {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final Multiaddr UNSERVED = unserved();

  @RegisterExtension final LoopbackHosts hosts = new LoopbackHosts();

  private static Multiaddr unserved() {
    try {
      return Multiaddr.parse("/ip4/11.0.0.1/tcp/9");
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private Host host(AutonatConfig autonat) throws Exception {
    // Our server's dial of UNSERVED must end before js's 30 s request timeout closes the stream
    // (else the outcome is dropped uncounted); 10 s is the default.
    return hosts.start(b -> b.dialTimeout(Duration.ofSeconds(5)).autonat(autonat));
  }

  private JsPeer js(String... options) {
    JsPeer p = JsPeer.listen(Line.V3, options);
    hosts.closeAfter(p);
    return p;
  }

  private static void await(Supplier<String> what, BooleanSupplier condition)
      throws InterruptedException {
    long deadline =
        System.nanoTime() + TimeUnit.SECONDS.toNanos(Long.getLong("autonat.it.wait", 90));
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError("gave up waiting for " + what.get());
      }
      Thread.sleep(50);
    }
  }

  private static String clientCounters(AutonatService s) {
    StringBuilder b = new StringBuilder();
    for (AutonatClient.Counter c : AutonatClient.Counter.values()) {
      b.append(c).append('=').append(s.clientCounter(c)).append(' ');
    }
    return b.toString();
  }

  private static String serverCounters(AutonatService s) {
    StringBuilder b = new StringBuilder();
    for (AutonatServer.Counter c : AutonatServer.Counter.values()) {
      b.append(c).append('=').append(s.serverCounter(c)).append(' ');
    }
    return b.toString();
  }

  /**
   * Our client asks js's server about our loopback listen address and about {@link #UNSERVED}.
   *
   * <p>Loopback: js's server (server.js, handleDialRequestStream) throws on a private IP inside its
   * per-address loop, logs it, and closes the stream without any DialResponse. The spec says a
   * server unwilling to dial an address answers E_DIAL_REFUSED; js sends nothing, so our client
   * counts the request as FAILED (the stream ended without an answer), has no verdict, and backs
   * off from that server for {@code serverBackoffNanos}.
   *
   * <p>{@link #UNSERVED}: js asks for dial data, we pay, js's dial fails, js answers OK /
   * E_DIAL_ERROR, and with confidence 1 the address is PRIVATE (unreachable).
   */
  @Test
  void ourClient_asksJsServer_unservedAddrUnreachable_loopbackGetsNoAnswer() throws Exception {
    JsInterop.assumeAvailable(Line.V3);
    JsPeer server = js("--autonat", "--timeout", "140");
    assertThat(server.listeningEvent(WAIT).strings("protocols"))
        .contains(AutonatConfig.DIAL_REQUEST, AutonatConfig.DIAL_BACK);
    AutonatClientConfig config = LoopbackHosts.fastAutonatClient();
    Host client = host(new AutonatConfig(Optional.empty(), false, Optional.of(config)));
    AutonatService autonat = client.autonat().orElseThrow();
    autonat.setExtraCandidates(List.of(UNSERVED));
    Multiaddr loopback = client.listenAddrs().get(0);

    client.dial(Multiaddr.parse(server.dialAddr())).get(10, TimeUnit.SECONDS);

    await(
        () ->
            "a verdict on "
                + UNSERVED
                + "; client counters "
                + clientCounters(autonat)
                + "; js stderr "
                + server.stderr(),
        () -> autonat.reachability(UNSERVED) != Reachability.UNKNOWN);
    assertThat(autonat.reachability(UNSERVED)).isEqualTo(Reachability.PRIVATE);
    assertThat(autonat.clientCounter(AutonatClient.Counter.DIAL_DATA_PAID)).isPositive();
    assertThat(autonat.clientCounter(AutonatClient.Counter.UNREACHABLE)).isPositive();
    await(
        () -> "js's silence about " + loopback + "; client counters " + clientCounters(autonat),
        () -> autonat.clientCounter(AutonatClient.Counter.FAILED) > 0);
    assertThat(autonat.reachability(loopback)).isEqualTo(Reachability.UNKNOWN);
    // Nothing js sent was malformed, refused our way, or dialled us back unasked.
    assertThat(autonat.clientCounter(AutonatClient.Counter.DISCARDED_MALFORMED)).isZero();
    assertThat(autonat.clientCounter(AutonatClient.Counter.REFUSED)).isZero();
    assertThat(autonat.clientCounter(AutonatClient.Counter.REACHABLE)).isZero();
    assertThat(autonat.clientCounter(AutonatClient.Counter.DIAL_BACK_UNKNOWN_NONCE)).isZero();
    assertThat(client.reachability()).isEqualTo(Reachability.PRIVATE);
  }

  /**
   * js's client asks our server. It only asks about its unverified addresses that are not private
   * (client.js, getUnverifiedMultiaddrs), so the peer adds {@link #UNSERVED} as an observed
   * address. Our server (defaults: a public server) asks for dial data (the IP is not the
   * requester's), js pays, our dial fails, we answer E_DIAL_ERROR.
   */
  @Test
  void jsClient_asksOurServer_requestCountedDialDataPaidDialFails() throws Exception {
    JsInterop.assumeAvailable(Line.V3);
    JsPeer jsClient = js("--autonat", "--observed-addr", UNSERVED.toString(), "--timeout", "140");
    JsEvent observed = jsClient.awaitEvent("observed-addrs", WAIT);
    assertThat(observed.objects("addrs"))
        .anySatisfy(
            a -> {
              assertThat(a.get("addr")).isEqualTo(UNSERVED.toString());
              assertThat(a.get("verified")).isEqualTo(false);
            });
    Host server =
        host(
            new AutonatConfig(
                Optional.of(AutonatServerConfig.defaults()), false, Optional.empty()));
    AutonatService autonat = server.autonat().orElseThrow();

    server.dial(Multiaddr.parse(jsClient.dialAddr())).get(10, TimeUnit.SECONDS);

    await(
        () -> "js's request and its outcome; server counters " + serverCounters(autonat),
        () -> autonat.serverCounter(AutonatServer.Counter.DIAL_ERROR) > 0);
    assertThat(autonat.serverCounter(AutonatServer.Counter.REQUESTS)).isPositive();
    assertThat(autonat.serverCounter(AutonatServer.Counter.DIAL_DATA_ASKED)).isPositive();
    assertThat(autonat.serverCounter(AutonatServer.Counter.REJECTED)).isZero();
    assertThat(autonat.serverCounter(AutonatServer.Counter.REFUSED)).isZero();
    assertThat(autonat.serverCounter(AutonatServer.Counter.ABORTED)).isZero();
    assertThat(autonat.serverCounter(AutonatServer.Counter.DIALED_OK)).isZero();
  }
}
