package org.grapevine.libp2p.relay.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.Unpooled;
import java.security.SecureRandom;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.grapevine.libp2p.echo.EchoProtocol;
import org.grapevine.libp2p.host.Connection;
import org.grapevine.libp2p.host.DialException;
import org.grapevine.libp2p.host.Host;
import org.grapevine.libp2p.host.HostListener;
import org.grapevine.libp2p.host.NegotiatedStream;
import org.grapevine.libp2p.host.StreamCollector;
import org.grapevine.libp2p.multiaddr.Multiaddr;
import org.grapevine.libp2p.relay.HopConfig;
import org.grapevine.libp2p.relay.HopMessage;
import org.grapevine.libp2p.relay.RelayClientConfig;
import org.grapevine.libp2p.relay.RelayClientEvent;
import org.grapevine.libp2p.relay.RelayCodec;
import org.grapevine.libp2p.relay.RelayLimit;
import org.grapevine.libp2p.relay.RelayPeer;
import org.grapevine.libp2p.relay.RelayStatus;
import org.grapevine.libp2p.relay.StopMessage;
import org.grapevine.libp2p.testing.LoopbackHosts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Three real hosts on 127.0.0.1: relay R runs the hop service, A reserves a slot on R, B dials
 * {@code <R>/p2p/R/p2p-circuit/p2p/A}; the circuit carries a whole Noise + Yamux connection, and
 * the relay's limits cut it. The waits below are failure guards (a hung circuit fails the test),
 * not timing assertions.
 */
@Timeout(60)
class RelayIT {
  private static final SecureRandom RANDOM = new SecureRandom();
  @RegisterExtension final LoopbackHosts hosts = new LoopbackHosts();

  private Host host() throws Exception {
    Host h = hosts.start();
    h.setProtocolHandler(EchoProtocol.ID, (stream, conn) -> EchoProtocol.respond(stream));
    return h;
  }

  private HopServer relay(Host r, HopConfig config) {
    HopServer s = HopServer.start(r, config, r::listenAddrs);
    hosts.closeAfter(s);
    return s;
  }

  /** Starts A's client on {@code relay} and waits for its first event. */
  private RelayClientEvent reserve(Host a, Host relay) throws Exception {
    RelayClientDriver client = RelayClientDriver.start(a, RelayClientConfig.DEFAULT);
    hosts.closeAfter(client);
    CompletableFuture<RelayClientEvent> first = new CompletableFuture<>();
    client.addListener(first::complete);
    client.addRelay(relay.peerId(), relay.listenAddrs());
    return first.get(20, TimeUnit.SECONDS);
  }

