package org.grapevine.simulations.real;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.grapevine.libp2p.crypto.PrivKey;
import org.grapevine.libp2p.gossipsub.GossipMetrics;
import org.grapevine.libp2p.host.ChannelHook;
import org.grapevine.libp2p.host.Connection;
import org.grapevine.libp2p.host.HostConfig;
import org.grapevine.libp2p.multiaddr.Multiaddr;
import org.grapevine.node.Node;
import org.grapevine.node.discovery.DiscoveryConfig;
import org.grapevine.node.engine.Budgets;
import org.grapevine.node.engine.Engine;
import org.grapevine.node.storage.RocksPostStore;
import org.grapevine.protocol.crypto.Sha256;
import org.grapevine.protocol.crypto.SigningKey;
import org.grapevine.protocol.entry.ContentKind;
import org.grapevine.protocol.entry.EntryId;
import org.grapevine.protocol.entry.LogEntry;
import org.grapevine.protocol.identity.Identity;
import org.grapevine.protocol.log.LogHead;
import org.grapevine.protocol.log.LogWriter;
import org.grapevine.protocol.proto.Content;
import org.grapevine.protocol.proto.DelegateDevice;
import org.grapevine.protocol.proto.Post;
import org.grapevine.simulations.metrics.DeliveryLog;
import org.grapevine.simulations.metrics.NodeCounters;
import org.grapevine.simulations.metrics.RouterTotals;
import org.grapevine.simulations.metrics.RunData;
import org.grapevine.simulations.network.FollowGraph;
import org.grapevine.simulations.network.Network;
import org.grapevine.simulations.network.Topology;
import org.grapevine.simulations.network.Workload;
import org.grapevine.simulations.scenario.Scenario;
import org.grapevine.simulations.virtual.VirtualEngine;

/**
 * The {@code real} engine: every node is a real {@link Node} in this JVM (RocksDB in a temporary
 * directory with the store's small default memory settings, a libp2p host on 127.0.0.1 with TCP,
 * Noise and Yamux, GossipSub, ingestion, catch-up sync), all on one small shared event-loop group.
 * The scenario's topology is dialled explicitly (discovery: no mDNS, no bootstrap, no dialling
 * towards a target), each connection's bytes are delayed by its link's latency from the same
 * {@link Network} the virtual engine uses ({@link LatencyHandler} on the dialling side, through
 * {@link ChannelHook}), the follow graph is applied with {@link Node#follow}, the workload is
 * posted with {@link Node#post} at its times, and deliveries are what the nodes' entry listeners
 * see, on the wall clock.
 *
 * <p>As if synced before the run (as in the virtual engine), each node's store starts with the
 * delegations (root logs) of the identities it follows, and the clock starts once every node
 * holds the follow entries of the identities it follows (real sync fetches the ones gossip
 * missed during set-up). Time is wall time from the moment the
 * nodes are up, connected and following; warm-up and duration are wall seconds. A post counts as
 * published when the author's node has stored it (its durable write done) and hands it to
 * gossip, as in the virtual engine, where publishing costs no time.
 *
 * <p>Not modelled here: bandwidth (loopback), validation delay (the validation is real), loss,
 * and faults (checked by {@link #unsupported}). The router runs the node's own GossipSub settings.
 */
public final class RealEngine {
  private static final int SETUP_THREADS = 8;
  private static final int DIALS_IN_FLIGHT = 64;
  private static final Duration SETUP_TIMEOUT = Duration.ofMinutes(10);

  private final Scenario scenario;
  private final FollowGraph follows;
  private final Topology topology;
  private final Network network;
  private final Workload workload;
  private final SplittableRandom random;
  private final int n;
  private final Node[] nodes;
  private final Identity[] identities;
  private final SigningKey[] roots;
  private final SigningKey[] devices;
  private final LongAdder[] bytesIn;
  private final LongAdder[] bytesOut;
  private final Map<Integer, Integer> nodeOfPort = new ConcurrentHashMap<>();
  private final ConcurrentLinkedQueue<Observed> observed = new ConcurrentLinkedQueue<>();
  private final AtomicLong stored = new AtomicLong();
  private volatile long clockZero;

