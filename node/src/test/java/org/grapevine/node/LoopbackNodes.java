package org.grapevine.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.grapevine.libp2p.crypto.PrivKey;
import org.grapevine.libp2p.multiaddr.Multiaddr;
import org.grapevine.node.config.DataDir;
import org.grapevine.node.config.NodeConfig;
import org.grapevine.protocol.testing.TestAuthors;

/**
 * Real nodes for the multi-node ITs (RocksDB in a temp dir, TCP on 127.0.0.1, Noise, Yamux,
 * GossipSub), each a person's "laptop" device on one shared event loop group; {@link #close} stops
 * every node still running, then the group. Also the waits and reads those ITs share.
 */
public final class LoopbackNodes implements AutoCloseable {
  private final Path dir;
  private final MultiThreadIoEventLoopGroup group =
      new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
  private final List<Node> nodes = new ArrayList<>();

  public LoopbackNodes(Path dir) {
    this.dir = dir;
  }

  /** Starts {@code who}'s node in {@code dir/name}. */
  public Node start(String name, TestAuthors.Person who) throws Exception {
    return start(name, who, NodeConfig.loopback());
  }

  /** Starts {@code who}'s node in {@code dir/name} with {@code config} (a loopback one). */
  public Node start(String name, TestAuthors.Person who, NodeConfig config) throws Exception {
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

  /** Stops one node before the others (its peers see its connections close). */
  void stop(Node n) {
    if (nodes.remove(n)) {
      n.close();
    }
  }

  /** The group the nodes run on, for an API server of one of them. */
  public MultiThreadIoEventLoopGroup group() {
    return group;
  }

  @Override
  public void close() {
    nodes.forEach(Node::close);
    nodes.clear();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
  }

  /** The node's first listen address with its peer id, to dial. */
  public static Multiaddr addr(Node n) {
    return n.host().listenAddrs().get(0).withPeerId(n.host().peerId());
  }

  /** Waits up to 30 s for {@code value} to reach {@code expected}; fails saying how far it got. */
  public static void await(String what, LongSupplier value, long expected)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (value.getAsLong() < expected) {
      assertThat(System.nanoTime())
          .as(what + ": " + value.getAsLong() + " of " + expected)
          .isLessThan(deadline);
      Thread.sleep(20);
    }
  }

  /** One ingest counter of the node ({@code <source>.<counter>}), 0 when never counted. */
  static long counter(Node n, String key) {
    return n.ingestCounts().getOrDefault(key, 0L);
  }
}
