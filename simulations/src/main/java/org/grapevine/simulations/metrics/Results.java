package org.grapevine.simulations.metrics;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Arrays;
import org.grapevine.simulations.network.Topology;

/**
 * The summary figures of a run ({@code results.json}), each beside its baseline from the same graph
 * in the same run: delivery, latency against the flood lower bound (and their ratio, the stretch),
 * duplicates, bytes against the ideal (one copy of each post per recipient), hops, mesh stability,
 * and sync's share. Computed from {@link RunData} only, in a fixed key order, so equal runs give
 * equal files. Times are milliseconds of virtual time.
 */
public final class Results {
  private static final JsonNodeFactory J = JsonNodeFactory.instance;

  /** The mesh counts as stable once no node's mesh changed for this many seconds. */
  static final int MESH_QUIET_SECONDS = 10;

  private static final int CDF_POINTS = 20;
  private static final int MAX_SERIES_POINTS = 600;

  private Results() {}

  public static ObjectNode summarize(RunData d) {
    DeliveryLog log = d.log();
    ObjectNode root = J.objectNode();
    root.put("scenario", d.scenario().name());
    root.put("seed", d.scenario().seed());
    root.put("engine", d.engine());
    root.put("simulatedSeconds", d.scenario().durationNanos() / 1e9);
    root.set("network", network(d));
    Tally t = Tally.of(log);
    ObjectNode w = root.putObject("workload");
    w.put("posts", log.posts());
    w.put("published", t.published);
    w.put("recipientPairs", log.pairs());
    delivery(root.putObject("delivery"), d, t, log.pairs());
    latency(root, t);
    hops(root.putObject("hops"), d, t);
    duplicates(root.putObject("duplicates"), d, t);
    root.set("bytes", bytes(d));
    root.set("mesh", mesh(d.meshChangesPerSecond()));
    root.set("deliveryRatioOverTime", overTime(d, log));
    root.set("faults", faults(d));
    root.set("followToFirstDeliveryMs", DhtResults.followToFirstDelivery(d));
    root.set("dht", DhtResults.dht(d));
    ObjectNode router = root.putObject("router");
    d.routerTotals().forEach(router::put);
    ObjectNode ingestion = root.putObject("ingestion");
    for (var c : org.grapevine.node.engine.Engine.Counter.values()) {
      ingestion.put(
          c.name().toLowerCase(java.util.Locale.ROOT), d.engineTotals().getOrDefault(c, 0L));
    }
    ObjectNode addressed = AddressedResults.of(d);
    if (addressed != null) { // Only with replies or a flood: other runs keep their bytes.
      root.set("addressed", addressed);
    }
    ObjectNode run = root.putObject("run");
    run.put("events", d.events());
    run.put("realVerifications", d.realVerifications());
    return root;
  }

  /**
   * One pass over the delivery log: per delivered pair its delay, flood bound and stretch, and the
   * counts.
   */
  private static final class Tally {
    long[] delays;
    long[] bounds;
    double[] stretch;
    long[] topicBounds;
    double[] overlayStretch;
    double[] protocolStretch;
    int withTopicBound;
    int delivered;
    int bySync;
    long copies;
    long copiesOfDelivered;
    int published;
    int[] hopHistogram = new int[Byte.MAX_VALUE + 1];

    static Tally of(DeliveryLog log) {
      Tally t = new Tally();
      int pairs = log.pairs();
      t.delays = new long[pairs];
      t.bounds = new long[pairs];
      t.stretch = new double[pairs];
      t.topicBounds = new long[pairs];
      t.overlayStretch = new double[pairs];
      t.protocolStretch = new double[pairs];
      for (int k = 0; k < log.posts(); k++) {
        if (log.publishedNanos(k) >= 0) {
          t.published++;
        }
        for (int s = log.firstSlot(k); s < log.endSlot(k); s++) {
          t.copies += log.copies(s);
          if (log.firstNanos(s) < 0) {
            continue;
          }
          long delay = log.firstNanos(s) - log.publishedNanos(k);
          t.delays[t.delivered] = delay;
          t.bounds[t.delivered] = log.lowerBoundNanos(s);
          t.stretch[t.delivered] =
              log.lowerBoundNanos(s) > 0 ? (double) delay / log.lowerBoundNanos(s) : 1.0;
          long topic = log.topicBoundNanos(s);
          if (topic != Long.MAX_VALUE) {
            int i = t.withTopicBound++;
            t.topicBounds[i] = topic;
            t.overlayStretch[i] =
                log.lowerBoundNanos(s) > 0 ? (double) topic / log.lowerBoundNanos(s) : 1.0;
            t.protocolStretch[i] = topic > 0 ? (double) delay / topic : 1.0;
          }
          t.copiesOfDelivered += log.copies(s);
          t.hopHistogram[log.hops(s)]++;
          if (log.via(s) == DeliveryLog.BY_SYNC) {
            t.bySync++;
          }
          t.delivered++;
        }
      }
      return t;
    }
  }

