package org.grapevine.libp2p.interop;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.grapevine.libp2p.echo.EchoProtocol;
import org.grapevine.libp2p.host.Connection;
import org.grapevine.libp2p.host.Host;
import org.grapevine.libp2p.host.HostListener;
import org.grapevine.libp2p.host.NegotiatedStream;
import org.grapevine.libp2p.host.StreamCollector;
import org.grapevine.libp2p.interop.JsPeer.Line;
import org.grapevine.libp2p.multiaddr.Multiaddr;
import org.grapevine.libp2p.peer.PeerId;
import org.grapevine.libp2p.relay.HopConfig;
import org.grapevine.libp2p.relay.RelayClientConfig;
import org.grapevine.libp2p.relay.RelayClientEvent;
import org.grapevine.libp2p.relay.RelayLimit;
import org.grapevine.libp2p.relay.RelayStatus;
import org.grapevine.libp2p.relay.netty.CircuitTransport;
import org.grapevine.libp2p.relay.netty.HopServer;
import org.grapevine.libp2p.relay.netty.RelayClientDriver;
import org.grapevine.libp2p.testing.LoopbackHosts;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Circuit relay v2 ({@code /libp2p/circuit/relay/0.2.0/hop} and {@code .../stop}) between our relay
 * code and js-libp2p, each test on both lines (3.3.11 with {@code @libp2p/circuit-relay-v2} 4.2.13;
 * 2.10.0 with 3.2.24), on 127.0.0.1:
 *
 * <ul>
 *   <li>a js relay ({@code circuitRelayServer}): our {@link RelayClientDriver} reserves on it, and
 *       a second Java host reaches the first through it ({@link CircuitTransport});
 *   <li>our relay ({@link HopServer}): a js client ({@code circuitRelayTransport}, listening on
 *       {@code <relay>/p2p-circuit}) reserves on it and is reached through it by a Java host, and
 *       by a second js peer.
 * </ul>
 *
 * Waits are failure guards, never timed assertions.
 */
@Timeout(120)
class RelayInteropIT {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Duration WAIT = Duration.ofSeconds(30);

  /** Well below js's default circuit data limit (128 KiB, both directions together). */
  private static final int ECHO_BYTES = 32 * 1024;

  /**
   * What js's relay (4.2.13 on 3.x, 3.2.24 on 2.x) sends as its default limit: duration 120000 (ms,
   * not s), 128 KiB.
   */
  private static final RelayLimit JS_DEFAULT_LIMIT_AS_SENT = new RelayLimit(120_000, 131_072);

  @RegisterExtension final LoopbackHosts hosts = new LoopbackHosts();

  private Host host() throws Exception {
    Host h = hosts.start();
    h.setProtocolHandler(EchoProtocol.ID, (stream, conn) -> EchoProtocol.respond(stream));
    return h;
  }

  private JsPeer js(JsPeer peer) {
    hosts.closeAfter(peer);
    return peer;
  }

  private static byte[] echo(Host b, Connection c, byte[] payload) throws Exception {
    NegotiatedStream ns = b.newStream(c, List.of(EchoProtocol.ID)).get(10, TimeUnit.SECONDS);
    StreamCollector collector = new StreamCollector();
    ns.stream().setReader(collector);
    for (int off = 0; off < payload.length; off += 16_384) {
      ns.stream()
          .write(Unpooled.wrappedBuffer(payload, off, Math.min(16_384, payload.length - off)));
    }
    ns.stream().closeWrite();
    return collector.done.get(20, TimeUnit.SECONDS);
  }

  private static CompletableFuture<Connection> inboundFrom(Host at, PeerId from) {
    CompletableFuture<Connection> f = new CompletableFuture<>();
    at.addListener(
        new HostListener() {
          @Override
          public void onConnected(Connection c) {
            if (c.remotePeer().equals(from) && c.isRelayed()) {
              f.complete(c);
            }
          }
        });
    return f;
  }

  private static <T> T onHop(HopServer hop, java.util.concurrent.Callable<T> read)
      throws Exception {
    return hop.executor().submit(read).get(10, TimeUnit.SECONDS);
  }

