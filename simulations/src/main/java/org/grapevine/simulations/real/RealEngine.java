package org.grapevine.simulations.real;

import java.io.IOException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.grapevine.libp2p.gossipsub.GossipMetrics;
import org.grapevine.libp2p.host.ChannelHook;
import org.grapevine.node.Node;
import org.grapevine.node.engine.Engine;
import org.grapevine.protocol.entry.ContentKind;
import org.grapevine.protocol.entry.LogEntry;
import org.grapevine.protocol.proto.Content;
import org.grapevine.protocol.proto.Post;
import org.grapevine.simulations.SimulationEngine;
import org.grapevine.simulations.metrics.RouterTotals;
import org.grapevine.simulations.metrics.RunData;
import org.grapevine.simulations.network.FollowGraph;
import org.grapevine.simulations.network.Network;
import org.grapevine.simulations.network.Topology;
import org.grapevine.simulations.network.Workload;
import org.grapevine.simulations.scenario.Scenario;
import org.grapevine.simulations.virtual.PostCatalog;

/**
 * The {@code real} engine: every node is a real {@link Node} in this JVM (RocksDB in a temporary
 * directory with the store's default memory settings, {@code StoreConfig.DEFAULT}, a libp2p host on
 * 127.0.0.1 with TCP, Noise and Yamux, GossipSub, ingestion, catch-up sync), all on one small
 * shared event-loop group. The scenario's topology is dialled explicitly (discovery: no mDNS, no
 * bootstrap, no dialling towards a target), each connection's bytes are delayed by its link's
 * latency from the same {@link Network} the virtual engine uses ({@link LatencyHandler} on the
 * dialling side, through {@link ChannelHook}), the follow graph is applied with {@link
 * Node#follow}, the workload is posted with {@link Node#post} at its times, and deliveries are what
 * the nodes' entry listeners see, on the wall clock.
 *
 * <p>As if synced before the run (as in the virtual engine), each node's store starts with the
 * delegations (root logs) of the identities it follows, and the clock starts once every node holds
 * the follow entries of the identities it follows (real sync fetches the ones gossip missed during
 * set-up). Time is wall time from the moment the nodes are up, connected and following; warm-up and
 * duration are wall seconds. A post counts as published when the author's node has stored it (its
 * durable write done) and hands it to gossip, as in the virtual engine, where publishing costs no
 * time.
 *
 * <p>Not modelled here: bandwidth (loopback), validation delay (the validation is real), loss, and
 * faults (checked by {@link #unsupported}). The routers run the scenario's {@code
 * protocol.gossip/score/thresholds} settings under the node's own policy (no pubsub signatures,
 * message id = entry id, per-identity-topic scoring: {@code NodeGossip}).
 *
 * <p>Set-up and tear-down of the nodes: {@link RealCluster}; here: the run on the wall clock and
 * what it measured.
 */
public final class RealEngine implements SimulationEngine {
  private final Scenario scenario;
  private final FollowGraph follows;
  private final Topology topology;
  private final Network network;
  private final Workload workload;
  private final SplittableRandom random;
  private final int n;
  private final RealMeasurements measured;
  private final AtomicLong stored = new AtomicLong();
  private RealCluster cluster;
  private volatile long clockZero;

  public RealEngine(
      Scenario scenario,
      FollowGraph follows,
      Topology topology,
      Network network,
      Workload workload,
      SplittableRandom random) {
    this.scenario = scenario;
    this.follows = follows;
    this.topology = topology;
    this.network = network;
    this.workload = workload;
    this.random = random;
    this.n = follows.nodeCount();
    this.measured = new RealMeasurements(scenario, follows, topology, network, workload);
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
    if (s.nodes().startSpreadNanos() > 0) {
      out.add("nodes.startSpread: not supported by the real engine (its nodes all start at once)");
    }
    if (f.badForwarders().count() > 0) {
      out.add("faults.badForwarders: not supported by the real engine");
    }
    if (s.nodes().count() > 2000) {
      out.add("nodes.count: " + s.nodes().count() + " real nodes in one JVM; at most 2000");
    }
    return out;
  }

