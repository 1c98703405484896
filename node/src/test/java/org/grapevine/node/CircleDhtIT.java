package org.grapevine.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.grapevine.protocol.testing.TestAuthors.post;

import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.grapevine.libp2p.crypto.PrivKey;
import org.grapevine.libp2p.kad.QueryKind;
import org.grapevine.node.config.DataDir;
import org.grapevine.node.config.NodeConfig;
import org.grapevine.node.core.Circle;
import org.grapevine.node.core.CoreEvent;
import org.grapevine.protocol.entry.LogEntry;
import org.grapevine.protocol.testing.TestAuthors;
import org.grapevine.protocol.topic.Topics;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The extended circle found through the DHT (issue 17), with real nodes in one JVM (TCP on
 * 127.0.0.1, no mDNS). Alice follows Bob, Bob follows Carol: Carol is in Alice's circle. Nobody
 * Alice is connected to holds Carol's log: Bob (no DHT) follows Carol without holding her posts,
 * and S, the only DHT server, follows nobody. Dave holds Carol's log (he follows her, connected to
 * her directly) and announces his follows to S. Alice's rendezvous looks up Carol's topic, finds
 * Dave, keeps him connected, and a sync with him brings Carol's posts.
 */
@Timeout(180)
class CircleDhtIT {
  @TempDir Path dir;
  private final MultiThreadIoEventLoopGroup group =
      new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
  private final List<Node> nodes = new ArrayList<>();

  @AfterEach
  void close() {
    for (Node n : nodes) {
      n.close();
    }
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
  }

  private Node node(String name, TestAuthors.Person who, NodeConfig.DhtMode mode, Node bootstrap)
      throws Exception {
    NodeConfig config = NodeConfig.loopback().withDht(new NodeConfig.Dht(mode, 4, true));
    if (mode == NodeConfig.DhtMode.SERVER) {
      // S keeps no circle: it would fetch Carol's log from Dave (connected to it), and serve it.
      config = config.withCircle(new NodeConfig.Circle(false, 0, 0, 0));
    }
    if (bootstrap != null) {
      String addr =
          bootstrap.host().listenAddrs().get(0).withPeerId(bootstrap.host().peerId()).toString();
      config = config.withNetwork(config.network().withBootstrap(List.of(addr)));
    }
    Node n =
        NodeLauncher.of(
                config,
                dir.resolve(name),
                new DataDir.Keys(
                    who.identity,
                    who.root,
                    who.deviceKey("laptop"),
                    PrivKey.generate(new SecureRandom())),
                group)
            .host(h -> h.inboundRate(1000, 1000))
            .start();
    nodes.add(n);
    return n;
  }

  @Test
  void aCircleMembersLog_isFetchedFromAPeerFoundThroughTheDht() throws Exception {
    TestAuthors.Person server = TestAuthors.person("server");
    TestAuthors.Person alice = TestAuthors.person("alice");
    TestAuthors.Person bob = TestAuthors.person("bob");
    TestAuthors.Person carol = TestAuthors.person("carol");
    TestAuthors.Person dave = TestAuthors.person("dave");
    Node s = node("s", server, NodeConfig.DhtMode.SERVER, null);

    // Carol, outside the DHT, posts; Dave follows her over a direct connection and announces it.
    Node c = node("c", carol, NodeConfig.DhtMode.OFF, null);
    List<LogEntry> written = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      written.add(c.post(post("carol " + i)));
    }
    Node d = node("d", dave, NodeConfig.DhtMode.AUTO, s);
    CountDownLatch daveCarriesCarol = new CountDownLatch(1);
    String carolTopic = Topics.forIdentity(carol.identity);
    d.addCoreListener(
        e -> {
          if (e instanceof CoreEvent.DhtQueryDone q
              && q.kind() == QueryKind.PROVIDE
              && carolTopic.equals(q.topic())
              && q.stats().success()) {
            daveCarriesCarol.countDown();
          }
        });
    d.connect(LoopbackNodes.addr(c)).get(10, TimeUnit.SECONDS);
    d.follow(carol.identity);
    LogEntry last = written.get(written.size() - 1);
    awaitTrue("d holds carol's posts", () -> d.store().entryById(last.id()).isPresent());
    assertThat(daveCarriesCarol.await(60, TimeUnit.SECONDS))
        .as("dave announced carol's topic to s")
        .isTrue();

    // Bob, outside the DHT, follows Carol but reaches nobody who holds her log; S follows Bob.
    Node b = node("b", bob, NodeConfig.DhtMode.OFF, null);
    LogEntry bobFollowsCarol = b.follow(carol.identity);
    s.connect(LoopbackNodes.addr(b)).get(10, TimeUnit.SECONDS);
    s.follow(bob.identity);
    awaitTrue(
        "s holds bob's follow of carol",
        () -> s.store().entryById(bobFollowsCarol.id()).isPresent());

    // Alice knows S only (her DHT bootstrap peer), and follows Bob: S serves his log.
    Node a = node("a", alice, NodeConfig.DhtMode.AUTO, s);
    assertThat(a.host().connections(d.host().peerId())).as("not met yet").isEmpty();
    assertThat(s.store().entryById(last.id())).as("s lacks carol's posts").isEmpty();
    a.follow(bob.identity);
    awaitTrue(
        "carol is in alice's circle, fetched",
        () ->
            a.circle().members().stream()
                .anyMatch(m -> m.identity().equals(carol.identity) && m.fetched()));

    for (LogEntry e : written) {
      awaitTrue(
          "a holds carol's post " + e.id(),
          () -> a.store().entryById(e.id()).map(LogEntry::hasContent).orElse(false));
    }
    assertThat(a.host().connections(d.host().peerId()))
        .as("alice found dave through the DHT")
        .isNotEmpty();
    assertThat(a.store().follows()).doesNotContain(carol.identity);
    assertThat(a.circle().members()).extracting(Circle.Member::identity).contains(carol.identity);
    assertThat(a.circle().dhtTopics()).isEqualTo(1);
    assertThat(a.circle().dhtTopicPeers()).isEqualTo(1);
  }

  /** Polls {@code condition} for up to 90 s (no timed assertion: a deadline to give up by). */
  private static void awaitTrue(String what, BooleanSupplier condition)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as(what).isLessThan(deadline);
      Thread.sleep(20);
    }
  }
}
