package org.grapevine.node.testing;

import io.netty.channel.EventLoopGroup;
import java.security.SecureRandom;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.grapevine.libp2p.crypto.PrivKey;
import org.grapevine.libp2p.gossipsub.GossipConfig;
import org.grapevine.libp2p.gossipsub.netty.GossipDriver;
import org.grapevine.libp2p.host.Host;
import org.grapevine.libp2p.host.HostConfig;
import org.grapevine.node.Node;
import org.grapevine.node.gossip.NodeGossip;

/**
 * A bare pubsub peer for tests that play another node's part by hand: a host and a plain {@link
 * GossipDriver} with a node's gossip configuration ({@link NodeGossip#config}), subscribed to one
 * topic and dialled to a real {@link Node}, so that the test decides exactly what the node hears.
 * Used by the node's gossip tests and the simulations' real-versus-virtual decision test.
 */
public record BarePeer(Host host, GossipDriver gossip) {

  /**
   * A node's gossip configuration with a fast heartbeat and flood publish: a peer whose score at
   * the node turns negative after a bad entry may be pruned from the node's mesh, and a mesh-only
   * publish would then reach nobody.
   */
  public static GossipConfig config() {
    return NodeGossip.config(
        GossipConfig.builder()
            .floodPublish(true)
            .heartbeatIntervalNanos(TimeUnit.MILLISECONDS.toNanos(100))
            .build());
  }

  /** A started host on 127.0.0.1 with an inbound rate a test burst never reaches. */
  public static Host host(EventLoopGroup group, List<AutoCloseable> closing) throws Exception {
    Host h =
        new Host(
            HostConfig.builder(PrivKey.generate(new SecureRandom()))
                .listen("/ip4/127.0.0.1/tcp/0")
                .inboundRate(1000, 1000)
                .build(),
            group);
    h.start();
    closing.add(h);
    return h;
  }

  /**
   * A bare peer subscribed to {@code topic}, dialled to {@code target}, returned once the target is
   * in its mesh for the topic. Its host and driver are added to {@code closing}.
   */
  public static BarePeer start(
      Node target, String topic, EventLoopGroup group, List<AutoCloseable> closing)
      throws Exception {
    Host h = host(group, closing);
    GossipDriver d = new GossipDriver(h, config(), new SplittableRandom(7), group.next());
    d.start();
    closing.add(d);
    d.subscribe(topic).get(5, TimeUnit.SECONDS);
    h.dial(target.host().listenAddrs().get(0).withPeerId(target.host().peerId()))
        .get(10, TimeUnit.SECONDS);
    await(
        "the node is in the bare peer's mesh",
        () -> d.meshPeers(topic).join().contains(target.host().peerId()));
    return new BarePeer(h, d);
  }

  /** Waits up to 30 s for {@code condition}; fails with {@code what} if it never holds. */
  public static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError("timed out awaiting: " + what);
      }
      Thread.sleep(20);
    }
  }
}
