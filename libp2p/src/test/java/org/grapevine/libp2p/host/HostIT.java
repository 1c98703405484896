package org.grapevine.libp2p.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.Unpooled;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.grapevine.libp2p.crypto.PrivKey;
import org.grapevine.libp2p.echo.EchoProtocol;
import org.grapevine.libp2p.identify.IdentifyProtocol;
import org.grapevine.libp2p.multiaddr.Multiaddr;
import org.grapevine.libp2p.peer.PeerId;
import org.grapevine.libp2p.ping.PingProtocol;
import org.grapevine.libp2p.pnet.SwarmKey;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Two or more real hosts over TCP on 127.0.0.1: the whole upgrade and the host API. */
@Timeout(60)
class HostIT {
  private static final SecureRandom RANDOM = new SecureRandom();
  private final List<Host> hosts = new ArrayList<>();

  @AfterEach
  void closeHosts() {
    hosts.forEach(Host::close);
  }

  private Host host(SwarmKey key) throws Exception {
    return host(
        HostConfig.builder(PrivKey.generate(RANDOM))
            .listen("/ip4/127.0.0.1/tcp/0")
            .swarmKey(key)
            .inboundRate(1000, 1000)
            .build());
  }

  private Host host(HostConfig config) throws Exception {
    Host h = new Host(config);
    hosts.add(h);
    h.start();
    h.setProtocolHandler(EchoProtocol.ID, (stream, conn) -> EchoProtocol.respond(stream));
    return h;
  }

  private static Multiaddr addr(Host h) {
    return h.listenAddrs().get(0).withPeerId(h.peerId());
  }

  @Test
  void injectedClockAndRandomness_pingMeasuresWithTheConfigsClock() throws Exception {
    Host a = host((SwarmKey) null);
    java.util.concurrent.atomic.AtomicLong ticks =
        new java.util.concurrent.atomic.AtomicLong(Long.MAX_VALUE - 5);
    java.util.concurrent.atomic.AtomicInteger draws =
        new java.util.concurrent.atomic.AtomicInteger();
    java.util.random.RandomGenerator counted =
        new java.util.Random(1) {
          @Override
          public void nextBytes(byte[] bytes) {
            draws.incrementAndGet();
            super.nextBytes(bytes);
          }
        };
    HostConfig config =
        HostConfig.builder(PrivKey.generate(RANDOM))
            .nanoClock(() -> ticks.getAndAdd(7_000))
            .random(counted)
            .build();
    assertThat(config.random()).isSameAs(counted);
    Host b = host(config);
    // Identify's observed address is recorded with the host's clock too: let it finish first.
    CompletableFuture<Void> identified = new CompletableFuture<>();
    b.addListener(
        new HostListener() {
          @Override
          public void onIdentified(
              Connection connection, org.grapevine.libp2p.identify.IdentifyResult identify) {
            identified.complete(null);
          }
        });
    Connection c = b.dial(addr(a)).get(10, TimeUnit.SECONDS);
    identified.get(10, TimeUnit.SECONDS);
    int before = draws.get();
    // The ping reads the clock twice, 7 µs of virtual time apart (across the long range's wrap).
    assertThat(b.ping(c).get(10, TimeUnit.SECONDS)).isEqualTo(7_000);
    assertThat(draws.get())
        .as("the ping payload came from the injected randomness")
        .isGreaterThan(before);
    assertThat(HostConfig.builder(PrivKey.generate(RANDOM)).build().random())
        .isInstanceOf(SecureRandom.class);
  }