  /**
   * Starts the nodes, runs the workload on the wall clock and returns what was measured; every node
   * and its data directory is gone when it returns.
   *
   * @param clockStarted called once the nodes are up, connected and following (time zero)
   */
  @Override
  public RunData run(SimulationEngine.Progress progress, Runnable clockStarted) throws IOException {
    List<String> problems = unsupported(scenario);
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(
          "the real engine cannot run this scenario: " + String.join("; ", problems));
    }
    try (RealCluster c =
        new RealCluster(
            scenario,
            follows,
            topology,
            network,
            new PostCatalog(scenario.seed(), n, workload),
            random)) {
      cluster = c;
      c.start(this::onStored);
      clockZero = System.nanoTime();
      clockStarted.run();
      return drive(progress);
    } finally {
      cluster = null;
    }
  }

  // ---------------------------------------------------------------- the run

  /** On a node's storage thread: note each post stored there (quick; no blocking). */
  private void onStored(int node, LogEntry e) {
    stored.incrementAndGet();
    if (clockZero != 0 && e.header().kind() == ContentKind.POST) {
      measured.stored(node, e.id(), System.nanoTime() - clockZero);
    }
  }

  /**
   * Posts the workload at its times, samples mesh changes each second, and runs to the duration.
   */
  private RunData drive(SimulationEngine.Progress progress) throws IOException {
    long duration = scenario.durationNanos();
    long lastMeshCount = meshCount(cluster.nodes());
    int second = 0;
    int k = 0;
    while (true) {
      long now = System.nanoTime() - clockZero;
      if (now >= duration) {
        break;
      }
      if ((now / 1_000_000_000L) > second) {
        long count = meshCount(cluster.nodes());
        measured.meshChanges(second, count - lastMeshCount);
        lastMeshCount = count;
        second = (int) (now / 1_000_000_000L);
        progress.update(now, duration, stored.get());
      }
      if (k < workload.posts() && workload.timeNanos(k) <= now) {
        long handed = System.nanoTime() - clockZero; // Replaced by the author's store time.
        LogEntry entry = post(cluster.node(workload.author(k)), k, workload.bytes(k));
        measured.posted(k, entry.id(), entry.toEnvelopeBytes().length, handed);
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
    for (int i = 0; i < n; i++) {
      measured.wire(i, cluster.bytesOut(i), cluster.bytesIn(i));
    }
    addCounters(cluster.nodes(), measured);
    measured.storedEntries(stored.get());
    measured.madeEdges(cluster.madeEdges());
    return measured.toRunData("real");
  }

  /** Workload post {@code k} written by {@code author}: stored there, handed to gossip. */
  public static LogEntry post(Node author, int k, int bytes) {
    return author.post(
        Content.newBuilder()
            .setPost(Post.newBuilder().setText(PostCatalog.text(k, bytes)))
            .build());
  }

  /** Router totals and ingestion outcomes of {@code nodes}, added to {@code into}. */
  public static void addCounters(List<Node> nodes, RealMeasurements into) throws IOException {
    RouterTotals router = new RouterTotals();
    metrics(nodes).forEach(router::add);
    into.router(router.toMap());
    Map<Engine.Counter, Long> ingestion = new EnumMap<>(Engine.Counter.class);
    for (Node node : nodes) {
      RealMeasurements.addIngestion(ingestion, node.ingestCounts());
    }
    into.ingestion(ingestion);
  }

  /** GRAFTs and PRUNEs sent and received so far, over {@code nodes}. */
  public static long meshCount(List<Node> nodes) throws IOException {
    long sum = 0;
    for (GossipMetrics m : metrics(nodes)) {
      sum += m.graftIn() + m.graftOut() + m.pruneIn() + m.pruneOut();
    }
    return sum;
  }

  private static List<GossipMetrics> metrics(List<Node> nodes) throws IOException {
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

  public static void sleepNanos(long nanos) throws IOException {
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
}
