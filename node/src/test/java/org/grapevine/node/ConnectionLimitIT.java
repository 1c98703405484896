package org.grapevine.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.grapevine.libp2p.crypto.PrivKey;
import org.grapevine.libp2p.host.Connection;
import org.grapevine.libp2p.host.DialException;
import org.grapevine.libp2p.host.Host;
import org.grapevine.libp2p.host.HostConfig;
import org.grapevine.libp2p.multiaddr.Multiaddr;
import org.grapevine.node.config.DataDir;
import org.grapevine.node.config.NodeConfig;
import org.grapevine.protocol.testing.TestAuthors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code network.max_connections} is the node's connection limit, from the config through {@link
 * NodeLauncher} to the host that accepts connections. The host's own default limit is 300, and the
 * option once reached only discovery: a node configured for 400 stopped accepting at 300. Here real
 * peers (bare libp2p hosts: TCP, Noise, Yamux, identify on 127.0.0.1) dial one node: one configured
 * for 400 accepts 310 of them, one configured for 5 refuses the sixth.
 *
 * <p>The node's inbound rate limit (5 new connections a second by default, not a config option) is
 * raised so that 310 dials take seconds, not a minute.
 */
@Timeout(120)
class ConnectionLimitIT {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final int DIALS_IN_FLIGHT = 32;

  @TempDir Path dir;
  private final MultiThreadIoEventLoopGroup group =
      new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
  private final List<AutoCloseable> closing = new ArrayList<>();

  @AfterEach
  void close() throws Exception {
    for (AutoCloseable c :
        closing) { // The node first: the dialers then have nothing left to close.
      c.close();
    }
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
  }

  private Node node(String name, int maxConnections) throws Exception {
    TestAuthors.Person who = TestAuthors.person(name);
    NodeConfig config = NodeConfig.loopback();
    // Target 0: the node dials nobody, every connection below is inbound.
    config = config.withNetwork(config.network().withConnections(0, maxConnections));
    Node n =
        NodeLauncher.of(
                config,
                dir.resolve(name),
                new DataDir.Keys(
                    who.identity, who.root, who.deviceKey("laptop"), PrivKey.generate(RANDOM)),
                group)
            .host(h -> h.inboundRate(10_000, 10_000))
            .start();
    closing.add(n);
    return n;
  }

  /** A peer that only dials: no listener, no protocols beyond the host's own. */
  private Host dialer() throws Exception {
    Host h =
        new Host(
            HostConfig.builder(PrivKey.generate(RANDOM))
                .shutdownGrace(Duration.ofMillis(100))
                .build(),
            group);
    h.start();
    closing.add(h);
    return h;
  }

  private static Multiaddr addr(Node n) {
    return n.host().listenAddrs().get(0).withPeerId(n.host().peerId());
  }

  @Test
  void configuredForFourHundred_acceptsMoreThanThreeHundredInbound() throws Exception {
    Node node = node("big", 400);
    Semaphore inFlight = new Semaphore(DIALS_IN_FLIGHT);
    List<CompletableFuture<Connection>> dials = new ArrayList<>();
    for (int i = 0; i < 310; i++) {
      Host h = dialer();
      inFlight.acquire();
      dials.add(h.dial(addr(node)).whenComplete((c, e) -> inFlight.release()));
    }
    for (CompletableFuture<Connection> d : dials) {
      assertThat(d.get(60, TimeUnit.SECONDS).remotePeer()).isEqualTo(node.host().peerId());
    }

    await("the node holds all 310 connections", () -> node.host().connections().size() == 310);
    await("discovery counts 310 peers", () -> node.discovery().connectedCount().join() == 310);
    assertThat(node.host().config().maxConnections()).isEqualTo(400);
  }

  @Test
  void configuredForFive_refusesTheSixthInbound() throws Exception {
    Node node = node("small", 5);
    for (int i = 0; i < 5; i++) {
      dialer().dial(addr(node)).get(30, TimeUnit.SECONDS);
    }
    await("the node holds 5 connections", () -> node.host().connections().size() == 5);

    for (int i = 0; i < 3; i++) {
      CompletableFuture<Connection> refused = dialer().dial(addr(node));
      ExecutionException e =
          org.junit.jupiter.api.Assertions.assertThrows(
              ExecutionException.class, () -> refused.get(30, TimeUnit.SECONDS));
      assertThat(e.getCause()).isInstanceOf(DialException.class);
    }
    assertThat(node.host().connections()).hasSize(5);
    assertThat(node.discovery().connectedCount().join()).isEqualTo(5);
  }

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as(what).isLessThan(deadline);
      Thread.sleep(20);
    }
  }
}