  @Test
  void dial_withPeerId_connectsIdentifiesAndPings() throws Exception {
    Host a = host((SwarmKey) null);
    Host b = host((SwarmKey) null);
    CompletableFuture<org.grapevine.libp2p.identify.IdentifyResult> identified =
        new CompletableFuture<>();
    b.addListener(
        new HostListener() {
          @Override
          public void onIdentified(
              Connection connection, org.grapevine.libp2p.identify.IdentifyResult identify) {
            identified.complete(identify);
          }
        });
    List<String> inboundStreams = new java.util.concurrent.CopyOnWriteArrayList<>();
    a.addListener(
        new HostListener() {
          @Override
          public void onStreamOpened(Connection connection, String protocol, boolean inbound) {
            if (inbound) {
              inboundStreams.add(protocol);
            }
          }
        });
    Connection c = b.dial(addr(a)).get(10, TimeUnit.SECONDS);
    assertThat(c.remotePeer()).isEqualTo(a.peerId());
    assertThat(c.direction()).isEqualTo(Connection.Direction.OUTBOUND);
    var id = identified.get(10, TimeUnit.SECONDS);
    assertThat(id.peer()).isEqualTo(a.peerId());
    assertThat(id.protocols()).contains(IdentifyProtocol.ID, PingProtocol.ID, EchoProtocol.ID);
    assertThat(id.agentVersion()).startsWith("grapevine/");
    assertThat(Multiaddr.decode(id.listenAddrs().get(0))).isEqualTo(a.listenAddrs().get(0));
    assertThat(b.peerStore().addrs(a.peerId())).contains(a.listenAddrs().get(0).toString());
    long rtt = b.ping(c).get(10, TimeUnit.SECONDS);
    assertThat(rtt).isPositive();
    assertThat(inboundStreams).contains(IdentifyProtocol.ID, PingProtocol.ID);
    // The listener sees the same connection from its side.
    assertThat(a.connections(b.peerId()))
        .singleElement()
        .satisfies(in -> assertThat(in.direction()).isEqualTo(Connection.Direction.INBOUND));
    // A second dial to the same peer reuses the connection.
    assertThat(b.dial(addr(a)).get(10, TimeUnit.SECONDS)).isSameAs(c);
  }

  @Test
  void channelHook_seesEachChannelBeforeTheUpgrade_itsHandlerSitsAtTheSocket() throws Exception {
    List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
    java.util.concurrent.atomic.AtomicLong rawBytesIn =
        new java.util.concurrent.atomic.AtomicLong();
    ChannelHook hook =
        (channel, direction, remote) -> {
          seen.add(direction + " " + remote.getPort());
          channel
              .pipeline()
              .addLast(
                  "raw-counter",
                  new io.netty.channel.ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelRead(
                        io.netty.channel.ChannelHandlerContext ctx, Object msg) {
                      rawBytesIn.addAndGet(((io.netty.buffer.ByteBuf) msg).readableBytes());
                      ctx.fireChannelRead(msg);
                    }
                  });
        };
    Host a =
        host(
            HostConfig.builder(PrivKey.generate(RANDOM))
                .listen("/ip4/127.0.0.1/tcp/0")
                .inboundRate(1000, 1000)
                .channelHook(hook)
                .build());
    Host b = host(HostConfig.builder(PrivKey.generate(RANDOM)).channelHook(hook).build());

    Connection c = b.dial(addr(a)).get(10, TimeUnit.SECONDS);
    assertThat(b.ping(c).get(10, TimeUnit.SECONDS)).isPositive();

