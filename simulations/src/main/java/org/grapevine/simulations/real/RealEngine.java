package org.grapevine.simulations.real;

import java.io.IOException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.grapevine.libp2p.gossipsub.GossipMetrics;
import org.grapevine.libp2p.host.ChannelHook;
import org.grapevine.node.Node;
import org.grapevine.node.engine.Engine;
import org.grapevine.protocol.entry.ContentKind;
import org.grapevine.protocol.entry.EntryId;
import org.grapevine.protocol.entry.LogEntry;
import org.grapevine.protocol.proto.Content;
import org.grapevine.protocol.proto.Post;
import org.grapevine.simulations.SimulationEngine;
import org.grapevine.simulations.metrics.DeliveryLog;
import org.grapevine.simulations.metrics.NodeCounters;
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
  private final ConcurrentLinkedQueue<Observed> observed = new ConcurrentLinkedQueue<>();
  private final AtomicLong stored = new AtomicLong();
  private RealCluster cluster;
  private volatile long clockZero;

  /** One post stored at a node, at nanoseconds since the clock started. */
  private record Observed(int node, EntryId id, long nanos) {}

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
      observed.add(new Observed(node, e.id(), System.nanoTime() - clockZero));
    }
  }

  /**
   * Posts the workload at its times, samples mesh changes each second, and runs to the duration.
   */
  private RunData drive(SimulationEngine.Progress progress) throws IOException {
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
        meshChanges[Math.min(meshChanges.length - 1, second)] +=
            (int) Math.min(Integer.MAX_VALUE, count - lastMeshCount);
        lastMeshCount = count;
        second = (int) (now / 1_000_000_000L);
        progress.update(now, duration, stored.get());
      }
      if (k < workload.posts() && workload.timeNanos(k) <= now) {
        publishedNanos[k] =
            System.nanoTime() - clockZero; // Replaced by the author's store time (collect).
        LogEntry entry =
            cluster
                .node(workload.author(k))
                .post(
                    Content.newBuilder()
                        .setPost(Post.newBuilder().setText(PostCatalog.text(k, workload.bytes(k))))
                        .build());
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
    for (Node node : cluster.nodes()) {
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

  private RunData collect(
      long[] publishedNanos, Map<EntryId, Integer> postOfId, int[] envelopeBytes, int[] meshChanges)
      throws IOException {
    DeliveryLog log = new DeliveryLog(follows, workload);
    for (Observed o :
        observed) { // Published = stored at the author, when gossip starts (as in the virtual
      // engine).
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
      counters.wireSent[i] = cluster.bytesOut(i);
      counters.wireReceived[i] = cluster.bytesIn(i);
    }
    RouterTotals router = new RouterTotals();
    metrics().forEach(router::add);
    Map<Engine.Counter, Long> ingestion = new EnumMap<>(Engine.Counter.class);
    for (Node node : cluster.nodes()) {
      node.ingestCounts()
          .forEach(
              (key, v) -> {
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
    return new RunData(
        scenario,
        follows,
        topology,
        network,
        workload,
        log,
        counters,
        meshChanges,
        router.toMap(),
        Map.copyOf(ingestion),
        stored.get(),
        0,
        verified,
        envelopeBytes,
        "real",
        dhtTotals(),
        null); // Replies and floods run in the virtual engine only.
  }

  /**
   * No DHT figures (the real nodes' queries are not observed), but the connections they made
   * outside the topology, for the flood lower bound.
   */
  private org.grapevine.simulations.metrics.DhtTotals dhtTotals() {
    var totals = new org.grapevine.simulations.metrics.DhtTotals(false);
    totals.madeEdges = cluster.madeEdges();
    return totals;
  }

  static void sleepNanos(long nanos) throws IOException {
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
