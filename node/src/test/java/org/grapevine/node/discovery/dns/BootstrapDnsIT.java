package org.grapevine.node.discovery.dns;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.grapevine.libp2p.crypto.PrivKey;
import org.grapevine.node.Node;
import org.grapevine.node.NodeLauncher;
import org.grapevine.node.config.DataDir;
import org.grapevine.node.config.NodeConfig;
import org.grapevine.protocol.testing.TestAuthors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real nodes whose bootstrap list is a {@code /dnsaddr} name, answered by a DNS server on
 * 127.0.0.1: the node resolves it and connects; with the server silent the node still starts and
 * works (it is dialled directly).
 */
@Timeout(90)
class BootstrapDnsIT {
  private static final SecureRandom RANDOM = new SecureRandom();
  @TempDir Path dir;
  private final MultiThreadIoEventLoopGroup group =
      new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
  private final TinyDnsServer dns = new TinyDnsServer(group);
  private final List<Node> nodes = new ArrayList<>();

  @AfterEach
  void close() {
    nodes.forEach(Node::close);
    dns.close();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
  }

  private Node node(String name, List<String> bootstrap) throws Exception {
    TestAuthors.Person who = TestAuthors.person(name);
    NodeConfig c = NodeConfig.loopback();
    Node n =
        NodeLauncher.of(
                c.withNetwork(c.network().withBootstrap(bootstrap)),
                dir.resolve(name),
                new DataDir.Keys(
                    who.identity, who.root, who.deviceKey("laptop"), PrivKey.generate(RANDOM)),
                group)
            .discovery(
                d ->
                    d.backoff(Duration.ofMillis(100), Duration.ofMillis(800))
                        .dns(List.of(dns.address()), Duration.ofMillis(300)))
            .start();
    nodes.add(n);
    return n;
  }

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within 30 s: " + what);
      }
      Thread.sleep(20);
    }
  }

  @Test
  void dnsaddrBootstrap_resolvedThroughDns_nodeConnects() throws Exception {
    Node b = node("b", List.of());
    String bAddr = b.host().listenAddrs().get(0).withPeerId(b.host().peerId()).toString();
    dns.txt("_dnsaddr.boot.test", "dnsaddr=/dnsaddr/b.boot.test/p2p/" + b.host().peerId())
        .txt("_dnsaddr.b.boot.test", "dnsaddr=" + bAddr);
    Node a = node("a", List.of("/dnsaddr/boot.test/p2p/" + b.host().peerId()));
    await(
        "a connects to b through the /dnsaddr name",
        () -> !a.host().connections(b.host().peerId()).isEmpty());
    assertThat(dns.asked()).contains("TXT _dnsaddr.boot.test", "TXT _dnsaddr.b.boot.test");
    assertThat(dnsCount(a, "resolved")).isEqualTo(1);
    assertThat(dnsCount(a, "failed")).isZero();
  }

  /** The node's grapevine_bootstrap_dns_total sample for {@code outcome}. */
  private static long dnsCount(Node n, String outcome) {
    return n.metrics().snapshot().stream()
        .filter(f -> f.name().equals("grapevine_bootstrap_dns_total"))
        .flatMap(f -> f.samples().stream())
        .filter(x -> outcome.equals(x.labels().get("outcome")))
        .mapToLong(x -> x.value())
        .findFirst()
        .orElseThrow();
  }

  @Test
  void dnsUnreachable_nodeStartsAndWorks() throws Exception {
    dns.silent("_dnsaddr.offline.test");
    Node a = node("a", List.of("/dnsaddr/offline.test"));
    Node b = node("b", List.of());
    a.connect(b.host().listenAddrs().get(0).withPeerId(b.host().peerId()))
        .get(10, TimeUnit.SECONDS);
    await("a connected to b directly", () -> !a.host().connections(b.host().peerId()).isEmpty());
    // The first retry comes 10 s after the first failure (BootstrapNames.RETRY_BASE): only the
    // first query is certain here, and it was asked.
    await("a asked DNS", () -> dns.asked().contains("TXT _dnsaddr.offline.test"));
    await("the failure is counted", () -> dnsCount(a, "failed") == 1);
    assertThat(dnsCount(a, "resolved")).isZero();
    assertThat(dnsCount(b, "failed")).as("no names, no DNS").isZero();
  }
}
