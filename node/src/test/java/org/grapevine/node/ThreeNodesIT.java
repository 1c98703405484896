package org.grapevine.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.grapevine.protocol.testing.TestAuthors.post;

import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.grapevine.libp2p.crypto.PrivKey;
import org.grapevine.libp2p.multiaddr.Multiaddr;
import org.grapevine.node.config.DataDir;
import org.grapevine.node.config.NodeConfig;
import org.grapevine.protocol.crypto.SigningKey;
import org.grapevine.protocol.entry.LogEntry;
import org.grapevine.protocol.testing.TestAuthors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The node issue's scenario with three real nodes in one JVM (RocksDB, TCP on 127.0.0.1, Noise,
 * Yamux, GossipSub, sync): A and C follow B; B posts; A and C get it by gossip. C stops; B posts 50
 * more; B stops; C restarts and converges by sync from A, with the author offline.
 */
@Timeout(120)
class ThreeNodesIT {
  @TempDir Path dir;
  private final MultiThreadIoEventLoopGroup group =
      new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
  private Node a;
  private Node b;
  private Node c;

  @AfterEach
  void close() {
    for (Node n : new Node[] {a, b, c}) {
      if (n != null) {
        n.close();
      }
    }
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
  }

  private Node node(String name, TestAuthors.Person who, SigningKey device, boolean withRoot)
      throws Exception {
    return NodeLauncher.of(
            NodeConfig.loopback(),
            dir.resolve(name),
            new DataDir.Keys(
                who.identity,
                withRoot ? who.root : null,
                device,
                PrivKey.generate(new SecureRandom())),
            group)
        .host(h -> h.inboundRate(1000, 1000))
        .start();
  }

  private static Multiaddr addr(Node n) {
    return n.host().listenAddrs().get(0).withPeerId(n.host().peerId());
  }

  private static void await(String what, LongSupplier value, long expected)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (value.getAsLong() < expected) {
      assertThat(System.nanoTime())
          .as(what + ": " + value.getAsLong() + " of " + expected)
          .isLessThan(deadline);
      Thread.sleep(20);
    }
  }

  @Test
  void followersGetPostsByGossip_andARestartedFollowerCatchesUpFromAnotherFollower()
      throws Exception {
    TestAuthors.Person alice = TestAuthors.person("alice");
    TestAuthors.Person bob = TestAuthors.person("bob");
    TestAuthors.Person carol = TestAuthors.person("carol");
    SigningKey bobPhone = bob.deviceKey("phone");
    SigningKey carolLaptop = carol.deviceKey("laptop");
    a = node("a", alice, alice.deviceKey("laptop"), true);
    b = node("b", bob, bobPhone, true);
    c = node("c", carol, carolLaptop, true);
    a.connect(addr(b)).get(10, TimeUnit.SECONDS);
    c.connect(addr(b)).get(10, TimeUnit.SECONDS);
    a.connect(addr(c)).get(10, TimeUnit.SECONDS);
    a.follow(bob.identity);
    c.follow(bob.identity);
    Thread.sleep(1500); // Subscriptions travel and meshes form (heartbeat 1 s).

    LogEntry hello = b.post(post("hello, followers"));
    await("a has bob's first post", () -> a.store().contiguousHead(bobPhone.publicKey()), 1);
    await("c has bob's first post", () -> c.store().contiguousHead(bobPhone.publicKey()), 1);
    assertThat(a.store().entryById(hello.id()).orElseThrow().content())
        .contains(post("hello, followers"));

    c.close();
    c = null;
    for (int i = 1; i <= 50; i++) {
      b.post(post("while carol was away " + i));
    }
    await("a has all 51", () -> a.store().contiguousHead(bobPhone.publicKey()), 51);
    b.close();
    b = null;

    c =
        node(
            "c",
            carol,
            carolLaptop,
            false); // Same data directory: the device is delegated already.
    assertThat(c.store().contiguousHead(bobPhone.publicKey())).isEqualTo(1);
    c.connect(addr(a)).get(10, TimeUnit.SECONDS);
    await("c caught up from a", () -> c.store().contiguousHead(bobPhone.publicKey()), 51);
    assertThat(c.store().logEntry(bobPhone.publicKey(), 51).orElseThrow().content())
        .contains(post("while carol was away 50"));
    assertThat(c.store().follows()).contains(bob.identity);
  }
}