  private static void delivery(ObjectNode del, RunData d, Tally t, int pairs) {
    del.put("ratio", ratio(t.delivered, pairs));
    del.put("delivered", t.delivered);
    if (d.perPairDetail()) {
      del.put("byGossip", t.delivered - t.bySync);
      del.put("bySync", t.bySync);
      del.put("syncShare", ratio(t.bySync, t.delivered));
    } else { // The real engine's entry listener does not say which path delivered an entry.
      del.putNull("byGossip");
      del.putNull("bySync");
      del.putNull("syncShare");
    }
  }

  private static void latency(ObjectNode root, Tally t) {
    long[] sortedDelays = Arrays.copyOf(t.delays, t.delivered);
    Arrays.sort(sortedDelays);
    long[] sortedBounds = Arrays.copyOf(t.bounds, t.delivered);
    Arrays.sort(sortedBounds);
    double[] sortedStretch = Arrays.copyOf(t.stretch, t.delivered);
    Arrays.sort(sortedStretch);
    root.set("latencyMs", millisStats(sortedDelays));
    root.set("floodLowerBoundMs", millisStats(sortedBounds));
    root.set("stretch", stats(sortedStretch));
    ObjectNode topic = root.putObject("topicBound");
    topic.put("pairs", t.withTopicBound);
    topic.put("unreachable", t.delivered - t.withTopicBound);
    long[] sortedTopic = Arrays.copyOf(t.topicBounds, t.withTopicBound);
    Arrays.sort(sortedTopic);
    topic.set("ms", millisStats(sortedTopic));
    double[] overlay = Arrays.copyOf(t.overlayStretch, t.withTopicBound);
    Arrays.sort(overlay);
    topic.set("overOfFloodBound", stats(overlay));
    double[] protocol = Arrays.copyOf(t.protocolStretch, t.withTopicBound);
    Arrays.sort(protocol);
    topic.set("latencyOverIt", stats(protocol));
    ArrayNode cdf = root.putArray("latencyCdfMs");
    for (int i = 0; i <= CDF_POINTS && t.delivered > 0; i++) {
      double q = (double) i / CDF_POINTS;
      cdf.addArray().add(round(q)).add(ms(percentile(sortedDelays, q)));
    }
  }

  private static void hops(ObjectNode hops, RunData d, Tally t) {
    int[] hopHistogram = t.hopHistogram;
    if (!d.perPairDetail()) {
      hops.putNull("mean"); // Not observable in real nodes.
      hopHistogram = new int[0];
    } else {
      hops.put("mean", round(meanOfHistogram(hopHistogram, t.delivered)));
    }
    ArrayNode h = hops.putArray("histogram");
    int maxHop = 0;
    for (int i = 0; i < hopHistogram.length; i++) {
      if (hopHistogram[i] > 0) {
        maxHop = i;
      }
    }
    for (int i = 0; i <= maxHop && i < hopHistogram.length && t.delivered > 0; i++) {
      h.add(hopHistogram[i]);
    }
  }

  private static void duplicates(ObjectNode dup, RunData d, Tally t) {
    if (d.perPairDetail()) {
      dup.put("copiesReceived", t.copies);
      dup.put(
          "perDelivery",
          round(t.delivered == 0 ? 0 : (double) (t.copiesOfDelivered - t.delivered) / t.delivered));
    } else {
      // Real nodes drop duplicates in the router, before any listener: the router's own count of
      // duplicate messages over the entries it delivered (every kind of entry, follows included).
      long dups = d.routerTotals().getOrDefault("duplicates", 0L);
      long firsts = Math.max(1, d.routerTotals().getOrDefault("messagesIn", 0L) - dups);
      dup.put("copiesReceived", d.routerTotals().getOrDefault("messagesIn", 0L));
      dup.put("perDelivery", round((double) dups / firsts));
    }
  }