  /** One post stored at a node, at nanoseconds since the clock started. */
  private record Observed(int node, EntryId id, long nanos) {}

  public RealEngine(Scenario scenario, FollowGraph follows, Topology topology, Network network, Workload workload,
      SplittableRandom random) {
    this.scenario = scenario;
    this.follows = follows;
    this.topology = topology;
    this.network = network;
    this.workload = workload;
    this.random = random;
    this.n = follows.nodeCount();
    this.nodes = new Node[n];
    this.identities = new Identity[n];
    this.roots = new SigningKey[n];
    this.devices = new SigningKey[n];
    this.bytesIn = new LongAdder[n];
    this.bytesOut = new LongAdder[n];
    for (int i = 0; i < n; i++) {
      roots[i] = key(i, "root");
      devices[i] = key(i, "device");
      identities[i] = Identity.of(roots[i].publicKey());
      bytesIn[i] = new LongAdder();
      bytesOut[i] = new LongAdder();
    }
  }

  /** What of the scenario this engine cannot run, said for its author; empty when it can. */
  public static List<String> unsupported(Scenario s) {
    List<String> out = new ArrayList<>();
    if (s.loss() > 0) {
      out.add("loss: TCP on loopback loses nothing; use the virtual engine for loss");
    }
    Scenario.Faults f = s.faults();
    if (f.churn().leavesPerHour() > 0 || !f.churn().schedule().isEmpty()) {
      out.add("faults.churn: not supported by the real engine");
    }
    if (!f.partitions().isEmpty()) {
      out.add("faults.partitions: not supported by the real engine");
    }
    if (f.badForwarders().count() > 0) {
      out.add("faults.badForwarders: not supported by the real engine");
    }
    Scenario.Protocol p = s.protocol();
    if (!p.gossip().isEmpty() || !p.score().isEmpty() || !p.thresholds().isEmpty()) {
      out.add("protocol.gossip/score/thresholds: the real engine runs the node's own GossipSub settings"
          + " (Node takes no GossipConfig); remove them or use the virtual engine");
    }
    if (s.nodes().count() > 2000) {
      out.add("nodes.count: " + s.nodes().count() + " real nodes in one JVM; at most 2000");
    }
    return out;
  }

