package org.grapevine.benchmarks;

import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.grapevine.libp2p.crypto.PrivKey;
import org.grapevine.libp2p.gossipsub.netty.GossipDriver;
import org.grapevine.libp2p.host.Host;
import org.grapevine.libp2p.host.HostConfig;
import org.grapevine.node.Node;
import org.grapevine.node.gossip.NodeGossip;
import org.grapevine.node.storage.RocksPostStore;
import org.grapevine.protocol.entry.LogEntry;
import org.grapevine.protocol.testing.TestAuthors;
import org.grapevine.protocol.topic.Topics;

/**
 * Gossip ingestion through a real node: a bare pubsub peer publishes the entries of {@code
 * identities} identities on their topics to a node that follows them, over TCP, Noise and Yamux on
 * 127.0.0.1, and the clock runs until the node has stored every one; against the single-thread
 * decode + checks + signature rate of the same envelopes in the same run. At most {@code window}
 * messages are in flight (published, not yet stored), below the router's validation queue, so none
 * is dropped and nothing needs a sync.
 *
 * <p>Usage: {@code java -cp benchmarks/target/benchmarks.jar
 * org.grapevine.benchmarks.GossipIngestHarness [identities=50] [entriesEach=200] [rounds=2]
 * [window=256]}
 */
public final class GossipIngestHarness {
  public static void main(String[] args) throws Exception {
    int identities = args.length > 0 ? Integer.parseInt(args[0]) : 50;
    int entriesEach = args.length > 1 ? Integer.parseInt(args[1]) : 200;
    int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 2;
    int window = args.length > 3 ? Integer.parseInt(args[3]) : 256;
    List<NodeBench.Author> authors =
        NodeBench.authors("gossip", identities, entriesEach - 1, 60_000, 7);
    List<String> topics = new ArrayList<>();
    List<byte[]> envelopes = new ArrayList<>(); // Interleaved: entry j of every author, then j+1.
    List<String> envelopeTopics = new ArrayList<>();
    for (NodeBench.Author a : authors) {
      topics.add(Topics.forIdentity(a.person().identity));
    }
    for (int j = 0; j < entriesEach; j++) {
      for (int i = 0; i < authors.size(); i++) {
        LogEntry e = authors.get(i).entries().get(j);
        envelopes.add(e.toEnvelopeBytes());
        envelopeTopics.add(topics.get(i));
      }
    }
    System.out.printf(
        Locale.ROOT,
        "%d entries (%d identities x %d), window %d; JDK %s, %d cpus, %s%n",
        envelopes.size(),
        identities,
        entriesEach,
        window,
        System.getProperty("java.version"),
        Runtime.getRuntime().availableProcessors(),
        NodeBench.loadAverage());
    double verifySeconds = NodeBench.bestAfterWarmUp(() -> CatchUpHarness.verifyAll(envelopes));
    System.out.printf(
        Locale.ROOT,
        "baseline, decode + checks + signature, one thread: %7.2f s  (%,.0f /s)%n",
        verifySeconds,
        envelopes.size() / verifySeconds);

    Path dir = Files.createTempDirectory("grapevine-gossip-ingest");
    MultiThreadIoEventLoopGroup nodeGroup =
        new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    MultiThreadIoEventLoopGroup peerGroup =
        new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    try {
      for (int round = 1; round <= rounds; round++) {
        Path nodeDir = dir.resolve("node" + round);
        try (RocksPostStore store = RocksPostStore.open(nodeDir.resolve("store"))) {
          authors.forEach(a -> store.follow(a.person().identity)); // Subscribed at start.
        }
        try (Node node = NodeBench.start(nodeDir, TestAuthors.person("gossip-node"), nodeGroup)) {
          AtomicLong stored = new AtomicLong();
          node.addEntryListener(e -> stored.incrementAndGet());
          Host host =
              new Host(
                  HostConfig.builder(PrivKey.generate(new SecureRandom()))
                      .listen("/ip4/127.0.0.1/tcp/0")
                      .build(),
                  peerGroup);
          host.start();
          GossipDriver peer =
              new GossipDriver(
                  host, NodeGossip.config(), new SplittableRandom(1), peerGroup.next());
          try {
            double cpu = NodeBench.processCpuSeconds();
            var threads = NodeBench.threadCpuSeconds();
            double seconds =
                run(node, host, peer, topics, envelopes, envelopeTopics, stored, window);
            cpu = NodeBench.processCpuSeconds() - cpu;
            System.out.printf(
                Locale.ROOT,
                "round %d: node stored all %d entries after %7.2f s  (%,.0f /s) = %.2f of"
                    + " decode+verify on one thread; CPU %.1f s; %s%n",
                round,
                envelopes.size(),
                seconds,
                envelopes.size() / seconds,
                verifySeconds / seconds,
                cpu,
                NodeBench.loadAverage());
            System.out.println(
                "  CPU by thread:" + NodeBench.cpuBreakdown(threads, NodeBench.threadCpuSeconds()));
          } finally {
            peer.close();
            host.close();
          }
        }
        NodeBench.deleteTree(nodeDir);
      }
    } finally {
      nodeGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
      peerGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
      NodeBench.deleteTree(dir);
    }
  }

  /**
   * Connects the peer, waits until it knows the node subscribes to every topic, then publishes
   * within the window; returns the seconds from the first publish to the last entry stored.
   */
  // A publish's future only says how many peers it went to; the stored count is what is awaited.
  @SuppressWarnings("FutureReturnValueIgnored")
  private static double run(
      Node node,
      Host host,
      GossipDriver peer,
      List<String> topics,
      List<byte[]> envelopes,
      List<String> envelopeTopics,
      AtomicLong stored,
      int window)
      throws Exception {
    peer.start();
    for (String t : topics) {
      peer.subscribe(t).get(5, TimeUnit.SECONDS);
    }
    host.dial(NodeBench.addr(node)).get(10, TimeUnit.SECONDS);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    for (String t : topics) {
      while (!peer.topicPeers(t).get().contains(node.host().peerId())) {
        if (System.nanoTime() - deadline > 0) {
          throw new IllegalStateException("the node never announced " + t);
        }
        Thread.sleep(5);
      }
    }
    long before = stored.get();
    long start = System.nanoTime();
    deadline = start + TimeUnit.MINUTES.toNanos(10);
    for (int i = 0; i < envelopes.size(); i++) {
      while (i - (stored.get() - before) >= window) {
        if (System.nanoTime() - deadline > 0) {
          throw new IllegalStateException("stored " + (stored.get() - before) + " of " + i);
        }
        java.util.concurrent.locks.LockSupport.parkNanos(50_000); // Not a spin: 2 cores.
      }
      peer.publish(envelopeTopics.get(i), envelopes.get(i));
    }
    while (stored.get() - before < envelopes.size()) {
      if (System.nanoTime() - deadline > 0) {
        throw new IllegalStateException(
            "stored " + (stored.get() - before) + " of " + envelopes.size());
      }
      Thread.sleep(1);
    }
    return (System.nanoTime() - start) / 1e9;
  }
}