  private static ObjectNode network(RunData d) {
    Topology t = d.topology();
    ObjectNode o = J.objectNode();
    int n = t.nodeCount();
    o.put("nodes", n);
    o.put("connections", t.links() / 2);
    int maxDegree = 0;
    int maxFollowers = 0;
    long follows = 0;
    for (int i = 0; i < n; i++) {
      maxDegree = Math.max(maxDegree, t.degree(i));
      maxFollowers = Math.max(maxFollowers, d.follows().followers(i).length);
      follows += d.follows().follows(i).length;
    }
    o.put("meanDegree", round((double) t.links() / n));
    o.put("maxDegree", maxDegree);
    o.put("follows", follows);
    o.put("meanFollowers", round((double) follows / n));
    o.put("maxFollowers", maxFollowers);
    return o;
  }

  private static ObjectNode bytes(RunData d) {
    NodeCounters c = d.counters();
    ObjectNode o = J.objectNode();
    long payloadReceived = sum(c.payloadReceived);
    long controlReceived = sum(c.controlReceived) + sum(c.wireReceived);
    long syncReceived = sum(c.syncReceived);
    long ideal = 0;
    for (int k = 0; k < d.workload().posts(); k++) {
      if (d.log().publishedNanos(k) >= 0) {
        ideal += (long) d.envelopeBytes()[k] * d.follows().followers(d.workload().author(k)).length;
      }
    }
    o.put("payloadSent", sum(c.payloadSent));
    o.put("payloadReceived", payloadReceived);
    o.put("controlSent", sum(c.controlSent));
    o.put("controlReceived", controlReceived);
    o.put("syncSent", sum(c.syncSent));
    o.put("syncReceived", syncReceived);
    long dhtReceived = sum(c.dhtReceived);
    o.put("dhtSent", sum(c.dhtSent));
    o.put("dhtReceived", dhtReceived);
    if (!d.perPairDetail()) { // Under Noise the kinds look alike: all bytes on the sockets, framing
      // included.
      o.put("wireSent", sum(c.wireSent));
      o.put("wireReceived", sum(c.wireReceived));
    }
    o.put("idealPayload", ideal);
    if (d.perPairDetail()) {
      o.put("payloadOverIdeal", round(ideal == 0 ? 0 : (double) payloadReceived / ideal));
    } else {
      o.putNull("payloadOverIdeal");
    }
    o.put(
        "totalOverIdeal",
        round(
            ideal == 0
                ? 0
                : (double) (payloadReceived + controlReceived + syncReceived + dhtReceived)
                    / ideal));
    long[] sent = new long[c.nodes()];
    long[] received = new long[c.nodes()];
    for (int i = 0; i < c.nodes(); i++) {
      sent[i] = c.payloadSent[i] + c.controlSent[i] + c.syncSent[i] + c.wireSent[i] + c.dhtSent[i];
      received[i] =
          c.payloadReceived[i]
              + c.controlReceived[i]
              + c.syncReceived[i]
              + c.wireReceived[i]
              + c.dhtReceived[i];
    }
    Arrays.sort(sent);
    Arrays.sort(received);
    o.set("perNodeSent", longStats(sent));
    o.set("perNodeReceived", longStats(received));
    return o;
  }

  private static ObjectNode mesh(int[] changes) {
    ObjectNode o = J.objectNode();
    long total = 0;
    int lastChange = -1;
    for (int s = 0; s < changes.length; s++) {
      total += changes[s];
      if (changes[s] > 0) {
        lastChange = s;
      }
    }
    int stableAt = -1;
    for (int s = 0; s + MESH_QUIET_SECONDS <= changes.length; s++) {
      boolean quiet = true;
      for (int q = s; q < s + MESH_QUIET_SECONDS && quiet; q++) {
        quiet = changes[q] == 0;
      }
      if (quiet) {
        stableAt = s;
        break;
      }
    }
    if (stableAt < 0) {
      o.putNull("stableAtSeconds");
    } else {
      o.put("stableAtSeconds", stableAt);
    }
    o.put("quietWindowSeconds", MESH_QUIET_SECONDS);
    o.put("changes", total);
    o.put("lastChangeSecond", lastChange);
    ArrayNode series = o.putArray("changesPerSecond");
    for (int s = 0; s <= lastChange; s++) {
      series.add(changes[s]);
    }
    return o;
  }

