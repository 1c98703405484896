package org.grapevine.simulations.metrics;

import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;
import org.grapevine.libp2p.kad.QueryKind;
import org.grapevine.libp2p.kad.QueryStats;

/**
 * What the nodes' DHTs did in a run, from their {@code DhtQueryDone} events: queries by kind and
 * how many succeeded, and for each topic lookup (FIND_PROVIDERS, the lookups that find topic peers)
 * its hops, requests and duration; plus the topic peers kept and the connections made to them.
 * Empty ({@link #enabled} false) when the run had no DHT.
 */
public final class DhtTotals {
  private final boolean enabled;
  private final Map<QueryKind, long[]> byKind = new EnumMap<>(QueryKind.class);
  private int[] hops = new int[64];
  private int[] requests = new int[64];
  private long[] durations = new long[64];
  private int lookups;

  /** KeepTopicPeer commands, and the connections they made (the rest were already connected). */
  public long topicPeersKept;

  public long topicConnections;

  /**
   * Every pair connected during the run and not by the topology, packed {@code (long) a << 32 | b},
   * {@code a < b}; set by the engine at the end (for the flood lower bound).
   */
  public long[] madeEdges = new long[0];

  public DhtTotals(boolean enabled) {
    this.enabled = enabled;
  }

  public boolean enabled() {
    return enabled;
  }

  /** One query ended. */
  public void add(QueryKind kind, QueryStats stats) {
    long[] c = byKind.computeIfAbsent(kind, k -> new long[3]);
    c[0]++;
    c[1] += stats.success() ? 1 : 0;
    c[2] += stats.requests();
    if (kind != QueryKind.FIND_PROVIDERS) {
      return;
    }
    if (lookups == hops.length) {
      hops = Arrays.copyOf(hops, lookups * 2);
      requests = Arrays.copyOf(requests, lookups * 2);
      durations = Arrays.copyOf(durations, lookups * 2);
    }
    hops[lookups] = stats.hops();
    requests[lookups] = (int) Math.min(Integer.MAX_VALUE, stats.requests());
    durations[lookups] = stats.durationNanos();
    lookups++;
  }

  /** Queries of {@code kind}: {count, succeeded, requests}. */
  public long[] kind(QueryKind kind) {
    return byKind.getOrDefault(kind, new long[3]).clone();
  }

  public int lookups() {
    return lookups;
  }

  /** Each topic lookup's hops, sorted. */
  public long[] sortedHops() {
    return sorted(hops);
  }

  /** Each topic lookup's requests (messages sent), sorted. */
  public long[] sortedRequests() {
    return sorted(requests);
  }

  public long[] sortedDurations() {
    long[] out = Arrays.copyOf(durations, lookups);
    Arrays.sort(out);
    return out;
  }

  private long[] sorted(int[] values) {
    long[] out = new long[lookups];
    for (int i = 0; i < lookups; i++) {
      out[i] = values[i];
    }
    Arrays.sort(out);
    return out;
  }
}
