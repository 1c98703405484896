package org.grapevine.node.discovery;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;
import org.grapevine.libp2p.crypto.PrivKey;
import org.grapevine.libp2p.host.Connection;
import org.grapevine.libp2p.host.HostListener;
import org.grapevine.libp2p.multiaddr.Multiaddr;
import org.grapevine.libp2p.peer.PeerId;
import org.grapevine.libp2p.pnet.SwarmKey;
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
 * Discovery between real nodes on 127.0.0.1 (RocksDB, TCP, Noise, Yamux): reconnects, the persisted
 * peer table, the connection maximum, private meshes, and periodic sync. mDNS is off here
 * (multicast cannot be confined to loopback; see libp2p's MdnsNetnsIT).
 */
@Timeout(120)
class DiscoveryIT {
  @TempDir Path dir;
  private final MultiThreadIoEventLoopGroup group =
      new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
  private final List<Node> nodes = new ArrayList<>();
  private static final SecureRandom RANDOM = new SecureRandom();

  @AfterEach
  void close() {
    nodes.forEach(Node::close);
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
  }

  /**
   * A loopback node (no mDNS) whose [network] section is {@code network} applied to the default
   * one.
   */
  private Node node(
      String name, PrivKey key, SwarmKey swarm, UnaryOperator<NodeConfig.Network> network)
      throws Exception {
    return node(name, key, swarm, network, NodeConfig.defaults().sync().interval());
  }

  private Node node(
      String name,
      PrivKey key,
      SwarmKey swarm,
      UnaryOperator<NodeConfig.Network> network,
      Duration syncInterval)
      throws Exception {
    TestAuthors.Person who = TestAuthors.person(name);
    NodeConfig.Network net = network.apply(NodeConfig.loopback().network());
    if (swarm != null) {
      Path keyFile = dir.resolve(name + ".swarm.key");
      Files.writeString(keyFile, swarm.format());
      net = net.withSwarmKey(keyFile);
    }
    NodeConfig config =
        NodeConfig.loopback().withNetwork(net).withSync(new NodeConfig.Sync(syncInterval));
    Node n =
        NodeLauncher.of(
                config,
                dir.resolve(name),
                new DataDir.Keys(who.identity, who.root, who.deviceKey("laptop"), key),
                group)
            .host(h -> h.inboundRate(1000, 1000))
            .discovery(d -> d.backoff(Duration.ofMillis(100), Duration.ofMillis(800)))
            .start();
    nodes.add(n);
    return n;
  }

  private void stop(Node n) {
    n.close();
    nodes.remove(n);
  }

  private static String addr(Node n) {
    return n.host().listenAddrs().get(0).withPeerId(n.host().peerId()).toString();
  }

  private static int port(Node n) {
    return n.host().listenAddrs().get(0).tcpSocketAddress().orElseThrow().getPort();
  }

  private static boolean connected(Node a, Node b) {
    return !a.host().connections(b.host().peerId()).isEmpty();
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
  void bootstrapPeerRestartsOnSamePort_reconnected_andARestartedNodeFindsItFromItsPeerTable()
      throws Exception {
    PrivKey keyA = PrivKey.generate(RANDOM);
    PrivKey keyB = PrivKey.generate(RANDOM);
    // b never dials (target 0): every reconnection below is a's doing.
    Node b = node("b", keyB, null, n -> n.withConnections(0, 32));
    int portB = port(b);
    Node a = node("a", keyA, null, n -> n.withBootstrap(List.of(addr(b))));
    await("a connects to its bootstrap peer b", () -> connected(a, b));

    stop(b);
    await("a sees b gone", () -> a.host().connections(b.host().peerId()).isEmpty());
    Node b2 = node("b", keyB, null, n -> n.withPort(portB).withConnections(0, 32));
    await("a reconnects to the restarted b", () -> connected(a, b2));

    int portA = port(a);
    stop(a);
    await("b sees a gone", () -> b2.host().connections(a.host().peerId()).isEmpty());
    Node a2 = node("a", keyA, null, n -> n.withPort(portA)); // No bootstrap this time.
    await("a finds b again from its persisted peer table", () -> connected(a2, b2));
    assertThat(a2.store().peers()).containsKey(b2.host().peerId().toString());
  }

  @Test
  void manyPeersDialOneNode_itKeepsAtMostItsMaximum() throws Exception {
    Node hub = node("hub", PrivKey.generate(RANDOM), null, n -> n.withConnections(0, 2));
    Set<PeerId> closedByHub = ConcurrentHashMap.newKeySet();
    List<Node> spokes = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      Node s =
          node(
              "spoke" + i,
              PrivKey.generate(RANDOM),
              null,
              n -> n.withBootstrap(List.of(addr(hub))));
      s.host()
          .addListener(
              new HostListener() {
                @Override
                public void onDisconnected(Connection c) {
                  if (c.remotePeer().equals(hub.host().peerId())) {
                    closedByHub.add(s.host().peerId());
                  }
                }
              });
      spokes.add(s);
    }

    // max_connections is the hub's host limit too: a spoke over it is refused when it connects
    // (a failed dial), or closed by discovery if it got in while another was still upgrading.
    PeerId hubId = hub.host().peerId();
    await(
        "the hub turned away at least two spokes",
        () ->
            spokes.stream()
                    .filter(
                        s ->
                            closedByHub.contains(s.host().peerId())
                                || s.discovery().failures(hubId).join() > 0)
                    .count()
                >= 2);
    await("the hub counts two peers", () -> hub.discovery().connectedCount().join() == 2);
    assertThat(hub.discovery().connectedCount().join()).isLessThanOrEqualTo(2);
    assertThat(spokes.stream().filter(s -> connected(s, hub)).count())
        .isLessThanOrEqualTo(3); // 2, or 3 while one is closing.
  }

  @Test
  void privateMesh_nodeWithAnotherSwarmKey_neverConnects_membersDo() throws Exception {
    SwarmKey ours = SwarmKey.generate(RANDOM);
    SwarmKey theirs = SwarmKey.generate(RANDOM);
    Node a = node("a", PrivKey.generate(RANDOM), ours, n -> n);
    Set<PeerId> everConnectedToA = ConcurrentHashMap.newKeySet();
    a.host()
        .addListener(
            new HostListener() {
              @Override
              public void onConnected(Connection c) {
                everConnectedToA.add(c.remotePeer());
              }
            });
    Node member =
        node("member", PrivKey.generate(RANDOM), ours, n -> n.withBootstrap(List.of(addr(a))));
    Node outsider =
        node("outsider", PrivKey.generate(RANDOM), theirs, n -> n.withBootstrap(List.of(addr(a))));

    await("the member connects", () -> connected(member, a));
    await(
        "the outsider failed three dials",
        () -> outsider.discovery().failures(a.host().peerId()).join() >= 3);

    assertThat(everConnectedToA).containsExactly(member.host().peerId());
    assertThat(outsider.host().connections()).isEmpty();
  }

  @Test
  void periodicSync_entryHeldByAPeer_arrivesWithoutANewConnection() throws Exception {
    TestAuthors.Person carol = TestAuthors.person("carol");
    Node a = node("a", PrivKey.generate(RANDOM), null, n -> n, Duration.ofSeconds(1));
    Node b = node("b", PrivKey.generate(RANDOM), null, n -> n, Duration.ofSeconds(1));
    a.follow(carol.identity);
    b.follow(carol.identity);
    Set<Connection> connections = ConcurrentHashMap.newKeySet();
    a.host()
        .addListener(
            new HostListener() {
              @Override
              public void onConnected(Connection c) {
                connections.add(c);
              }
            });
    a.connect(Multiaddr.parse(addr(b))).get(10, TimeUnit.SECONDS);
    Thread.sleep(
        300); // Let the sync of the new connection finish first: it must not be what delivers.

    b.store()
        .apply(
            carol.delegate(
                carol.deviceKey("phone"), TestAuthors.T0_MILLIS)); // Behind gossip's back.

    await(
        "a got carol's entry by periodic sync",
        () -> a.store().contiguousHead(carol.root.publicKey()) == 1);
    assertThat(connections).hasSize(1);
  }
}
