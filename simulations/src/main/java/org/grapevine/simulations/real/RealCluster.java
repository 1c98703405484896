package org.grapevine.simulations.real;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiConsumer;
import org.grapevine.libp2p.crypto.PrivKey;
import org.grapevine.libp2p.host.ChannelHook;
import org.grapevine.libp2p.host.Connection;
import org.grapevine.libp2p.multiaddr.Multiaddr;
import org.grapevine.libp2p.peer.PeerId;
import org.grapevine.node.Node;
import org.grapevine.node.NodeLauncher;
import org.grapevine.node.config.DataDir;
import org.grapevine.node.config.NodeConfig;
import org.grapevine.node.storage.RocksPostStore;
import org.grapevine.protocol.entry.LogEntry;
import org.grapevine.simulations.network.FollowGraph;
import org.grapevine.simulations.network.Network;
import org.grapevine.simulations.network.Topology;
import org.grapevine.simulations.scenario.RouterParams;
import org.grapevine.simulations.scenario.Scenario;
import org.grapevine.simulations.virtual.PostCatalog;

/**
 * The real engine's nodes: one real {@link Node} per scenario node (or per node of one agent's
 * share, {@link Share}), assembled by {@link NodeLauncher} like any node, with the identities, keys
 * and delegations of the {@link PostCatalog} the virtual engine uses, and closed again with their
 * data directories.
 *
 * <p>In one JVM ({@link RealEngine}) every node is local. On an agent of the distributed engine
 * (package {@code distributed}) only the nodes of its share are: the others' addresses come from
 * the coordinator ({@link #learn}), each topology link is dialled by its lower node's agent, and a
 * connection to a node of another agent is delayed by {@link Share#crossDelayNanos} (the hosts'
 * netem delay applied in user space; 0 when the kernel applies it) instead of the scenario's
 * latency model.
 *
 * <p>Set-up, in order: each store starts with the delegations of its own identity and of those it
 * will follow; the nodes start (127.0.0.1, no mDNS, no bootstrap, no dialling towards a target, the
 * scenario's sync interval and GossipSub settings); the topology is dialled; the follow graph is
 * applied with {@link Node#follow}; then it waits until every node holds the follow entries of the
 * identities it follows.
 */
public final class RealCluster implements AutoCloseable {
  /**
   * Which nodes run here and how to reach the others.
   *
   * @param agent this agent's number
   * @param agents how many agents (node {@code i} runs on agent {@code i % agents})
   * @param host the address the local nodes listen on (and are reached at)
   * @param crossDelayNanos one-way delay added to a connection between nodes of two agents, at its
   *     dialling side in both directions (0: none, the network delays it)
   * @param crossJitterNanos up to this much more per message, uniform
   */
  public record Share(
      int agent, int agents, String host, long crossDelayNanos, long crossJitterNanos) {
    /** Every node in this JVM, on loopback. */
    public static final Share ALL = new Share(0, 1, "127.0.0.1", 0, 0);

    public boolean local(int node) {
      return node % agents == agent;
    }
  }

  private static final int SETUP_THREADS = 8;
  private static final int DIALS_IN_FLIGHT = 64;
  static final Duration SETUP_TIMEOUT = Duration.ofMinutes(10);

  private final Scenario scenario;
  private final FollowGraph follows;
  private final Topology topology;
  private final Network network;
  private final SplittableRandom random;
  private final PostCatalog catalog;
  private final int n;
  private final Node[] nodes;
  private final LongAdder[] bytesIn;
  private final LongAdder[] bytesOut;
  private final Share share;
  private final Multiaddr[] addresses;
  private final Map<InetSocketAddress, Integer> nodeOfAddress = new ConcurrentHashMap<>();
  private final Path root;
  private final EventLoopGroup group;
  private final ExecutorService setup;

  RealCluster(
      Scenario scenario,
      FollowGraph follows,
      Topology topology,
      Network network,
      PostCatalog catalog,
      SplittableRandom random)
      throws IOException {
    this(scenario, follows, topology, network, catalog, random, Share.ALL);
  }