  @ParameterizedTest
  @EnumSource(Line.class)
  void jsRelay_javaReservesAndAnotherJavaHostReachesItThroughTheCircuit(Line line)
      throws Exception {
    JsInterop.assumeAvailable(line);
    JsPeer relay = js(JsPeer.listen(line, "--relay-server", "--timeout", "110"));
    PeerId relayId = PeerId.parse(relay.peerId());
    Host a = host();
    Host b = host();
    RelayClientDriver client =
        RelayClientDriver.start(a, RelayClientConfig.DEFAULT.withWantedRelays(1));
    hosts.closeAfter(client);
    CompletableFuture<RelayClientEvent> first = new CompletableFuture<>();
    client.addListener(first::complete);

    client.addRelay(relayId, List.of(Multiaddr.parse(relay.listenAddrs().get(0))));

    RelayClientEvent event = first.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertThat(event).as("our client's first event").isInstanceOf(RelayClientEvent.Reserved.class);
    RelayClientEvent.Reserved reserved = (RelayClientEvent.Reserved) event;
    assertThat(reserved.relay()).isEqualTo(relayId);
    // js's defaults are 2 min and 128 KiB per circuit, but js puts the duration on the wire in
    // milliseconds (120000) where the spec says seconds (its own client reads seconds): a js
    // discrepancy, recorded here so that a fix in js shows up as a failure to look at.
    assertThat(reserved.limit()).isEqualTo(JS_DEFAULT_LIMIT_AS_SENT);
    assertThat(reserved.expireUnixSeconds()).isGreaterThan(System.currentTimeMillis() / 1000 + 60);
    Multiaddr circuit = reserved.circuitAddrs().get(0);
    assertThat(circuit.toString()).isEqualTo(relay.dialAddr() + "/p2p-circuit");
    assertThat(client.circuitAddrs()).contains(circuit);
    JsEvent atJs =
        relay.awaitEvent(
            "relay-reservation", e -> e.string("peer").equals(a.peerId().toBase58()), WAIT);
    assertThat(atJs.string("addr")).startsWith("/ip4/127.0.0.1/tcp/");

    CompletableFuture<Connection> inboundAtA = inboundFrom(a, b.peerId());
    CircuitTransport.install(b);
    Connection c = b.dial(circuit.withPeerId(a.peerId())).get(WAIT.toSeconds(), TimeUnit.SECONDS);

    assertThat(c.remotePeer()).isEqualTo(a.peerId());
    assertThat(c.isRelayed()).isTrue();
    assertThat(c.relayLimit()).contains(JS_DEFAULT_LIMIT_AS_SENT);
    assertThat(inboundAtA.get(10, TimeUnit.SECONDS).direction())
        .isEqualTo(Connection.Direction.INBOUND);
    assertThat(b.ping(c).get(10, TimeUnit.SECONDS)).isPositive();
    byte[] payload = new byte[ECHO_BYTES];
    RANDOM.nextBytes(payload);
    assertThat(echo(b, c, payload)).isEqualTo(payload);
    // B never had a direct connection to A: everything went through js.
    assertThat(b.connections(a.peerId())).isNotEmpty().allMatch(Connection::isRelayed);
  }

  /** Our relay R; js peer A reserves on it through js's circuit transport. */
  private record OurRelay(Host r, HopServer hop, JsPeer a, String circuitAddr) {}

  private OurRelay ourRelayWithJsReserved(Line line) throws Exception {
    JsInterop.assumeAvailable(line);
    Host r = host();
    HopServer hop = HopServer.start(r, HopConfig.DEFAULT, r::listenAddrs);
    hosts.closeAfter(hop);
    String relayAddr = r.listenAddrs().get(0).withPeerId(r.peerId()).toString();
    // js reserves during start: JsPeer.listen returns once js listens, i.e. once it reserved.
    JsPeer a = js(JsPeer.listen(line, "--relay-listen", relayAddr, "--echo", "--timeout", "110"));
    JsEvent listening = a.awaitEvent("relay-listening", WAIT);
    String circuit = relayAddr + "/p2p-circuit/p2p/" + a.peerId();
    assertThat(listening.strings("addrs")).containsExactly(circuit);
    PeerId aId = PeerId.parse(a.peerId());
    assertThat(onHop(hop, () -> hop.service().hasReservation(aId))).isTrue();
    assertThat(onHop(hop, () -> hop.service().reservationCount())).isEqualTo(1);
    assertThat(onHop(hop, () -> hop.service().answered(RelayStatus.OK))).isEqualTo(1L);
    return new OurRelay(r, hop, a, circuit);
  }