    int aPort = a.listenAddrs().get(0).tcpSocketAddress().orElseThrow().getPort();
    int bPort = ((java.net.InetSocketAddress) c.channel().localAddress()).getPort();
    assertThat(seen).containsExactlyInAnyOrder("OUTBOUND " + aPort, "INBOUND " + bPort);
    // Under the whole upgrade: the first handler from the socket, seeing the encrypted bytes.
    assertThat(c.channel().pipeline().names().get(0)).isEqualTo("raw-counter");
    assertThat(rawBytesIn.get()).isPositive();
  }

  @Test
  void ipv6_listenAndDialOnLoopback_connectsAndPings() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(
        ipv6LoopbackAvailable(), "this machine has no IPv6 loopback (::1)");
    Host a =
        host(
            HostConfig.builder(PrivKey.generate(RANDOM))
                .listen("/ip6/::1/tcp/0")
                .inboundRate(1000, 1000)
                .build());
    Host b = host((SwarmKey) null);
    assertThat(a.listenAddrs().get(0).toString()).startsWith("/ip6/::1/tcp/");
    Connection c = b.dial(a.listenAddrs().get(0).withPeerId(a.peerId())).get(10, TimeUnit.SECONDS);
    assertThat(c.remoteAddr().toString()).startsWith("/ip6/::1/tcp/");
    assertThat(b.ping(c).get(10, TimeUnit.SECONDS)).isPositive();
  }

  @SuppressWarnings("AddressSelection") // a literal address: parsed, never looked up
  private static boolean ipv6LoopbackAvailable() {
    try (java.net.ServerSocket s = new java.net.ServerSocket()) {
      s.bind(new java.net.InetSocketAddress(java.net.InetAddress.getByName("::1"), 0));
      return true;
    } catch (java.io.IOException e) {
      return false;
    }
  }

  @Test
  void echo_concurrentStreamsBeyondTheWindow_everyByteBackInOrder() throws Exception {
    Host a = host((SwarmKey) null);
    Host b = host((SwarmKey) null);
    int streams = 4;
    int size = 1024 * 1024 + 7; // Four times the 256 KiB Yamux window, not a multiple of any chunk.
    List<CompletableFuture<byte[]>> results = new ArrayList<>();
    List<byte[]> sent = new ArrayList<>();
    for (int i = 0; i < streams; i++) {
      byte[] payload = new byte[size];
      new java.util.Random(i).nextBytes(payload);
      sent.add(payload);
      NegotiatedStream ns =
          b.newStream(addr(a), List.of(EchoProtocol.ID)).get(10, TimeUnit.SECONDS);
      assertThat(ns.protocol()).isEqualTo(EchoProtocol.ID);
      StreamCollector collector = new StreamCollector();
      ns.stream().setReader(collector);
      for (int off = 0; off < size; off += 50_000) {
        ns.stream().write(Unpooled.wrappedBuffer(payload, off, Math.min(50_000, size - off)));
      }
      ns.stream().closeWrite();
      results.add(collector.done);
    }
    for (int i = 0; i < streams; i++) {
      assertThat(results.get(i).get(30, TimeUnit.SECONDS)).isEqualTo(sent.get(i));
    }
  }

  @SuppressWarnings(
      "FutureReturnValueIgnored") // the test waits on `got`, which both callbacks complete
  @Test
  void handlerSettingItsReaderLater_onAnotherThread_losesNothing() throws Exception {
    Host a = host((SwarmKey) null);
    Host b = host((SwarmKey) null);
    java.util.concurrent.ScheduledExecutorService later =
        java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
    try {
      CompletableFuture<byte[]> got = new CompletableFuture<>();
      a.setProtocolHandler(
          "/test/late/1.0.0",
          (stream, conn) ->
              later.schedule(
                  () -> {
                    StreamCollector c = new StreamCollector();
                    c.done.whenComplete((bytes, e) -> got.complete(bytes));
                    stream.setReader(c);
                  },
                  300,
                  TimeUnit.MILLISECONDS));
      NegotiatedStream ns =
          b.newStream(addr(a), List.of("/test/late/1.0.0")).get(10, TimeUnit.SECONDS);
      byte[] payload = new byte[100_000];
      new java.util.Random(5).nextBytes(payload);
      ns.stream().write(Unpooled.wrappedBuffer(payload));
      ns.stream().closeWrite();
      assertThat(got.get(10, TimeUnit.SECONDS)).isEqualTo(payload);
    } finally {
      later.shutdownNow();
    }
  }

  @Test
  void dial_wrongPeerId_failsNamingTheMismatch() throws Exception {
    Host a = host((SwarmKey) null);
    Host b = host((SwarmKey) null);
    PeerId impostor = PeerId.fromPubKey(PrivKey.generate(RANDOM).publicKey());
    var f = b.dial(a.listenAddrs().get(0).withPeerId(impostor));
    assertThatThrownBy(() -> f.get(10, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(DialException.class)
        .hasMessageContaining("PEER_ID_MISMATCH")
        .hasMessageContaining(impostor.toString());
    assertThat(b.connections()).isEmpty();
  }

  @Test
  void dial_nobodyListening_failsWithRefused() throws Exception {
    Host b = host((SwarmKey) null);
    Multiaddr closedPort;
    try (java.net.ServerSocket s =
        new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      closedPort = Multiaddr.parse("/ip4/127.0.0.1/tcp/" + s.getLocalPort());
    }
    assertThatThrownBy(() -> b.dial(closedPort).get(10, TimeUnit.SECONDS))
        .hasCauseInstanceOf(DialException.class)
        .hasMessageContaining(closedPort.toString());
  }

  @Test
  void swarmKey_sameKey_connects() throws Exception {
    SwarmKey key = SwarmKey.generate(RANDOM);
    Host a = host(key);
    Host b = host(key);
    assertThat(b.dial(addr(a)).get(10, TimeUnit.SECONDS).remotePeer()).isEqualTo(a.peerId());
  }

  @Test
  void swarmKey_differentKeyOrNoKey_refused() throws Exception {
    Host a = host(SwarmKey.generate(RANDOM));
    Host other = host(SwarmKey.generate(RANDOM));
    Host none = host((SwarmKey) null);
    assertThatThrownBy(() -> other.dial(addr(a)).get(15, TimeUnit.SECONDS))
        .hasCauseInstanceOf(DialException.class);
    assertThatThrownBy(() -> none.dial(addr(a)).get(15, TimeUnit.SECONDS))
        .hasCauseInstanceOf(DialException.class);
    assertThatThrownBy(() -> a.dial(addr(none)).get(15, TimeUnit.SECONDS))
        .hasCauseInstanceOf(DialException.class);
    assertThat(a.connections()).isEmpty();
  }

  @Test
  void newStream_unknownProtocol_failsAndConnectionStaysUsable() throws Exception {
    Host a = host((SwarmKey) null);
    Host b = host((SwarmKey) null);
    Connection c = b.dial(addr(a)).get(10, TimeUnit.SECONDS);
    assertThatThrownBy(() -> b.newStream(c, List.of("/no/such/protocol")).get(10, TimeUnit.SECONDS))
        .hasCauseInstanceOf(DialException.class)
        .hasMessageContaining("accepted none");
    assertThat(b.ping(c).get(10, TimeUnit.SECONDS)).isPositive();
  }

  @Test
  void inboundRateLimit_excessConnectionsRefused_othersServed() throws Exception {
    Host a =
        host(
            HostConfig.builder(PrivKey.generate(RANDOM))
                .listen("/ip4/127.0.0.1/tcp/0")
                .inboundRate(0.01, 1)
                .build());
    Host b = host((SwarmKey) null);
    Host c = host((SwarmKey) null);
    assertThat(b.dial(addr(a)).get(10, TimeUnit.SECONDS)).isNotNull();
    assertThatThrownBy(() -> c.dial(addr(a)).get(10, TimeUnit.SECONDS))
        .hasCauseInstanceOf(DialException.class);
    assertThat(b.ping(b.connections(a.peerId()).get(0)).get(10, TimeUnit.SECONDS)).isPositive();
  }

  @Test
  void garbageAndSilentConnections_closedWhileOthersAreServed() throws Exception {
    Host a =
        host(
            HostConfig.builder(PrivKey.generate(RANDOM))
                .listen("/ip4/127.0.0.1/tcp/0")
                .inboundRate(1000, 1000)
                .upgradeTimeout(Duration.ofSeconds(1))
                .build());
    Host b = host((SwarmKey) null);
    java.net.InetSocketAddress target = a.listenAddrs().get(0).tcpSocketAddress().orElseThrow();
    try (java.net.Socket garbage = new java.net.Socket(target.getAddress(), target.getPort());
        java.net.Socket silent = new java.net.Socket(target.getAddress(), target.getPort())) {
      garbage
          .getOutputStream()
          .write(
              "GET / HTTP/1.1\r\nHost: x\r\n\r\n"
                  .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      garbage.setSoTimeout(5000);
      silent.setSoTimeout(5000);
      // A real peer is served meanwhile.
      assertThat(b.ping(b.dial(addr(a)).get(10, TimeUnit.SECONDS)).get(10, TimeUnit.SECONDS))
          .isPositive();
      assertThat(readUntilClosed(garbage))
          .isLessThan(100); // Closed after at most a multistream reply.
      long start = System.nanoTime();
      assertThat(readUntilClosed(silent)).isZero(); // Slow-loris: closed by the upgrade timeout.
      assertThat(System.nanoTime() - start).isLessThan(TimeUnit.SECONDS.toNanos(5));
    }
    assertThat(a.connections()).hasSize(1);
  }

  /** Reads until the peer closes (EOF); returns the bytes read. */
  private static int readUntilClosed(java.net.Socket s) throws java.io.IOException {
    int total = 0;
    byte[] buf = new byte[256];
    for (int n; (n = s.getInputStream().read(buf)) > 0; ) {
      total += n;
    }
    return total;
  }

  @Test
  void close_tellsPeersAndFreesTheirConnection() throws Exception {
    Host a = host((SwarmKey) null);
    Host b = host((SwarmKey) null);
    CountDownLatch gone = new CountDownLatch(1);
    b.addListener(
        new HostListener() {
          @Override
          public void onDisconnected(Connection connection) {
            gone.countDown();
          }
        });
    b.dial(addr(a)).get(10, TimeUnit.SECONDS);
    a.close();
    assertThat(gone.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(b.connections()).isEmpty();
  }
}