  /**
   * Starts the nodes, runs the workload on the wall clock and returns what was measured; every
   * node and its data directory is gone when it returns.
   *
   * @param clockStarted called once the nodes are up, connected and following (time zero)
   */
  public RunData run(VirtualEngine.Progress progress, Runnable clockStarted) throws IOException {
    List<String> problems = unsupported(scenario);
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException("the real engine cannot run this scenario: " + String.join("; ", problems));
    }
    Path root = Files.createTempDirectory("grapevine-sim-real-");
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(Math.max(2, Runtime.getRuntime().availableProcessors()),
        NioIoHandler.newFactory());
    ExecutorService setup = Executors.newFixedThreadPool(SETUP_THREADS, r -> {
      Thread t = new Thread(r, "real-engine-setup");
      t.setDaemon(true);
      return t;
    });
    try {
      seedStores(root, setup);
      startNodes(root, group, setup);
      dialTopology();
      applyFollows(setup);
      awaitLogsSynced();
      clockZero = System.nanoTime();
      clockStarted.run();
      RunData data = drive(progress);
      return data;
    } finally {
      closeAll(setup);
      setup.shutdownNow();
      group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
      deleteTree(root);
    }
  }

  // ---------------------------------------------------------------- set-up

  private SigningKey key(int node, String role) {
    return SigningKey.fromSeed(Sha256.hash(("grapevine-sim/" + scenario.seed() + "/" + node + "/" + role)
        .getBytes(StandardCharsets.UTF_8)));
  }

  /** Each store starts with its own delegation and those of the identities it will follow. */
  private void seedStores(Path root, ExecutorService setup) throws IOException {
    long past = System.currentTimeMillis() - 3_600_000L;
    LogEntry[] delegations = new LogEntry[n];
    for (int i = 0; i < n; i++) {
      delegations[i] = LogWriter.rootLog(roots[i], LogHead.EMPTY).append(Content.newBuilder()
          .setDelegateDevice(DelegateDevice.newBuilder()
              .setDevice(com.google.protobuf.ByteString.copyFrom(devices[i].publicKey().unsafeBytes())).setName("sim"))
          .build(), past);
    }
    List<Future<?>> done = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int node = i;
      done.add(setup.submit(() -> {
        RocksPostStore store = RocksPostStore.open(dataDir(root, node).resolve("store"));
        try {
          store.apply(delegations[node], false);
          for (int x : follows.follows(node)) {
            store.apply(delegations[x], false);
          }
        } finally {
          store.close();
        }
        return null;
      }));
    }
    await(done, "seeding the stores");
  }

  private static Path dataDir(Path root, int node) {
    return root.resolve("node-" + node);
  }

  private void startNodes(Path root, EventLoopGroup group, ExecutorService setup) throws IOException {
    int maxDegree = 0;
    for (int i = 0; i < n; i++) {
      maxDegree = Math.max(maxDegree, topology.degree(i));
    }
    int connectionLimit = maxDegree + 64;
    DiscoveryConfig discovery = DiscoveryConfig.builder().mdns(false).connections(0, connectionLimit)
        .syncInterval(Duration.ofNanos(scenario.protocol().syncIntervalNanos())).build();
    List<Future<?>> done = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int node = i;
      SplittableRandom jitter = random.split();
      done.add(setup.submit(() -> {
        HostConfig host = HostConfig.builder(PrivKey.fromSeed(Sha256.hash(("grapevine-sim/" + scenario.seed() + "/" + node
                + "/host").getBytes(StandardCharsets.UTF_8))))
            .listen("/ip4/127.0.0.1/tcp/0")
            .inboundRate(1e6, 1_000_000)
            .maxConnections(connectionLimit)
            .dialTimeout(Duration.ofSeconds(60))
            .upgradeTimeout(Duration.ofSeconds(60))
            .streamNegotiationTimeout(Duration.ofSeconds(60))
            .identifyTimeout(Duration.ofSeconds(60))
            .shutdownGrace(Duration.ofMillis(200))
            .channelHook(hook(node, jitter))
            .build();
        Node started = Node.start(dataDir(root, node), identities[node], roots[node], devices[node], host, group,
            Budgets.DEFAULT, discovery);
        started.addEntryListener(e -> onStored(node, e));
        nodes[node] = started;
        nodeOfPort.put(started.host().listenAddrs().get(0).tcpSocketAddress().orElseThrow().getPort(), node);
        return null;
      }));
    }
    await(done, "starting the nodes");
  }

  /** The dialling side of a link delays both directions by the link's latency; the other side only counts. */
  private ChannelHook hook(int self, SplittableRandom jitter) {
    return (channel, direction, remote) -> {
      long latency = 0;
      long jitterNanos = 0;
      if (direction == Connection.Direction.OUTBOUND) {
        Integer other = nodeOfPort.get(remote.getPort());
        int link = other == null ? -1 : topology.link(self, other);
        if (link >= 0) {
          latency = network.baseLatencyNanos(link);
          jitterNanos = scenario.latency().jitterNanos();
        }
      }
      channel.pipeline().addLast("sim-latency", new LatencyHandler(latency, jitterNanos, jitter.split(), bytesIn[self],
          bytesOut[self]));
    };
  }

  private void dialTopology() throws IOException {
    Semaphore inFlight = new Semaphore(DIALS_IN_FLIGHT);
    List<CompletableFuture<?>> dials = new ArrayList<>();
    for (int a = 0; a < n; a++) {
      for (int link = topology.firstLink(a); link < topology.firstLink(a) + topology.degree(a); link++) {
        int b = topology.target(link);
        if (a < b) {
          inFlight.acquireUninterruptibly();
          Multiaddr to = nodes[b].host().listenAddrs().get(0).withPeerId(nodes[b].host().peerId());
          dials.add(nodes[a].connect(to).whenComplete((c, e) -> inFlight.release()));
        }
      }
    }
    try {
      CompletableFuture.allOf(dials.toArray(CompletableFuture[]::new)).get(SETUP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IOException("dialling the topology failed: " + e.getMessage(), e);
    }
  }

  private void applyFollows(ExecutorService setup) throws IOException {
    List<Future<?>> done = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int node = i;
      done.add(setup.submit(() -> {
        for (int x : follows.follows(node)) {
          nodes[node].follow(identities[x]);
        }
        return null;
      }));
    }
    await(done, "following");
  }

  /**
   * Waits until every node holds the whole device log (its follow entries) of each identity it
   * follows. A follower that subscribed after its followee wrote some of its follows misses them
   * on gossip; the followee's first post would then reach it behind a gap and wait for a sync. The
   * periodic sync repairs that here, before the clock starts, so the run measures the steady
   * state as the virtual engine does (its nodes start with every followed log).
   */
  private void awaitLogsSynced() throws IOException {
    long deadline = System.nanoTime() + 3 * scenario.protocol().syncIntervalNanos() + SETUP_TIMEOUT.toNanos() / 10;
    while (true) {
      int missing = 0;
      for (int i = 0; i < n; i++) {
        for (int x : follows.follows(i)) {
          if (nodes[i].store().contiguousHead(devices[x].publicKey()) < follows.follows(x).length) {
            missing++;
          }
        }
      }
      if (missing == 0) {
        return;
      }
      if (System.nanoTime() > deadline) {
        org.slf4j.LoggerFactory.getLogger(RealEngine.class).warn("starting with {} (follower, followee) logs not synced", missing);
        return;
      }
      sleepNanos(200_000_000L);
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

  // ---------------------------------------------------------------- the run

  /** On a node's storage thread: note each post stored there (quick; no blocking). */
  private void onStored(int node, LogEntry e) {
    stored.incrementAndGet();
    if (clockZero != 0 && e.header().kind() == ContentKind.POST) {
      observed.add(new Observed(node, e.id(), System.nanoTime() - clockZero));
    }
  }

  /** Posts the workload at its times, samples mesh changes each second, and runs to the duration. */
  private RunData drive(VirtualEngine.Progress progress) throws IOException {
    long duration = scenario.durationNanos();
    long[] publishedNanos = new long[workload.posts()];
    Map<EntryId, Integer> postOfId = new HashMap<>();
    int[] envelopeBytes = new int[workload.posts()];
    int[] meshChanges = new int[(int) (duration / 1_000_000_000L) + 1];
    long lastMeshCount = meshCount();
    int second = 0;
    int k = 0;
    while (true) {
      long now = System.nanoTime() - clockZero;
      if (now >= duration) {
        break;
      }
      if ((now / 1_000_000_000L) > second) {
        long count = meshCount();
        meshChanges[Math.min(meshChanges.length - 1, second)] += (int) Math.min(Integer.MAX_VALUE, count - lastMeshCount);
        lastMeshCount = count;
        second = (int) (now / 1_000_000_000L);
        progress.update(now, duration, stored.get());
      }
      if (k < workload.posts() && workload.timeNanos(k) <= now) {
        publishedNanos[k] = System.nanoTime() - clockZero; // Replaced by the author's store time (collect).
        LogEntry entry = nodes[workload.author(k)].post(Content.newBuilder()
            .setPost(Post.newBuilder().setText(text(k, workload.bytes(k)))).build());
        postOfId.put(entry.id(), k);
        envelopeBytes[k] = entry.toEnvelopeBytes().length;
        k++;
        continue;
      }
      long next = Math.min(duration, (second + 1) * 1_000_000_000L);
      if (k < workload.posts()) {
        next = Math.min(next, workload.timeNanos(k));
      }
      sleepNanos(next - (System.nanoTime() - clockZero));
    }
    progress.update(duration, duration, stored.get());
    return collect(publishedNanos, postOfId, envelopeBytes, meshChanges);
  }

  /** GRAFTs and PRUNEs sent and received so far, over all nodes. */
  private long meshCount() throws IOException {
    long sum = 0;
    for (GossipMetrics m : metrics()) {
      sum += m.graftIn() + m.graftOut() + m.pruneIn() + m.pruneOut();
    }
    return sum;
  }

  private List<GossipMetrics> metrics() throws IOException {
    List<CompletableFuture<GossipMetrics>> fs = new ArrayList<>();
    for (Node node : nodes) {
      fs.add(node.gossipMetrics());
    }
    List<GossipMetrics> out = new ArrayList<>();
    for (CompletableFuture<GossipMetrics> f : fs) {
      try {
        out.add(f.get(30, TimeUnit.SECONDS));
      } catch (Exception e) {
        throw new IOException("a node's router metrics did not come back: " + e, e);
      }
    }
    return out;
  }

  private RunData collect(long[] publishedNanos, Map<EntryId, Integer> postOfId, int[] envelopeBytes, int[] meshChanges)
      throws IOException {
    DeliveryLog log = new DeliveryLog(follows, workload);
    for (Observed o : observed) { // Published = stored at the author, when gossip starts (as in the virtual engine).
      Integer k = postOfId.get(o.id());
      if (k != null && o.node() == workload.author(k)) {
        publishedNanos[k] = o.nanos();
      }
    }
    for (int k = 0; k < workload.posts(); k++) {
      log.published(k, publishedNanos[k]);
    }
    for (Observed o : observed) {
      Integer k = postOfId.get(o.id());
      if (k != null && o.node() != workload.author(k)) {
        log.copy(k, o.node());
        log.delivered(k, o.node(), Math.max(o.nanos(), publishedNanos[k]), -1, false);
      }
    }
    NodeCounters counters = new NodeCounters(n);
    for (int i = 0; i < n; i++) {
      counters.wireSent[i] = bytesOut[i].sum();
      counters.wireReceived[i] = bytesIn[i].sum();
    }
    RouterTotals router = new RouterTotals();
    metrics().forEach(router::add);
    Map<Engine.Counter, Long> ingestion = new EnumMap<>(Engine.Counter.class);
    for (Node node : nodes) {
      node.ingestCounts().forEach((key, v) -> {
        String[] parts = key.split("\\.", -1);
        if (parts.length == 2 && !parts[0].equals("own")) {
          for (Engine.Counter c : Engine.Counter.values()) {
            if (c.name().equalsIgnoreCase(parts[1])) {
              ingestion.merge(c, v, Long::sum);
            }
          }
        }
      });
    }
    long verified = ingestion.values().stream().mapToLong(Long::longValue).sum();
    return new RunData(scenario, follows, topology, network, workload, log, counters, meshChanges, router.toMap(),
        Map.copyOf(ingestion), stored.get(), 0, verified, envelopeBytes, "real");
  }

  /**
   * Closes every host first, then every node: a node closing while its peers still run would see
   * their side of each connection end after its storage thread had stopped.
   */
  private void closeAll(ExecutorService setup) {
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
  }

  private static void awaitQuietly(List<Future<?>> done) {
    for (Future<?> f : done) {
      try {
        f.get(60, TimeUnit.SECONDS);
      } catch (Exception e) {
        org.slf4j.LoggerFactory.getLogger(RealEngine.class).warn("closing a node failed: {}", e.toString());
      }
    }
  }

  /** Text of exactly {@code bytes} ASCII bytes, different for every post (as the virtual engine's). */
  static String text(int post, int bytes) {
    String head = "post " + post + " ";
    char[] c = new char[bytes];
    Arrays.fill(c, 'x');
    for (int i = 0; i < Math.min(head.length(), bytes); i++) {
      c[i] = head.charAt(i);
    }
    return new String(c);
  }

  private static void sleepNanos(long nanos) throws IOException {
    if (nanos <= 0) {
      return;
    }
    try {
      TimeUnit.NANOSECONDS.sleep(nanos);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }

  private static void deleteTree(Path root) {
    try (var walk = Files.walk(root)) {
      walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      org.slf4j.LoggerFactory.getLogger(RealEngine.class).warn("could not delete {}: {}", root, e.toString());
    }
  }
}