  private static Multiaddr circuitTo(Host relay, Host target) {
    return RelayProtocols.circuitAddr(relay.listenAddrs().get(0), relay.peerId())
        .withPeerId(target.peerId());
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

  @Test
  void dialCircuit_reservedTarget_pingAndEchoRunOverNoiseAndYamuxInside() throws Exception {
    Host r = host();
    Host a = host();
    Host b = host();
    relay(r, HopConfig.DEFAULT.withCircuitLimit(new RelayLimit(120, 1 << 20)));
    long t0 = System.nanoTime();
    RelayClientEvent event = reserve(a, r);
    long reservedNanos = System.nanoTime() - t0;
    assertThat(event).isInstanceOf(RelayClientEvent.Reserved.class);
    RelayClientEvent.Reserved reserved = (RelayClientEvent.Reserved) event;
    Multiaddr advertised = reserved.circuitAddrs().get(0);
    assertThat(advertised.toString())
        .isEqualTo(r.listenAddrs().get(0) + "/p2p/" + r.peerId() + "/p2p-circuit");
    CompletableFuture<Connection> inboundAtA = new CompletableFuture<>();
    a.addListener(
        new HostListener() {
          @Override
          public void onConnected(Connection c) {
            if (c.remotePeer().equals(b.peerId())) {
              inboundAtA.complete(c);
            }
          }
        });
    CircuitTransport.install(b);

    long t1 = System.nanoTime();
    Connection c = b.dial(advertised.withPeerId(a.peerId())).get(20, TimeUnit.SECONDS);
    long dialNanos = System.nanoTime() - t1;

    assertThat(c.remotePeer()).isEqualTo(a.peerId());
    assertThat(c.isRelayed()).isTrue();
    assertThat(c.isLimited()).isTrue();
    assertThat(c.relayLimit()).contains(new RelayLimit(120, 1 << 20));
    assertThat(c.remoteAddr()).isEqualTo(advertised);
    Connection atA = inboundAtA.get(10, TimeUnit.SECONDS);
    assertThat(atA.isRelayed()).isTrue();
    assertThat(atA.direction()).isEqualTo(Connection.Direction.INBOUND);
    long rtt = b.ping(c).get(10, TimeUnit.SECONDS);
    assertThat(rtt).isPositive();
    byte[] payload = new byte[100_000];
    RANDOM.nextBytes(payload);
    long t2 = System.nanoTime();
    assertThat(echo(b, c, payload)).isEqualTo(payload);
    // Figures for the closing note (loopback, cold JVM); not asserted.
    System.out.printf(
        "relay figures: reservation %.1f ms, circuit dial with upgrade %.1f ms, ping %.2f ms,"
            + " echo of 100 kB %.1f ms%n",
        reservedNanos / 1e6, dialNanos / 1e6, rtt / 1e6, (System.nanoTime() - t2) / 1e6);
    // B and A have no direct connection: everything went through R.
    assertThat(b.connections(a.peerId())).allMatch(Connection::isRelayed);
    // A direct address gives a direct connection, next to the relayed one (as DCUtR will want).
    Connection direct =
        b.dial(a.listenAddrs().get(0).withPeerId(a.peerId())).get(10, TimeUnit.SECONDS);
    assertThat(direct.isRelayed()).isFalse();
    assertThat(c.isOpen()).isTrue();
  }

  @Test
  void circuit_dataLimitReached_relayCutsTheConnection() throws Exception {
    Host r = host();
    Host a = host();
    Host b = host();
    HopServer hop = relay(r, HopConfig.DEFAULT.withCircuitLimit(new RelayLimit(120, 64 << 10)));
    RelayClientEvent.Reserved reserved = (RelayClientEvent.Reserved) reserve(a, r);
    CircuitTransport.install(b);
    Connection c =
        b.dial(reserved.circuitAddrs().get(0).withPeerId(a.peerId())).get(20, TimeUnit.SECONDS);
    CompletableFuture<Connection> closed = new CompletableFuture<>();
    b.addListener(
        new HostListener() {
          @Override
          public void onDisconnected(Connection gone) {
            if (gone == c) {
              closed.complete(gone);
            }
          }
        });
    byte[] payload = new byte[256 << 10];
    RANDOM.nextBytes(payload);

    assertThatThrownBy(() -> echo(b, c, payload)).isInstanceOf(ExecutionException.class);

    closed.get(20, TimeUnit.SECONDS);
    assertThat(c.isOpen()).isFalse();
    int circuits =
        hop.executor().submit(() -> hop.service().circuitCount()).get(10, TimeUnit.SECONDS);
    assertThat(circuits).isZero();
    // The reservation outlives the circuit: B can come back.
    assertThat(hop.executor().submit(() -> hop.service().hasReservation(a.peerId())).get())
        .isTrue();
  }

  @Test
  void dialCircuit_targetWithoutReservation_failsWithNoReservation() throws Exception {
    Host r = host();
    Host a = host();
    Host b = host();
    relay(r, HopConfig.DEFAULT);
    a.dial(r.listenAddrs().get(0).withPeerId(r.peerId())).get(10, TimeUnit.SECONDS);
    CircuitTransport.install(b);

    assertThatThrownBy(() -> b.dial(circuitTo(r, a)).get(20, TimeUnit.SECONDS))
        .hasCauseInstanceOf(DialException.class)
        .cause()
        .hasCauseInstanceOf(CircuitRefusedException.class)
        .satisfies(
            e ->
                assertThat(((CircuitRefusedException) e.getCause()).status())
                    .isEqualTo(RelayStatus.NO_RESERVATION));
  }

  @Test
  void reserve_relayAtItsCap_refusesPolitely() throws Exception {
    Host r = host();
    Host a = host();
    Host c = host();
    HopServer hop = relay(r, HopConfig.DEFAULT.withMaxReservations(1, 4, 8));
    assertThat(reserve(a, r)).isInstanceOf(RelayClientEvent.Reserved.class);

    RelayClientEvent second = reserve(c, r);

    assertThat(second).isInstanceOf(RelayClientEvent.Failed.class);
    assertThat(((RelayClientEvent.Failed) second).reason()).contains("RESERVATION_REFUSED");
    assertThat(
            hop.executor()
                .submit(() -> hop.service().answered(RelayStatus.RESERVATION_REFUSED))
                .get())
        .isEqualTo(1);
  }

  @Test
  void circuit_durationLimitReached_relayCutsTheConnection() throws Exception {
    Host r = host();
    Host a = host();
    Host b = host();
    relay(r, HopConfig.DEFAULT.withCircuitLimit(new RelayLimit(1, 0)));
    RelayClientEvent.Reserved reserved = (RelayClientEvent.Reserved) reserve(a, r);
    CircuitTransport.install(b);
    CompletableFuture<Connection> closed = new CompletableFuture<>();
    b.addListener(
        new HostListener() {
          @Override
          public void onDisconnected(Connection gone) {
            if (gone.isRelayed()) {
              closed.complete(gone);
            }
          }
        });

    Connection c =
        b.dial(reserved.circuitAddrs().get(0).withPeerId(a.peerId())).get(20, TimeUnit.SECONDS);

    assertThat(c.relayLimit()).contains(new RelayLimit(1, 0));
    assertThat(closed.get(20, TimeUnit.SECONDS)).isSameAs(c);
  }

  @Test
  void reservation_relayGoesAway_clientReservesOnTheNextRelay() throws Exception {
    Host r1 = host();
    Host r2 = host();
    Host a = host();
    relay(r1, HopConfig.DEFAULT);
    relay(r2, HopConfig.DEFAULT);
    RelayClientDriver client =
        RelayClientDriver.start(
            a,
            RelayClientConfig.DEFAULT
                .withWantedRelays(1)
                .withRetry(java.time.Duration.ofMillis(50), java.time.Duration.ofSeconds(1)));
    hosts.closeAfter(client);
    java.util.concurrent.BlockingQueue<RelayClientEvent> events =
        new java.util.concurrent.LinkedBlockingQueue<>();
    client.addListener(events::add);
    client.addRelay(r1.peerId(), r1.listenAddrs());
    client.addRelay(r2.peerId(), r2.listenAddrs());
    RelayClientEvent first = events.poll(20, TimeUnit.SECONDS);
    assertThat(first).isInstanceOf(RelayClientEvent.Reserved.class);
    assertThat(((RelayClientEvent.Reserved) first).relay()).isEqualTo(r1.peerId());

    r1.close();

    assertThat(events.poll(20, TimeUnit.SECONDS))
        .isEqualTo(new RelayClientEvent.Failed(r1.peerId(), true, "disconnected"));
    RelayClientEvent next = events.poll(20, TimeUnit.SECONDS);
    assertThat(next).isInstanceOf(RelayClientEvent.Reserved.class);
    assertThat(((RelayClientEvent.Reserved) next).relay()).isEqualTo(r2.peerId());
    assertThat(client.reservedRelays()).containsExactly(r2.peerId());
    assertThat(client.circuitAddrs())
        .singleElement()
        .satisfies(m -> assertThat(m.toString()).contains(r2.peerId() + "/p2p-circuit"));
  }

  @Test
  void hopStream_malformedOrOversizeRequest_answeredMalformedMessage() throws Exception {
    Host r = host();
    Host b = host();
    HopServer hop = relay(r, HopConfig.DEFAULT);
    Connection c = b.dial(r.listenAddrs().get(0).withPeerId(r.peerId())).get(10, TimeUnit.SECONDS);
    byte[][] requests = {
      RelayCodec.frame(new byte[] {0x0a, 0x7f, 1}), // a field longer than the message
      org.grapevine.libp2p.encoding.Varint.encode(RelayCodec.MAX_MESSAGE_BYTES + 1),
    };
    for (byte[] request : requests) {
      NegotiatedStream ns = b.newStream(c, List.of(RelayProtocols.HOP)).get(10, TimeUnit.SECONDS);
      StreamCollector answer = new StreamCollector();
      ns.stream().setReader(answer);
      ns.stream().write(Unpooled.wrappedBuffer(request));

      io.netty.buffer.ByteBuf got = Unpooled.wrappedBuffer(answer.done.get(10, TimeUnit.SECONDS));
      HopMessage m = RelayCodec.decodeHop(RelayCodec.readBody(got).orElseThrow());
      got.release();
      assertThat(m.status()).contains(RelayStatus.MALFORMED_MESSAGE);
    }
    assertThat(
            hop.executor()
                .submit(() -> hop.service().answered(RelayStatus.MALFORMED_MESSAGE))
                .get())
        .isEqualTo(2);
  }

  @Test
  void stopStream_fromRelayWeDidNotReserveOn_permissionDenied() throws Exception {
    Host a = host();
    Host stranger = host();
    RelayClientDriver client = RelayClientDriver.start(a, RelayClientConfig.DEFAULT);
    hosts.closeAfter(client);
    NegotiatedStream ns =
        stranger
            .newStream(a.listenAddrs().get(0).withPeerId(a.peerId()), List.of(RelayProtocols.STOP))
            .get(10, TimeUnit.SECONDS);
    StreamCollector answer = new StreamCollector();
    ns.stream().setReader(answer);

    ns.stream()
        .write(
            Unpooled.wrappedBuffer(
                RelayCodec.frame(
                    RelayCodec.encode(
                        StopMessage.connect(RelayPeer.of(stranger.peerId()), RelayLimit.NONE)))));

    io.netty.buffer.ByteBuf got = Unpooled.wrappedBuffer(answer.done.get(10, TimeUnit.SECONDS));
    StopMessage m = RelayCodec.decodeStop(RelayCodec.readBody(got).orElseThrow());
    got.release();
    assertThat(m.status()).contains(RelayStatus.PERMISSION_DENIED);
    assertThat(a.connections(stranger.peerId())).noneMatch(Connection::isRelayed);
  }
}