  /** The nodes of {@code share} only; none is started before {@link #startLocal}. */
  public RealCluster(
      Scenario scenario,
      FollowGraph follows,
      Topology topology,
      Network network,
      PostCatalog catalog,
      SplittableRandom random,
      Share share)
      throws IOException {
    this.share = share;
    this.scenario = scenario;
    this.follows = follows;
    this.topology = topology;
    this.network = network;
    this.catalog = catalog;
    this.random = random;
    this.n = follows.nodeCount();
    this.nodes = new Node[n];
    this.addresses = new Multiaddr[n];
    this.bytesIn = new LongAdder[n];
    this.bytesOut = new LongAdder[n];
    for (int i = 0; i < n; i++) {
      bytesIn[i] = new LongAdder();
      bytesOut[i] = new LongAdder();
    }
    this.root = Files.createTempDirectory("grapevine-sim-real-");
    this.group =
        new MultiThreadIoEventLoopGroup(
            Math.max(2, Runtime.getRuntime().availableProcessors()), NioIoHandler.newFactory());
    this.setup =
        Executors.newFixedThreadPool(
            SETUP_THREADS,
            r -> {
              Thread t = new Thread(r, "real-engine-setup");
              t.setDaemon(true);
              return t;
            });
  }

  /**
   * Sets the cluster up (see the class comment); {@code onStored} sees every entry each node
   * stores.
   */
  void start(BiConsumer<Integer, LogEntry> onStored) throws IOException {
    startLocal(onStored);
    dialTopology();
    applyFollows();
    awaitLogsSynced();
  }

  /**
   * Seeds the local nodes' stores and starts them; returns their addresses (with peer ids) by node.
   */
  public Map<Integer, Multiaddr> startLocal(BiConsumer<Integer, LogEntry> onStored)
      throws IOException {
    seedStores();
    startNodes(onStored);
    Map<Integer, Multiaddr> out = new java.util.TreeMap<>();
    for (int i = 0; i < n; i++) {
      if (share.local(i)) {
        out.put(i, addresses[i]);
      }
    }
    return out;
  }

  /** The addresses of the other agents' nodes (with peer ids), as they reported them. */
  public void learn(Map<Integer, Multiaddr> others) {
    others.forEach(
        (node, address) -> {
          if (!share.local(node)) {
            addresses[node] = address;
            nodeOfAddress.put(address.tcpSocketAddress().orElseThrow(), node);
          }
        });
  }

  /** A local node. */
  public Node node(int i) {
    return nodes[i];
  }

  /** The local nodes. */
  public List<Node> nodes() {
    return Arrays.stream(nodes).filter(java.util.Objects::nonNull).toList();
  }

  /** Bytes a local node received, counted next to its sockets. */
  public long bytesIn(int node) {
    return bytesIn[node].sum();
  }

  public long bytesOut(int node) {
    return bytesOut[node].sum();
  }