  @ParameterizedTest
  @EnumSource(Line.class)
  void ourRelay_jsReservesAndAJavaHostReachesItThroughTheCircuit(Line line) throws Exception {
    OurRelay o = ourRelayWithJsReserved(line);
    Host b = host();
    CircuitTransport.install(b);

    Connection c = b.dial(Multiaddr.parse(o.circuitAddr())).get(WAIT.toSeconds(), TimeUnit.SECONDS);

    assertThat(c.remotePeer().toBase58()).isEqualTo(o.a().peerId());
    assertThat(c.isRelayed()).isTrue();
    assertThat(c.relayLimit()).contains(HopConfig.DEFAULT.circuitLimit());
    JsEvent atJs =
        o.a()
            .awaitEvent(
                "connected",
                e -> e.string("peer").equals(b.peerId().toBase58()),
                Duration.ofSeconds(10));
    assertThat(atJs.string("direction")).isEqualTo("inbound");
    assertThat(atJs.string("remoteAddr"))
        .isEqualTo(
            o.r().listenAddrs().get(0).withPeerId(o.r().peerId())
                + "/p2p-circuit/p2p/"
                + b.peerId());
    assertThat(onHop(o.hop(), () -> o.hop().service().circuitCount())).isEqualTo(1);
    assertThat(b.ping(c).get(10, TimeUnit.SECONDS)).isPositive();
    byte[] payload = new byte[ECHO_BYTES];
    RANDOM.nextBytes(payload);
    assertThat(echo(b, c, payload)).isEqualTo(payload);
    JsEvent echoed = o.a().awaitEvent("echoed", Duration.ofSeconds(10));
    assertThat(echoed.number("bytes")).isEqualTo(ECHO_BYTES);
    assertThat(b.connections(PeerId.parse(o.a().peerId())))
        .isNotEmpty()
        .allMatch(Connection::isRelayed);
  }

  @ParameterizedTest
  @EnumSource(Line.class)
  void ourRelay_jsReservesAndAnotherJsPeerReachesItThroughTheCircuit(Line line) throws Exception {
    OurRelay o = ourRelayWithJsReserved(line);

    JsPeer b = js(JsPeer.dial(line, o.circuitAddr(), "--ping", "1", "--timeout", "60"));

    JsEvent listening = b.listeningEvent(WAIT);
    String bId = listening.string("peerId");
    // A's inbound connection comes over the circuit (js may later add a direct one).
    JsEvent atA =
        o.a().awaitEvent("connected", e -> e.string("peer").equals(bId), Duration.ofSeconds(20));
    assertThat(atA.string("remoteAddr"))
        .isEqualTo(
            o.r().listenAddrs().get(0).withPeerId(o.r().peerId()) + "/p2p-circuit/p2p/" + bId);
    assertThat(b.awaitEvent("ping", Duration.ofSeconds(20)).string("peer"))
        .isEqualTo(o.a().peerId());
    assertThat(b.awaitExit(WAIT)).isZero();
    // Our relay answered A's RESERVE and B's CONNECT(s) with OK (js may open a second circuit
    // while it races its dials), and nothing else.
    assertThat(onHop(o.hop(), () -> o.hop().service().answered(RelayStatus.OK)))
        .isGreaterThanOrEqualTo(2L);
    for (RelayStatus s : RelayStatus.values()) {
      if (s != RelayStatus.OK) {
        assertThat(onHop(o.hop(), () -> o.hop().service().answered(s))).as(s.name()).isZero();
      }
    }
  }
}
