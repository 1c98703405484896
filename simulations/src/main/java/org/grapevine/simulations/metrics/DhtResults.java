package org.grapevine.simulations.metrics;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Arrays;
import org.grapevine.libp2p.kad.QueryKind;
import org.grapevine.simulations.network.FollowGraph;

/**
 * The figures of {@code results.json} about finding followed identities: how long a follower waits
 * for the first post of someone it follows ({@code followToFirstDeliveryMs}), and what the DHT
 * lookups behind it cost ({@code dht}). Computed from {@link RunData} only, in a fixed key order.
 */
final class DhtResults {
  private static final JsonNodeFactory J = JsonNodeFactory.instance;

  private DhtResults() {}

  /**
   * Per (follower, followed) pair whose followed identity published anything: from the later of the
   * follow (every follow is made at the start of the run, before any connection to the topic
   * exists) and the identity's first publication, to the first post of it the follower stored.
   * Measured this way, it holds the time to find the topic's peers (the DHT lookups) when that is
   * what the follower waited for, and is the plain delivery latency when it was not. Pairs never
   * delivered are counted in {@code undelivered}, not in the percentiles.
   */
  static ObjectNode followToFirstDelivery(RunData d) {
    DeliveryLog log = d.log();
    FollowGraph g = d.follows();
    int n = g.nodeCount();
    int[] base = new int[n + 1];
    for (int x = 0; x < n; x++) {
      base[x + 1] = base[x] + g.followers(x).length;
    }
    long[] first = new long[base[n]];
    Arrays.fill(first, -1);
    long[] firstPublished = new long[n];
    Arrays.fill(firstPublished, -1);
    for (int k = 0; k < log.posts(); k++) {
      long p = log.publishedNanos(k);
      if (p < 0) {
        continue;
      }
      int author = d.workload().author(k);
      if (firstPublished[author] < 0 || p < firstPublished[author]) {
        firstPublished[author] = p;
      }
      for (int s = log.firstSlot(k); s < log.endSlot(k); s++) {
        long t = log.firstNanos(s);
        int pair = base[author] + (s - log.firstSlot(k));
        if (t >= 0 && (first[pair] < 0 || t < first[pair])) {
          first[pair] = t;
        }
      }
    }
    long[] waits = new long[first.length];
    int got = 0;
    int pairs = 0;
    for (int x = 0; x < n; x++) {
      if (firstPublished[x] < 0) {
        continue;
      }
      for (int pair = base[x]; pair < base[x + 1]; pair++) {
        pairs++;
        if (first[pair] >= 0) {
          waits[got++] = first[pair] - Math.max(0, firstPublished[x]);
        }
      }
    }
    long[] sorted = Arrays.copyOf(waits, got);
    Arrays.sort(sorted);
    ObjectNode o = Results.millisStats(sorted);
    o.put("pairs", pairs);
    o.put("undelivered", pairs - got);
    return o;
  }

  /** The DHT's section: lookups (hops, messages, duration), queries by kind, topic peers, bytes. */
  static ObjectNode dht(RunData d) {
    DhtTotals t = d.dht();
    ObjectNode o = J.objectNode();
    o.put("enabled", t.enabled());
    if (!t.enabled()) {
      return o;
    }
    ObjectNode l = o.putObject("topicLookups");
    l.put("count", t.lookups());
    l.set("hops", Results.countStats(t.sortedHops()));
    l.set("messages", Results.countStats(t.sortedRequests()));
    l.set("durationMs", Results.millisStats(t.sortedDurations()));
    ObjectNode q = o.putObject("queries");
    for (QueryKind k : QueryKind.values()) {
      long[] c = t.kind(k);
      if (c[0] > 0) {
        q.putObject(k.name().toLowerCase(java.util.Locale.ROOT))
            .put("count", c[0])
            .put("succeeded", c[1])
            .put("messages", c[2]);
      }
    }
    o.put("topicPeersKept", t.topicPeersKept);
    o.put("topicConnections", t.topicConnections);
    NodeCounters c = d.counters();
    long messages = 0;
    for (int i = 0; i < c.nodes(); i++) {
      messages += c.dhtMessagesSent[i];
    }
    o.put("messagesSent", messages);
    return o;
  }
}
