package org.grapevine.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.grapevine.protocol.testing.TestAuthors.post;

import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.grapevine.libp2p.crypto.PrivKey;
import org.grapevine.libp2p.kad.QueryKind;
import org.grapevine.node.config.DataDir;
import org.grapevine.node.config.NodeConfig;
import org.grapevine.node.core.CoreEvent;
import org.grapevine.node.storage.TimelineCursor;
import org.grapevine.protocol.crypto.SigningKey;
import org.grapevine.protocol.entry.LogEntry;
import org.grapevine.protocol.identity.Identity;
import org.grapevine.protocol.proto.Content;
import org.grapevine.protocol.proto.Post;
import org.grapevine.protocol.testing.TestAuthors;
import org.grapevine.protocol.topic.Topics;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13's scenario with real nodes in one JVM (TCP on 127.0.0.1, no mDNS): A is a DHT server and
 * nothing else; B and C know only A (client mode, as on a laptop). C follows B, never met: the DHT
 * leads C to B, and C gets B's history and then B's live posts. With B gone, D follows B and gets
 * the history from C, which it found in the DHT as a provider of B's topic.
 */
@Timeout(120)
class RendezvousIT {
  @TempDir Path dir;
  private final MultiThreadIoEventLoopGroup group =
      new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
  private Node a;
  private Node b;
  private Node c;
  private Node d;

  @AfterEach
  void close() {
    for (Node n : new Node[] {a, b, c, d}) {
      if (n != null) {
        n.close();
      }
    }
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
  }

  private Node node(String name, TestAuthors.Person who, NodeConfig.DhtMode mode, Node bootstrap)
      throws Exception {
    NodeConfig config = NodeConfig.loopback().withDht(new NodeConfig.Dht(mode, 4, true));
    if (bootstrap != null) {
      String addr =
          bootstrap.host().listenAddrs().get(0).withPeerId(bootstrap.host().peerId()).toString();
      config = config.withNetwork(config.network().withBootstrap(List.of(addr)));
    }
    return NodeLauncher.of(
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
  }

  /** A latch released when {@code node} announced {@code topic}'s provider record to a peer. */
  private static CountDownLatch announced(Node node, Identity of) {
    CountDownLatch done = new CountDownLatch(1);
    String topic = Topics.forIdentity(of);
    node.addCoreListener(
        e -> {
          if (e instanceof CoreEvent.DhtQueryDone q
              && q.kind() == QueryKind.PROVIDE
              && topic.equals(q.topic())
              && q.stats().success()) {
            done.countDown();
          }
        });
    return done;
  }

  private static long await(String what, LongSupplier value, long expected)
      throws InterruptedException {
    long start = System.nanoTime();
    long deadline = start + TimeUnit.SECONDS.toNanos(60);
    while (value.getAsLong() < expected) {
      assertThat(System.nanoTime())
          .as(what + ": " + value.getAsLong() + " of " + expected)
          .isLessThan(deadline);
      Thread.sleep(20);
    }
    return System.nanoTime() - start;
  }

  @Test
  void followANeverMetIdentity_theDhtLeadsToItsNode_thenToAnotherFollowerWhenItIsGone()
      throws Exception {
    TestAuthors.Person alice = TestAuthors.person("alice");
    TestAuthors.Person bob = TestAuthors.person("bob");
    TestAuthors.Person carol = TestAuthors.person("carol");
    TestAuthors.Person dave = TestAuthors.person("dave");
    SigningKey bobLaptop = bob.deviceKey("laptop");
    a = node("a", alice, NodeConfig.DhtMode.SERVER, null);

    // B announces its own topic to A, the only DHT server it knows.
    CountDownLatch bobAnnounced = new CountDownLatch(1);
    b = node("b", bob, NodeConfig.DhtMode.AUTO, a);
    b.addCoreListener(
        e -> {
          if (e instanceof CoreEvent.DhtQueryDone q
              && q.kind() == QueryKind.PROVIDE
              && q.stats().success()) {
            bobAnnounced.countDown();
          }
        });
    b.post(post("bob's first"));
    b.post(post("bob's second"));
    assertThat(bobAnnounced.await(60, TimeUnit.SECONDS)).as("bob's topic announced").isTrue();

    c = node("c", carol, NodeConfig.DhtMode.AUTO, a);
    CountDownLatch carolCarriesBob = announced(c, bob.identity);
    assertThat(c.host().connections(b.host().peerId())).isEmpty();
    c.follow(bob.identity);
    long firstPost =
        await("c has bob's history", () -> c.store().contiguousHead(bobLaptop.publicKey()), 2);
    assertThat(c.host().connections(b.host().peerId()))
        .as("c found b through the DHT")
        .isNotEmpty();

    b.post(post("bob's third, live"));
    await("c has bob's live post", () -> c.store().contiguousHead(bobLaptop.publicKey()), 3);
    assertThat(carolCarriesBob.await(60, TimeUnit.SECONDS))
        .as("carol announced bob's topic (announce_follows)")
        .isTrue();

    b.close();
    b = null;
    d = node("d", dave, NodeConfig.DhtMode.AUTO, a);
    d.follow(bob.identity);
    await("d has bob's history from c", () -> d.store().contiguousHead(bobLaptop.publicKey()), 3);
    assertThat(d.host().connections(c.host().peerId()))
        .as("d found c through the DHT")
        .isNotEmpty();

    System.out.printf("RendezvousIT: follow to bob's history at c took %.0f ms%n", firstPost / 1e6);
  }

  /**
   * Issue 15's reach with real nodes: Carol, a stranger to Bob who knows only the DHT server A,
   * mentions Bob. Nobody connected to her subscribes to Bob's addressee topic, so the mention waits
   * in her outbox while her rendezvous looks up the providers of Bob's topic; it finds Bob, whose
   * subscription takes it. Without the outbox it would have been published to nobody.
   */
  @Test
  void aStrangersMention_waitsForAPeerOfTheAddressee_andReachesItThroughTheDht() throws Exception {
    TestAuthors.Person alice = TestAuthors.person("alice");
    TestAuthors.Person bob = TestAuthors.person("bob");
    TestAuthors.Person carol = TestAuthors.person("carol");
    a = node("a", alice, NodeConfig.DhtMode.SERVER, null);
    b = node("b", bob, NodeConfig.DhtMode.AUTO, a);
    CountDownLatch bobAnnounced = announced(b, bob.identity);
    assertThat(bobAnnounced.await(60, TimeUnit.SECONDS)).as("bob's topic announced").isTrue();
    c = node("c", carol, NodeConfig.DhtMode.AUTO, a);
    assertThat(c.host().connections(b.host().peerId())).isEmpty();

    LogEntry mention =
        c.post(
            Content.newBuilder()
                .setPost(
                    Post.newBuilder()
                        .setText("hello @bob, from someone you do not follow")
                        .addMentions(TestAuthors.bytes(bob.identity.root())))
                .build());

    long took =
        await(
            "bob holds carol's mention",
            () ->
                b.store().looseEntries().stream().anyMatch(e -> e.id().equals(mention.id()))
                    ? 1
                    : 0,
            1);
    assertThat(c.host().connections(b.host().peerId()))
        .as("carol found bob through the DHT")
        .isNotEmpty();
    assertThat(b.store().addressedTo(bob.identity, TimelineCursor.before(Long.MAX_VALUE), 10))
        .extracting(LogEntry::id)
        .contains(mention.id());
    System.out.printf("RendezvousIT: a stranger's mention reached bob in %.0f ms%n", took / 1e6);
  }
}