  /** Delivered pairs over pairs whose post was published, at evenly spaced times. */
  private static ArrayNode overTime(RunData d, DeliveryLog log) {
    long duration = d.scenario().durationNanos();
    int points = (int) Math.min(MAX_SERIES_POINTS, Math.max(1, duration / 1_000_000_000L));
    long step = duration / points;
    long[] due = new long[points + 1];
    long[] got = new long[points + 1];
    for (int k = 0; k < log.posts(); k++) {
      long p = log.publishedNanos(k);
      if (p < 0) {
        continue;
      }
      int pairs = log.endSlot(k) - log.firstSlot(k);
      due[(int) Math.min(points, (p + step - 1) / step)] += pairs;
      for (int s = log.firstSlot(k); s < log.endSlot(k); s++) {
        if (log.firstNanos(s) >= 0) {
          got[(int) Math.min(points, (log.firstNanos(s) + step - 1) / step)]++;
        }
      }
    }
    ArrayNode out = J.arrayNode();
    long cumDue = 0;
    long cumGot = 0;
    for (int i = 1; i <= points; i++) {
      cumDue += due[i] + (i == 1 ? due[0] : 0);
      cumGot += got[i] + (i == 1 ? got[0] : 0);
      out.addArray().add(round(i * step / 1e9)).add(ratio(cumGot, cumDue));
    }
    return out;
  }

  private static ObjectNode faults(RunData d) {
    NodeCounters c = d.counters();
    ObjectNode o = J.objectNode();
    o.put("outages", sum(c.outages));
    o.put("offlineNodeSeconds", round(sum(c.offlineNanos) / 1e9));
    o.put("partitions", d.scenario().faults().partitions().size());
    o.put("badForwarders", d.scenario().faults().badForwarders().count());
    o.put("rpcsSent", sum(c.rpcsSent));
    o.put("rpcsLost", sum(c.rpcsLost));
    o.put("syncSessions", sum(c.syncSessions) / 2);
    return o;
  }

  // ---- helpers ----

  /** p50, p99, max and mean of counts (hops, messages). */
  static ObjectNode countStats(long[] sorted) {
    ObjectNode o = J.objectNode();
    o.put("p50", percentile(sorted, 0.5));
    o.put("p99", percentile(sorted, 0.99));
    o.put("max", sorted.length == 0 ? 0 : sorted[sorted.length - 1]);
    double mean = 0;
    for (long v : sorted) {
      mean += v;
    }
    o.put("mean", round(sorted.length == 0 ? 0 : mean / sorted.length));
    return o;
  }

  static ObjectNode millisStats(long[] sorted) {
    ObjectNode o = J.objectNode();
    o.put("p50", ms(percentile(sorted, 0.5)));
    o.put("p90", ms(percentile(sorted, 0.9)));
    o.put("p99", ms(percentile(sorted, 0.99)));
    o.put("max", ms(sorted.length == 0 ? 0 : sorted[sorted.length - 1]));
    double mean = 0;
    for (long v : sorted) {
      mean += v;
    }
    o.put("mean", ms(sorted.length == 0 ? 0 : Math.round(mean / sorted.length)));
    return o;
  }

  private static ObjectNode longStats(long[] sorted) {
    ObjectNode o = J.objectNode();
    o.put("p50", percentile(sorted, 0.5));
    o.put("p99", percentile(sorted, 0.99));
    o.put("max", sorted.length == 0 ? 0 : sorted[sorted.length - 1]);
    return o;
  }

  private static ObjectNode stats(double[] sorted) {
    ObjectNode o = J.objectNode();
    o.put("p50", round(percentile(sorted, 0.5)));
    o.put("p90", round(percentile(sorted, 0.9)));
    o.put("p99", round(percentile(sorted, 0.99)));
    o.put("max", round(sorted.length == 0 ? 0 : sorted[sorted.length - 1]));
    double mean = 0;
    for (double v : sorted) {
      mean += v;
    }
    o.put("mean", round(sorted.length == 0 ? 0 : mean / sorted.length));
    return o;
  }

  /** Nearest rank: the smallest value with at least a fraction q of the values at or below it. */
  static long percentile(long[] sorted, double q) {
    if (sorted.length == 0) {
      return 0;
    }
    int rank = (int) Math.ceil(q * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
  }

  static double percentile(double[] sorted, double q) {
    if (sorted.length == 0) {
      return 0;
    }
    int rank = (int) Math.ceil(q * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
  }

  private static double meanOfHistogram(int[] histogram, int count) {
    double sum = 0;
    for (int i = 0; i < histogram.length; i++) {
      sum += (double) i * histogram[i];
    }
    return count == 0 ? 0 : sum / count;
  }

  private static long sum(long[] values) {
    long s = 0;
    for (long v : values) {
      s += v;
    }
    return s;
  }

  static double ms(long nanos) {
    return Math.round(nanos / 1000.0) / 1000.0;
  }

  static double ratio(long part, long whole) {
    return whole == 0 ? 0 : round((double) part / whole);
  }

  /** Six decimals: enough for every figure here, and no noise digits in the file. */
  static double round(double v) {
    return Math.round(v * 1e6) / 1e6;
  }
}
