package org.grapevine.simulations.real;

import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.grapevine.node.engine.Engine;
import org.grapevine.protocol.entry.EntryId;
import org.grapevine.simulations.metrics.DeliveryLog;
import org.grapevine.simulations.metrics.DhtTotals;
import org.grapevine.simulations.metrics.NodeCounters;
import org.grapevine.simulations.metrics.RunData;
import org.grapevine.simulations.network.FollowGraph;
import org.grapevine.simulations.network.Network;
import org.grapevine.simulations.network.Topology;
import org.grapevine.simulations.network.Workload;
import org.grapevine.simulations.scenario.Scenario;

/**
 * What real nodes were seen doing, gathered during a run and turned into a {@link RunData} at its
 * end: the posts each node stored and when (nanoseconds since the clock started), which entry each
 * workload post became, and the counters read from the nodes at the end. Filled by {@link
 * RealEngine} in one JVM, and by the distributed engine's coordinator from its agents' reports, so
 * both compute the run the same way.
 *
 * <p>Thread-safe for {@link #stored} and {@link #posted}; the counters are added from one thread at
 * the end.
 */
public final class RealMeasurements {
  private final Scenario scenario;
  private final FollowGraph follows;
  private final Topology topology;
  private final Network network;
  private final Workload workload;
  private final ConcurrentLinkedQueue<Observed> observed = new ConcurrentLinkedQueue<>();
  private final Map<EntryId, Integer> postOfId = new ConcurrentHashMap<>();
  private final long[] publishedNanos;
  private final int[] envelopeBytes;
  private final int[] meshChanges;
  private final NodeCounters counters;
  private final Map<String, Long> router = new LinkedHashMap<>();
  private final Map<Engine.Counter, Long> ingestion = new EnumMap<>(Engine.Counter.class);
  private long storedEntries;
  private long[] madeEdges = new long[0];

  /** One post stored at a node, at nanoseconds since the clock started. */
  private record Observed(int node, EntryId id, long nanos) {}

  public RealMeasurements(
      Scenario scenario,
      FollowGraph follows,
      Topology topology,
      Network network,
      Workload workload) {
    this.scenario = scenario;
    this.follows = follows;
    this.topology = topology;
    this.network = network;
    this.workload = workload;
    this.publishedNanos = new long[workload.posts()];
    this.envelopeBytes = new int[workload.posts()];
    this.meshChanges = new int[(int) (scenario.durationNanos() / 1_000_000_000L) + 1];
    this.counters = new NodeCounters(follows.nodeCount());
  }

  /** A post stored at {@code node}, {@code nanos} after the clock started. */
  public void stored(int node, EntryId id, long nanos) {
    observed.add(new Observed(node, id, nanos));
  }

  /**
   * Workload post {@code k} became entry {@code id}, handed to its author at {@code nanos}
   * (replaced by the author's store time when that was observed).
   */
  public void posted(int k, EntryId id, int envelope, long nanos) {
    postOfId.put(id, k);
    envelopeBytes[k] = envelope;
    publishedNanos[k] = nanos;
  }

  /** Mesh changes (GRAFTs and PRUNEs) seen in second {@code second} of the run. */
  public void meshChanges(int second, long changes) {
    int s = Math.max(0, Math.min(meshChanges.length - 1, second));
    meshChanges[s] = (int) Math.min(Integer.MAX_VALUE, meshChanges[s] + Math.max(0, changes));
  }

  /** A node's wire bytes, counted next to its sockets. */
  public void wire(int node, long sent, long received) {
    counters.wireSent[node] = sent;
    counters.wireReceived[node] = received;
  }

  /** Router counters of some nodes, summed by name (in the order first seen). */
  public void router(Map<String, Long> totals) {
    totals.forEach((k, v) -> router.merge(k, v, Long::sum));
  }

  /** Ingestion outcomes of some nodes, by counter. */
  public void ingestion(Map<Engine.Counter, Long> totals) {
    totals.forEach((k, v) -> ingestion.merge(k, v, Long::sum));
  }

  /** The router counters added so far, by name. */
  public Map<String, Long> routerTotals() {
    return java.util.Collections.unmodifiableMap(new LinkedHashMap<>(router));
  }

  /** The ingestion outcomes added so far. */
  public Map<Engine.Counter, Long> ingestionTotals() {
    return Map.copyOf(ingestion);
  }

  /** Entries stored, all kinds, over some nodes. */
  public void storedEntries(long count) {
    storedEntries += count;
  }

  /** Pairs connected outside the topology, packed as {@link DhtTotals#madeEdges}. */
  public void madeEdges(long[] pairs) {
    long[] all = java.util.Arrays.copyOf(madeEdges, madeEdges.length + pairs.length);
    System.arraycopy(pairs, 0, all, madeEdges.length, pairs.length);
    madeEdges = java.util.Arrays.stream(all).distinct().sorted().toArray();
  }

  /**
   * A node's ingestion counts ({@code Node#ingestCounts}: {@code source.counter}) added to {@code
   * into}, the node's own posts left out.
   */
  public static void addIngestion(Map<Engine.Counter, Long> into, Map<String, Long> nodeCounts) {
    nodeCounts.forEach(
        (key, v) -> {
          String[] parts = key.split("\\.", -1);
          if (parts.length == 2 && !parts[0].equals("own")) {
            for (Engine.Counter c : Engine.Counter.values()) {
              if (c.name().equalsIgnoreCase(parts[1])) {
                into.merge(c, v, Long::sum);
              }
            }
          }
        });
  }

  /** The run, as measured; {@code engine} names the engine in the results. */
  public RunData toRunData(String engine) {
    DeliveryLog log = new DeliveryLog(follows, workload);
    // Published = stored at the author, when gossip starts (as in the virtual engine).
    for (Observed o : observed) {
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
    long verified = ingestion.values().stream().mapToLong(Long::longValue).sum();
    // No DHT figures (the real nodes' queries are not observed), but the connections they made
    // outside the topology, for the flood lower bound.
    DhtTotals dht = new DhtTotals(false);
    dht.madeEdges = madeEdges;
    return new RunData(
        scenario,
        follows,
        topology,
        network,
        workload,
        log,
        counters,
        meshChanges,
        java.util.Collections.unmodifiableMap(new LinkedHashMap<>(router)),
        Map.copyOf(ingestion),
        storedEntries,
        0,
        verified,
        envelopeBytes,
        engine,
        dht,
        null); // Replies and floods run in the virtual engine only.
  }
}
