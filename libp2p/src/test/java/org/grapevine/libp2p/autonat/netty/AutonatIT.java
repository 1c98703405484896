package org.grapevine.libp2p.autonat.netty;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.net.ServerSocket;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.grapevine.libp2p.autonat.AutonatClient;
import org.grapevine.libp2p.autonat.AutonatClientConfig;
import org.grapevine.libp2p.autonat.AutonatConfig;
import org.grapevine.libp2p.autonat.AutonatServer;
import org.grapevine.libp2p.autonat.AutonatServerConfig;
import org.grapevine.libp2p.autonat.AutonatV1Codec;
import org.grapevine.libp2p.autonat.Reachability;
import org.grapevine.libp2p.crypto.PrivKey;
import org.grapevine.libp2p.encoding.DelimitedReader;
import org.grapevine.libp2p.host.Connection;
import org.grapevine.libp2p.host.Host;
import org.grapevine.libp2p.host.HostConfig;
import org.grapevine.libp2p.host.HostListener;
import org.grapevine.libp2p.host.NegotiatedStream;
import org.grapevine.libp2p.host.StreamCollector;
import org.grapevine.libp2p.multiaddr.Multiaddr;
import org.grapevine.libp2p.testing.LoopbackHosts;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * AutoNAT between real hosts over TCP on 127.0.0.1 and 127.0.0.2. The servers run with the
 * test-only {@code allowingPrivateAddrsForTests} (a real server refuses loopback), the client with
 * confidence 1 (one server here) and private candidates allowed. The client listens on 127.0.0.1
 * and 127.0.0.2 and also asks about a closed port on each: the dial to 127.0.0.2 is to an IP other
 * than the one it connected from (127.0.0.1), so the server demands dial data first.
 *
 * <p>Waits are bounded (the test fails when they run out), never timed assertions.
 */
@Timeout(90)
class AutonatIT {
  private static final SecureRandom RANDOM = new SecureRandom();
  private final List<Host> hosts = new ArrayList<>();

  @AfterEach
  void close() {
    hosts.forEach(Host::close);
  }

  private Host host(AutonatConfig autonat, String... listen) throws Exception {
    Host h =
        new Host(
            HostConfig.builder(PrivKey.generate(RANDOM))
                .listen(listen)
                .inboundRate(1000, 1000)
                .maxConnectionsPerPeer(8)
                .autonat(autonat)
                .build());
    hosts.add(h);
    h.start();
    return h;
  }

  private Host server(AutonatServerConfig config) throws Exception {
    return host(
        new AutonatConfig(Optional.of(config), true, Optional.empty()), "/ip4/127.0.0.1/tcp/0");
  }

  private Host client() throws Exception {
    AutonatClientConfig config = LoopbackHosts.fastAutonatClient();
    return host(
        new AutonatConfig(Optional.empty(), false, Optional.of(config)),
        "/ip4/127.0.0.1/tcp/0",
        "/ip4/127.0.0.2/tcp/0");
  }