  /** Each store starts with its own delegation and those of the identities it will follow. */
  private void seedStores() throws IOException {
    List<Future<?>> done = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int node = i;
      if (!share.local(node)) {
        continue;
      }
      done.add(
          setup.submit(
              () -> {
                RocksPostStore store = RocksPostStore.open(dataDir(node).resolve("store"));
                try {
                  store.apply(catalog.delegation(node), false);
                  for (int x : follows.follows(node)) {
                    store.apply(catalog.delegation(x), false);
                  }
                } finally {
                  store.close();
                }
                return null;
              }));
    }
    await(done, "seeding the stores");
  }

  private Path dataDir(int node) {
    return root.resolve("node-" + node);
  }

  /**
   * The nodes' config: loopback, dialling nobody by itself (target 0), room for every link of the
   * topology plus slack, the scenario's sync interval.
   */
  private NodeConfig config() {
    int maxDegree = 0;
    for (int i = 0; i < n; i++) {
      maxDegree = Math.max(maxDegree, topology.degree(i));
    }
    NodeConfig c = NodeConfig.loopback();
    c = c.withNetwork(c.network().withHost(share.host()));
    // The scenario's DHT runs for real: every node a server (all are reachable on loopback), its
    // routing table seeded by the topology's links. Without it, no node runs a DHT at all: left in
    // auto mode, every node would be a client nobody answers, costing lookups and finding nothing.
    Scenario.Dht dht = scenario.dht();
    NodeConfig.Dht nodeDht =
        new NodeConfig.Dht(
            dht.enabled() ? NodeConfig.DhtMode.SERVER : NodeConfig.DhtMode.OFF,
            dht.enabled() ? dht.topicPeers() : c.dht().topicPeers(),
            dht.announceFollows());
    return c.withNetwork(c.network().withConnections(0, maxDegree + 64))
        .withSync(new NodeConfig.Sync(Duration.ofNanos(scenario.protocol().syncIntervalNanos())))
        .withDht(nodeDht)
        // No extended circle (issue 17): the virtual engine does not model it, and the engines
        // must run the same protocol to agree. With it on, 50 real nodes in one JVM on two cores
        // delivered at p50 589 ms instead of 61 (EnginesAgreeIT): its syncs compete with gossip.
        .withCircle(new NodeConfig.Circle(false, c.circle().perIdentityBytes(), 0, 0));
  }

  private void startNodes(BiConsumer<Integer, LogEntry> onStored) throws IOException {
    NodeConfig config = config();
    var gossip = RouterParams.config(scenario.protocol());
    List<Future<?>> done = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int node = i;
      SplittableRandom jitter = random.split(); // Split for every node: the same streams anywhere.
      if (!share.local(node)) {
        continue;
      }
      DataDir.Keys keys =
          new DataDir.Keys(
              catalog.identity(node),
              catalog.rootKey(node),
              catalog.deviceKey(node),
              PrivKey.fromSeed(PostCatalog.keySeed(scenario.seed(), node, "host")));
      done.add(
          setup.submit(
              () -> {
                Node started =
                    NodeLauncher.of(config, dataDir(node), keys, group)
                        .host(
                            h ->
                                h.inboundRate(
                                        1e6, 1_000_000) // Set-up dials thousands of links at once.
                                    .dialTimeout(Duration.ofSeconds(60))
                                    .upgradeTimeout(Duration.ofSeconds(60))
                                    .streamNegotiationTimeout(Duration.ofSeconds(60))
                                    .identifyTimeout(Duration.ofSeconds(60))
                                    .shutdownGrace(Duration.ofMillis(200))
                                    .channelHook(hook(node, jitter)))
                        .gossip(gossip)
                        .start();
                started.addEntryListener(e -> onStored.accept(node, e));
                Multiaddr listen = started.host().listenAddrs().get(0);
                addresses[node] = listen.withPeerId(started.host().peerId());
                nodeOfAddress.put(listen.tcpSocketAddress().orElseThrow(), node);
                nodes[node] = started;
                return null;
              }));
    }
    await(done, "starting the nodes");
  }

  /**
   * The dialling side of a connection delays both directions by the pair's latency; the other side
   * only counts.
   */
  /**
   * Pairs connected outside the topology (DHT requests, topic peers), packed as {@link
   * org.grapevine.simulations.metrics.DhtTotals#madeEdges}: at most one per pair of nodes.
   */
  private final Set<Long> madeEdges = ConcurrentHashMap.newKeySet();

  public long[] madeEdges() {
    return madeEdges.stream().mapToLong(Long::longValue).sorted().toArray();
  }

  private ChannelHook hook(int self, SplittableRandom jitter) {
    return (channel, direction, remote) -> {
      long latency = 0;
      long jitterNanos = 0;
      if (direction == Connection.Direction.OUTBOUND) {
        Integer other = nodeOfAddress.get(remote);
        if (other != null && share.local(other)) {
          // A topology link's latency, or for a connection made during the run (a DHT request, a
          // topic peer) the pair's, drawn as the virtual engine draws it.
          latency = network.pairLatencyNanos(self, other);
          jitterNanos = scenario.latency().jitterNanos();
        } else if (other != null) { // Another agent's node: the hosts' network delay.
          latency = share.crossDelayNanos();
          jitterNanos = share.crossJitterNanos();
        }
        if (other != null) {
          if (topology.link(self, other) < 0) {
            madeEdges.add((long) Math.min(self, other) << 32 | Math.max(self, other));
          }
        }
      }
      channel
          .pipeline()
          .addLast(
              "sim-latency",
              new LatencyHandler(
                  latency, jitterNanos, jitter.split(), bytesIn[self], bytesOut[self]));
    };
  }

  /** Dials every topology link whose lower node is local (each link once over all agents). */
  public void dialTopology() throws IOException {
    Semaphore inFlight = new Semaphore(DIALS_IN_FLIGHT);
    List<CompletableFuture<?>> dials = new ArrayList<>();
    for (int a = 0; a < n; a++) {
      for (int link = topology.firstLink(a);
          link < topology.firstLink(a) + topology.degree(a);
          link++) {
        int b = topology.target(link);
        if (a < b && share.local(a)) {
          inFlight.acquireUninterruptibly();
          Multiaddr to = addresses[b];
          PeerId peerB = to.peerId().orElseThrow();
          Node nodeA = nodes[a];
          dials.add(
              nodeA
                  .connect(to)
                  .whenComplete((c, e) -> inFlight.release())
                  .handle(
                      (c, e) -> {
                        // With the DHT on, the two may have dialled each other meanwhile (topic
                        // peers), and the host refuses a third connection: joined all the same.
                        if (e != null && nodeA.host().connections(peerB).isEmpty()) {
                          throw new CompletionException(e);
                        }
                        return c;
                      }));
        }
      }
    }
    try {
      CompletableFuture.allOf(dials.toArray(CompletableFuture[]::new))
          .get(SETUP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IOException("dialling the topology failed: " + e.getMessage(), e);
    }
  }

  /** The local nodes follow whom the follow graph says. */
  public void applyFollows() throws IOException {
    List<Future<?>> done = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int node = i;
      if (!share.local(node)) {
        continue;
      }
      done.add(
          setup.submit(
              () -> {
                for (int x : follows.follows(node)) {
                  nodes[node].follow(catalog.identity(x));
                }
                return null;
              }));
    }
    await(done, "following");
  }

  /**
   * Waits until every node holds the whole device log (its follow entries) of each identity it
   * follows. A follower that subscribed after its followee wrote some of its follows misses them on
   * gossip; the followee's first post would then reach it behind a gap and wait for a sync. The
   * periodic sync repairs that here, before the clock starts, so the run measures the steady state
   * as the virtual engine does (its nodes start with every followed log).
   */
  public void awaitLogsSynced() throws IOException {
    long deadline =
        System.nanoTime()
            + 3 * scenario.protocol().syncIntervalNanos()
            + SETUP_TIMEOUT.toNanos() / 10;
    while (true) {
      int missing = 0;
      for (int i = 0; i < n; i++) {
        if (!share.local(i)) {
          continue;
        }
        for (int x : follows.follows(i)) {
          if (nodes[i].store().contiguousHead(catalog.devicePublicKey(x))
              < follows.follows(x).length) {
            missing++;
          }
        }
      }
      if (missing == 0) {
        return;
      }
      if (System.nanoTime() > deadline) {
        org.slf4j.LoggerFactory.getLogger(RealEngine.class)
            .warn("starting with {} (follower, followee) logs not synced", missing);
        return;
      }
      RealEngine.sleepNanos(200_000_000L);
    }
  }

  private static void await(List<Future<?>> futures, String what) throws IOException {
    long deadline = System.nanoTime() + SETUP_TIMEOUT.toNanos();
    for (Future<?> f : futures) {
      try {
        f.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      } catch (java.util.concurrent.ExecutionException e) {
        throw new IOException(what + " failed: " + e.getCause(), e.getCause());
      } catch (java.util.concurrent.TimeoutException e) {
        throw new IOException(what + " did not finish within " + SETUP_TIMEOUT, e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while " + what, e);
      }
    }
  }

  /**
   * Closes every host first, then every node: a node closing while its peers still run would see
   * their side of each connection end after its storage thread had stopped. Then the event loops,
   * and the data directories are deleted.
   */
  @Override
  public void close() {
    List<Future<?>> done = new ArrayList<>();
    for (Node node : nodes) {
      if (node != null) {
        done.add(setup.submit(() -> node.host().close()));
      }
    }
    awaitQuietly(done);
    done.clear();
    for (Node node : nodes) {
      if (node != null) {
        done.add(setup.submit(node::close));
      }
    }
    awaitQuietly(done);
    Arrays.fill(nodes, null);
    setup.shutdownNow();
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
    deleteTree(root);
  }

  private static void awaitQuietly(List<Future<?>> done) {
    for (Future<?> f : done) {
      try {
        f.get(60, TimeUnit.SECONDS);
      } catch (Exception e) {
        org.slf4j.LoggerFactory.getLogger(RealEngine.class)
            .warn("closing a node failed: {}", e.toString());
      }
    }
  }

  private static void deleteTree(Path root) {
    try (var walk = Files.walk(root)) {
      walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      org.slf4j.LoggerFactory.getLogger(RealEngine.class)
          .warn("could not delete {}: {}", root, e.toString());
    }
  }
}
