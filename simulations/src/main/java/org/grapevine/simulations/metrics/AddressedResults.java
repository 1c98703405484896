package org.grapevine.simulations.metrics;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Arrays;
import org.grapevine.node.engine.Engine;
import org.grapevine.node.engine.LooseLimits;
import org.grapevine.simulations.network.Workload;
import org.grapevine.simulations.virtual.PostCatalog;

/**
 * The {@code addressed} section of {@code results.json} (issue 15), present only when the workload
 * has replies or a flood, so other scenarios keep their results byte for byte: for strangers'
 * replies, whether and how soon the addressee's node stored each (any source), against the flood
 * lower bound from the replier; for the flood, how much of it the addressee stored against the
 * bound {@link LooseLimits.Config#DEFAULT} allows; and the limit counters summed over all nodes.
 */
public final class AddressedResults {
  private static final JsonNodeFactory J = JsonNodeFactory.instance;

  private AddressedResults() {}

  /** The section, or null when the run has no replies or flood. */
  public static ObjectNode of(RunData d) {
    AddressedLog a = d.addressed();
    if (a == null) {
      return null;
    }
    ObjectNode o = J.objectNode();
    o.set("replies", replies(d, a));
    o.set("flood", flood(a));
    LooseLimits.Config limits = LooseLimits.Config.DEFAULT;
    ObjectNode l = o.putObject("limits");
    l.put("perWriterEntries", limits.perWriterEntries());
    l.put("perWriterBytes", limits.perWriterBytes());
    l.put("perAddresseeEntries", limits.perAddresseeEntries());
    l.put("windowSeconds", limits.windowMillis() / 1000.0);
    ObjectNode c = o.putObject("counters");
    c.put("storedLoose", d.engineTotals().getOrDefault(Engine.Counter.STORED_LOOSE, 0L));
    c.put(
        "ignoredWriterLimit",
        d.engineTotals().getOrDefault(Engine.Counter.IGNORED_WRITER_LIMIT, 0L));
    c.put(
        "ignoredAddresseeLimit",
        d.engineTotals().getOrDefault(Engine.Counter.IGNORED_ADDRESSEE_LIMIT, 0L));
    long[] outbox = a.outbox();
    ObjectNode ob = o.putObject("outbox");
    ob.put("held", outbox[0]);
    ob.put("sentLate", outbox[1]);
    ob.put("expired", outbox[2]);
    ob.put("droppedFull", outbox[3]);
    ob.put("waitingAtEnd", outbox[4]);
    return o;
  }

  private static ObjectNode replies(RunData d, AddressedLog a) {
    Workload w = a.workload();
    int written = 0;
    int published = 0;
    int delivered = 0;
    int byAddressed = 0;
    int byGossip = 0;
    int bySync = 0;
    int loose = 0;
    long[] delays = new long[w.posts()];
    long[] bounds = new long[w.posts()];
    double[] stretch = new double[w.posts()];
    for (int k = 0; k < w.posts(); k++) {
      if (w.kind(k) != Workload.REPLY) {
        continue;
      }
      written++;
      long at = d.log().publishedNanos(k);
      if (at < 0) {
        continue;
      }
      published++;
      if (a.storedNanos(k) < 0) {
        continue;
      }
      long delay = a.storedNanos(k) - at;
      delays[delivered] = delay;
      bounds[delivered] = a.lowerBoundNanos(k);
      stretch[delivered] = a.lowerBoundNanos(k) > 0 ? (double) delay / a.lowerBoundNanos(k) : 1.0;
      delivered++;
      switch (a.via(k)) {
        case AddressedLog.BY_ADDRESSED -> byAddressed++;
        case AddressedLog.BY_SYNC -> bySync++;
        default -> byGossip++;
      }
      if (a.loose(k)) {
        loose++;
      }
    }
    ObjectNode r = J.objectNode();
    r.put("written", written);
    r.put("published", published);
    r.put("delivered", delivered);
    r.put("ratio", Results.ratio(delivered, published));
    r.put("byAddressed", byAddressed);
    r.put("byGossip", byGossip);
    r.put("bySync", bySync);
    r.put("heldLoose", loose);
    r.put("heldChained", delivered - loose);
    long[] sortedDelays = sorted(delays, delivered);
    r.set("latencyMs", Results.millisStats(sortedDelays));
    r.set("floodLowerBoundMs", Results.millisStats(sorted(bounds, delivered)));
    double[] s = Arrays.copyOf(stretch, delivered);
    Arrays.sort(s);
    ObjectNode st = r.putObject("stretch");
    st.put("p50", Results.round(Results.percentile(s, 0.5)));
    st.put("p90", Results.round(Results.percentile(s, 0.9)));
    st.put("p99", Results.round(Results.percentile(s, 0.99)));
    st.put("max", Results.round(s.length == 0 ? 0 : s[s.length - 1]));
    return r;
  }

  private static ObjectNode flood(AddressedLog a) {
    Workload w = a.workload();
    java.util.TreeSet<Integer> writers = new java.util.TreeSet<>();
    int entries = 0;
    int stored = 0;
    int addressee = -1;
    long firstWindow = Long.MAX_VALUE;
    long lastWindow = Long.MIN_VALUE;
    long window = LooseLimits.Config.DEFAULT.windowMillis();
    for (int k = 0; k < w.posts(); k++) {
      if (w.kind(k) != Workload.FLOOD) {
        continue;
      }
      entries++;
      writers.add(w.author(k));
      addressee = a.addressee(k);
      long millis = PostCatalog.EPOCH_MILLIS + w.timeNanos(k) / 1_000_000L;
      firstWindow = Math.min(firstWindow, Math.floorDiv(millis, window));
      lastWindow = Math.max(lastWindow, Math.floorDiv(millis, window));
      if (a.storedNanos(k) >= 0) {
        stored++;
      }
    }
    LooseLimits.Config limits = LooseLimits.Config.DEFAULT;
    long windows = entries == 0 ? 0 : lastWindow - firstWindow + 1;
    ObjectNode f = J.objectNode();
    f.put("writers", writers.size());
    f.put("addressee", addressee);
    f.put("entries", entries);
    f.put("windows", windows);
    f.put("storedByAddressee", stored);
    f.put(
        "boundAtAddressee",
        windows
            * Math.min(
                (long) writers.size() * limits.perWriterEntries(), limits.perAddresseeEntries()));
    f.put("storedByAddressedAnywhere", a.floodStoredByAddressedAnywhere());
    return f;
  }

  private static long[] sorted(long[] values, int n) {
    long[] s = Arrays.copyOf(values, n);
    Arrays.sort(s);
    return s;
  }
}
