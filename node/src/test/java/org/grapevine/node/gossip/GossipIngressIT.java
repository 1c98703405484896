package org.grapevine.node.gossip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.grapevine.protocol.testing.TestAuthors.T0_MILLIS;
import static org.grapevine.protocol.testing.TestAuthors.post;

import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.grapevine.libp2p.gossipsub.GossipConfig;
import org.grapevine.libp2p.gossipsub.GossipRouter;
import org.grapevine.libp2p.gossipsub.netty.GossipDriver;
import org.grapevine.libp2p.host.Host;
import org.grapevine.node.core.CoreConfig;
import org.grapevine.node.core.NodeCore;
import org.grapevine.node.engine.Engine;
import org.grapevine.node.runtime.CoreDriver;
import org.grapevine.node.storage.RocksPostStore;
import org.grapevine.node.testing.BarePeer;
import org.grapevine.protocol.crypto.SigningKey;
import org.grapevine.protocol.entry.LogEntry;
import org.grapevine.protocol.log.LogWriter;
import org.grapevine.protocol.testing.TestAuthors;
import org.grapevine.protocol.topic.Topics;
import org.grapevine.protocol.validation.ChainChecker;
import org.grapevine.protocol.validation.EntryValidator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two real nodes' gossip halves (host, GossipSub driver, the node core and its driver, engine,
 * RocksDB store): Bob's entries published on Bob's topic are verified and stored by Alice's node;
 * an entry of someone else on Bob's topic is refused and not stored; a duplicate is one message.
 */
@Timeout(60)
class GossipIngressIT {
  @TempDir Path dir;
  private final MultiThreadIoEventLoopGroup group =
      new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
  private final ScheduledExecutorService storage = Executors.newSingleThreadScheduledExecutor();
  private final List<AutoCloseable> closing = new ArrayList<>();

  @AfterEach
  void close() throws Exception {
    for (int i = closing.size() - 1; i >= 0; i--) {
      closing.get(i).close();
    }
    storage.shutdownNow();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
  }

  private GossipDriver driver(Host host) {
    GossipDriver d = new GossipDriver(host, gossipConfig(), new SplittableRandom(), group.next());
    d.start();
    closing.add(d);
    return d;
  }

  /** A node's gossip configuration with a fast heartbeat. */
  private static GossipConfig gossipConfig() {
    return NodeGossip.config(
        GossipConfig.builder().heartbeatIntervalNanos(TimeUnit.MILLISECONDS.toNanos(100)).build());
  }

  private Host host() throws Exception {
    return BarePeer.host(group, closing);
  }

  @Test
  void entriesOnTheirTopic_storedByTheFollower_othersRefused() throws Exception {
    TestAuthors.Person bob = TestAuthors.person("bob");
    SigningKey bobPhone = bob.deviceKey("phone");
    String bobTopic = Topics.forIdentity(bob.identity);
    RocksPostStore aliceStore = RocksPostStore.open(dir.resolve("alice"));
    closing.add(aliceStore);
    Engine engine = new Engine(aliceStore, new EntryValidator(), new ChainChecker(), 64, 1024);
    Host aliceHost = host();
    aliceStore.follow(bob.identity); // The core subscribes to Bob's topic at start.
    NodeCore core =
        new NodeCore(
            aliceStore,
            engine,
            new GossipRouter(gossipConfig(), aliceHost.peerId(), null, new SplittableRandom(2)),
            CoreConfig.of(java.time.Duration.ofHours(1), now -> T0_MILLIS + 60_000),
            new SplittableRandom(1),
            System.nanoTime());
    CoreDriver coreDriver = new CoreDriver(core, aliceHost, storage, System::nanoTime);
    coreDriver.start();
    closing.add(coreDriver::closeGossip);
    closing.add(coreDriver);

    Host bobHost = host();
    GossipDriver bobDriver = driver(bobHost);
    bobDriver.subscribe(bobTopic).get(5, TimeUnit.SECONDS);
    bobHost
        .dial(aliceHost.listenAddrs().get(0).withPeerId(aliceHost.peerId()))
        .get(10, TimeUnit.SECONDS);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (bobDriver.topicPeers(bobTopic).get().isEmpty()) {
      assertThat(System.nanoTime()).isLessThan(deadline);
      Thread.sleep(20);
    }

    LogWriter bobLog = bob.deviceLog(bobPhone);
    List<LogEntry> entries =
        List.of(
            bob.delegate(bobPhone, T0_MILLIS),
            bobLog.append(post("hello followers"), T0_MILLIS),
            bobLog.append(post("second"), T0_MILLIS + 1));
    for (LogEntry e : entries) {
      assertThat(bobDriver.publish(bobTopic, e.toEnvelopeBytes()).get(5, TimeUnit.SECONDS).peers())
          .isEqualTo(1);
    }
    // Carol's entry on Bob's topic: refused, never stored.
    TestAuthors.Person carol = TestAuthors.person("carol");
    bobDriver
        .publish(bobTopic, carol.delegate(carol.deviceKey("x"), T0_MILLIS).toEnvelopeBytes())
        .get(5, TimeUnit.SECONDS);

    while (aliceStore.contiguousHead(bobPhone.publicKey()) < 2 || engine.rejects().isEmpty()) {
      assertThat(System.nanoTime())
          .as("alice stored " + aliceStore.contiguousHead(bobPhone.publicKey()))
          .isLessThan(deadline);
      Thread.sleep(20);
    }
    assertThat(aliceStore.logEntry(bobPhone.publicKey(), 1).orElseThrow().content())
        .contains(post("hello followers"));
    assertThat(aliceStore.contiguousHead(carol.root.publicKey())).isZero();
    assertThat(engine.rejects())
        .containsKey(org.grapevine.protocol.validation.RejectReason.WRONG_TOPIC);
    // Publishing the same entry again is the same message id: the router refuses it as seen.
    assertThat(bobDriver.publish(bobTopic, entries.get(1).toEnvelopeBytes()))
        .failsWithin(5, TimeUnit.SECONDS);
  }
}