  private static Multiaddr closedPort(String ip) throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return Multiaddr.parse("/ip4/" + ip + "/tcp/" + s.getLocalPort());
    }
  }

  private static String counters(AutonatService autonat) {
    StringBuilder s = new StringBuilder();
    for (AutonatClient.Counter c : AutonatClient.Counter.values()) {
      s.append(c).append('=').append(autonat.clientCounter(c)).append(' ');
    }
    return s.toString();
  }

  private static void await(Supplier<String> what, BooleanSupplier condition)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError("gave up waiting for " + what.get());
      }
      Thread.sleep(50);
    }
  }

  /**
   * Loopback allowed (TEST ONLY), and a rate that lets one client ask about four addresses in a row
   * (the default burst of 2 per peer would reject the third and back the client off).
   */
  private static AutonatServerConfig labServer() {
    return new AutonatServerConfig(
        true, true, true, 30_000, 100_000, 8, 600, 10, 600, TimeUnit.MINUTES.toNanos(1), 64);
  }

  @Test
  void client_listenAddrsDialledBack_publicAndClosedPortsPrivate() throws Exception {
    Host server = server(labServer());
    Host client = client();
    CompletableFuture<Reachability> changed = new CompletableFuture<>();
    client.addListener(
        new HostListener() {
          @Override
          public void onReachabilityChanged(
              Reachability from, Reachability to, List<Multiaddr> publicAddrs) {
            changed.complete(to);
          }
        });
    AutonatService autonat = client.autonat().orElseThrow();
    Multiaddr closed1 = closedPort("127.0.0.1");
    Multiaddr closed2 = closedPort("127.0.0.2");
    autonat.setExtraCandidates(List.of(closed1, closed2));
    Multiaddr open1 = client.listenAddrs().get(0);
    Multiaddr open2 = client.listenAddrs().get(1);

    client.dial(server.listenAddrs().get(0).withPeerId(server.peerId())).get(10, TimeUnit.SECONDS);

    assertThat(changed.get(60, TimeUnit.SECONDS)).isEqualTo(Reachability.PUBLIC);
    await(
        () -> "a verdict on all four addresses; client counters " + counters(autonat),
        () ->
            List.of(open1, open2, closed1, closed2).stream()
                .noneMatch(a -> autonat.reachability(a) == Reachability.UNKNOWN));
    assertThat(autonat.reachability(open1)).isEqualTo(Reachability.PUBLIC);
    assertThat(autonat.reachability(open2)).isEqualTo(Reachability.PUBLIC);
    assertThat(autonat.reachability(closed1)).isEqualTo(Reachability.PRIVATE);
    assertThat(autonat.reachability(closed2)).isEqualTo(Reachability.PRIVATE);
    assertThat(client.reachability()).isEqualTo(Reachability.PUBLIC);
    assertThat(client.reachableAddrs()).containsExactlyInAnyOrder(open1, open2);

    // 127.0.0.2 is not the IP the client connected from: both of its addresses cost dial data.
    // (At least: a request that fails on the way is asked again; 127.0.0.1 ones never cost any.)
    AutonatService serverSide = server.autonat().orElseThrow();
    long asked = serverSide.serverCounter(AutonatServer.Counter.DIAL_DATA_ASKED);
    assertThat(asked).isGreaterThanOrEqualTo(2);
    assertThat(autonat.clientCounter(AutonatClient.Counter.DIAL_DATA_PAID)).isEqualTo(asked);
    assertThat(serverSide.serverCounter(AutonatServer.Counter.DIALED_OK)).isGreaterThanOrEqualTo(2);
    assertThat(serverSide.serverCounter(AutonatServer.Counter.DIAL_ERROR))
        .isGreaterThanOrEqualTo(2);
    assertThat(autonat.clientCounter(AutonatClient.Counter.DISCARDED_UNVERIFIED)).isZero();

    // Identify's observations on loopback are LAN addresses, never confirmed public ones.
    assertThat(client.lanObservedAddrs()).contains(open1);
    assertThat(client.observedAddrs()).isEmpty();
  }

  @Test
  void client_serverRefusingPrivateAddrs_refusedAndStillUnknown() throws Exception {
    Host server = server(AutonatServerConfig.defaults());
    Host client = client();
    AutonatService autonat = client.autonat().orElseThrow();

    client.dial(server.listenAddrs().get(0).withPeerId(server.peerId())).get(10, TimeUnit.SECONDS);

    await(
        () -> "refusals of both listen addresses; client counters " + counters(autonat),
        () -> autonat.clientCounter(AutonatClient.Counter.REFUSED) >= 2);
    assertThat(client.reachability()).isEqualTo(Reachability.UNKNOWN);
    assertThat(autonat.clientCounter(AutonatClient.Counter.REACHABLE)).isZero();
    assertThat(server.autonat().orElseThrow().serverCounter(AutonatServer.Counter.DIALED_OK))
        .isZero();
  }

  @Test
  void v1_dialOnTheObservedIp_ok_otherIpRefused() throws Exception {
    Host server = server(labServer());
    Host client =
        host(
            new AutonatConfig(Optional.empty(), false, Optional.empty()),
            "/ip4/127.0.0.1/tcp/0",
            "/ip4/127.0.0.2/tcp/0");
    Connection c =
        client
            .dial(server.listenAddrs().get(0).withPeerId(server.peerId()))
            .get(10, TimeUnit.SECONDS);

    AutonatV1Codec.Response ok = v1(client, c, client.listenAddrs().get(0));
    assertThat(ok.status()).isEqualTo(AutonatV1Codec.Status.OK);
    assertThat(Multiaddr.decode(ok.addr().orElseThrow())).isEqualTo(client.listenAddrs().get(0));

    AutonatV1Codec.Response refused = v1(client, c, client.listenAddrs().get(1));
    assertThat(refused.status()).isEqualTo(AutonatV1Codec.Status.E_DIAL_REFUSED);
  }

  @Test
  void server_oversizeOrMalformedRequest_streamResetAndServerGoesOn() throws Exception {
    Host server = server(labServer());
    Host client =
        host(new AutonatConfig(Optional.empty(), false, Optional.empty()), "/ip4/127.0.0.1/tcp/0");
    Connection c =
        client
            .dial(server.listenAddrs().get(0).withPeerId(server.peerId()))
            .get(10, TimeUnit.SECONDS);

    // A length prefix of 1 MiB: refused before any byte of it is buffered.
    assertReset(rawRequest(client, c, new byte[] {(byte) 0x80, (byte) 0x80, 0x40}));
    // A whole frame that is not a Message.
    assertReset(rawRequest(client, c, new byte[] {3, 0x0a, 0x7f, 0x01}));
    // Dial data before any request.
    byte[] data =
        org.grapevine.libp2p.autonat.AutonatV2Codec.encode(
            new org.grapevine.libp2p.autonat.AutonatV2Message.DialDataResponse(10));
    byte[] framed = new byte[data.length + 1];
    framed[0] = (byte) data.length;
    System.arraycopy(data, 0, framed, 1, data.length);
    assertReset(rawRequest(client, c, framed));
    assertThat(server.autonat().orElseThrow().serverCounter(AutonatServer.Counter.ABORTED))
        .isEqualTo(1);

    // And it still serves: v1 on the observed IP.
    assertThat(v1(client, c, client.listenAddrs().get(0)).status())
        .isEqualTo(AutonatV1Codec.Status.OK);
  }

  private static void assertReset(CompletableFuture<byte[]> answer) throws Exception {
    Throwable error = answer.handle((bytes, e) -> e).get(30, TimeUnit.SECONDS);
    assertThat(error).isNotNull().hasMessageContaining("reset");
  }

  /** Writes raw bytes on a dial-request stream; the future fails if the server resets it. */
  private static CompletableFuture<byte[]> rawRequest(Host client, Connection c, byte[] bytes)
      throws Exception {
    NegotiatedStream ns =
        client.newStream(c, List.of(AutonatConfig.DIAL_REQUEST)).get(10, TimeUnit.SECONDS);
    StreamCollector collector = new StreamCollector();
    ns.stream().setReader(collector);
    ns.stream().write(Unpooled.wrappedBuffer(bytes));
    return collector.done;
  }

  private static AutonatV1Codec.Response v1(Host client, Connection c, Multiaddr addr)
      throws Exception {
    NegotiatedStream ns = client.newStream(c, List.of(AutonatConfig.V1)).get(10, TimeUnit.SECONDS);
    StreamCollector collector = new StreamCollector();
    ns.stream().setReader(collector);
    byte[] dial =
        AutonatV1Codec.encodeDial(
            new AutonatV1Codec.Dial(Optional.of(client.peerId()), List.of(addr.encode())));
    ns.stream().write(DelimitedReader.frame(ByteBufAllocator.DEFAULT, dial));
    ns.stream().closeWrite();
    byte[] answer = collector.done.get(30, TimeUnit.SECONDS);
    try (DelimitedReader reader =
        new DelimitedReader(ByteBufAllocator.DEFAULT, AutonatV1Codec.MAX_MESSAGE_BYTES)) {
      return AutonatV1Codec.decodeResponse(reader.feed(Unpooled.wrappedBuffer(answer)).get(0));
    }
  }
}
