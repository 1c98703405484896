package org.grapevine.simulations.report;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.grapevine.simulations.metrics.DeliveryLog;
import org.grapevine.simulations.metrics.NodeCounters;
import org.grapevine.simulations.metrics.RunData;
import org.grapevine.simulations.scenario.ScenarioWriter;

/**
 * {@code report.html} of one run: the key figures and charts of latency (CDF against the flood
 * lower bound), delivery over time, duplicates, bandwidth per node, stretch and hops, drawn from
 * the run's {@link RunData} and {@code results.json}. One self-contained file: inline SVG and
 * style, no scripts and no external references, so it opens in a browser with no network.
 */
public final class RunReport {
  public static final String FILE = "report.html";

  /** Chart ids, in page order (the test checks each is there). */
  public static final List<String> CHARTS =
      List.of("latency-cdf", "delivery-over-time", "duplicates", "bandwidth-per-node", "stretch");

  private static final int CURVE_POINTS = 400;
  private static final int MAX_COPIES_BAR = 40;

  private RunReport() {}

  /**
   * Writes {@code dir/report.html}; {@code speed} (may be null) adds the run's wall time and
   * memory.
   */
  public static void write(Path dir, RunData d, JsonNode results, JsonNode speed)
      throws IOException {
    Files.writeString(dir.resolve(FILE), render(d, results, speed), StandardCharsets.UTF_8);
  }

  static String render(RunData d, JsonNode r, JsonNode speed) {
    Pairs p = Pairs.of(d.log());
    StringBuilder b =
        Html.open(
            "Grapevine simulation: " + d.scenario().name(),
            String.format(
                Locale.ROOT,
                "engine %s, seed %d, %d nodes, %d posts, %.1f s simulated",
                r.path("engine").asText(),
                d.scenario().seed(),
                d.topology().nodeCount(),
                d.workload().posts(),
                d.scenario().durationNanos() / 1e9));
    b.append("<h2>Key figures</h2>\n");
    Html.keyValues(b, summary(r, speed));
    if (r.has("addressed")) {
      b.append("<h2>Addressed entries: strangers' replies and the flood</h2>\n");
      Html.keyValues(b, addressed(r.path("addressed")));
    }
    b.append("<h2>Charts</h2>\n<div class=\"charts\">\n");
    Html.figure(
        b,
        CHARTS.get(0),
        new SvgChart(
                "Latency, CDF over delivered (post, follower) pairs",
                "milliseconds after publishing",
                "fraction of delivered pairs")
            .yRange(0, 1)
            .xFrom(0)
            .add("this run", quantiles(p.delays, 1e-6), fractions(p.delays), SvgChart.Kind.LINE)
            .add(
                "flood lower bound",
                quantiles(p.bounds, 1e-6),
                fractions(p.bounds),
                SvgChart.Kind.LINE),
        "First delivery of each post to each follower of its author. The lower bound is the"
            + " shortest-path delay when every node relays at once (nothing can be faster on this"
            + " network).");
    Html.figure(
        b,
        CHARTS.get(1),
        overTime(r),
        "Delivered pairs over the pairs of posts published so far, by time.");
    Html.figure(
        b,
        CHARTS.get(2),
        duplicates(d, r),
        d.perPairDetail()
            ? "Copies each delivered pair received (gossip and sync); 1 means no duplicate. The"
                + " last bar holds "
                + MAX_COPIES_BAR
                + " copies and more."
            : "Real nodes drop duplicates inside the router: its counters, summed over all nodes"
                + " (every kind of entry).");
    Html.figure(
        b,
        CHARTS.get(3),
        bandwidth(d.counters()),
        "Bytes each node sent and received (payload, control and sync),"
            + " nodes sorted from least to most.");
    Html.figure(
        b,
        CHARTS.get(4),
        new SvgChart(
                "Stretch, CDF: delay over the flood lower bound",
                "stretch (1 = as fast as possible)",
                "fraction of delivered pairs")
            .yRange(0, 1)
            .add("stretch", quantiles(p.stretch, 1), fractions(p.stretch), SvgChart.Kind.LINE),
        "Per delivered pair, its delay divided by its lower bound.");
    if (p.hopsKnown) {
      Html.figure(b, "hops", hops(r), "Hop count of the first copy that reached each follower.");
    }
    b.append("</div>\n<h2>Scenario as run</h2>\n<pre>")
        .append(Html.escape(ScenarioWriter.toYaml(d.scenario())))
        .append("</pre>\n");
    return Html.close(b);
  }

  /** The {@code fields} of {@code node} as text, joined by " / " (a table cell of figures). */
  private static String slashed(JsonNode node, String... fields) {
    StringBuilder out = new StringBuilder();
    for (String f : fields) {
      out.append(out.length() == 0 ? "" : " / ").append(node.path(f).asText());
    }
    return out.toString();
  }

  /** The {@code addressed} section (issue 15) in a few rows. */
  private static String[][] addressed(JsonNode a) {
    JsonNode rep = a.path("replies");
    JsonNode lat = rep.path("latencyMs");
    JsonNode bound = rep.path("floodLowerBoundMs");
    JsonNode f = a.path("flood");
    JsonNode c = a.path("counters");
    return new String[][] {
      {
        "strangers' replies stored by their addressee / published (ratio)",
        rep.path("delivered").asText()
            + " / "
            + rep.path("published").asText()
            + " ("
            + rep.path("ratio").asText()
            + ")"
      },
      {
        "of which from the addressee topic / gossip / sync; held loose at the end",
        slashed(rep, "byAddressed", "byGossip", "bySync") + "; " + rep.path("heldLoose").asText()
      },
      {"reply latency p50 / p90 / p99 / max, ms", slashed(lat, "p50", "p90", "p99", "max")},
      {"flood lower bound p50 / p99, ms", slashed(bound, "p50", "p99")},
      {
        "flood: writers, entries; stored by the addressee / bound",
        f.path("writers").asText()
            + ", "
            + f.path("entries").asText()
            + "; "
            + slashed(f, "storedByAddressee", "boundAtAddressee")
      },
      {
        "stored loose / ignored over writer limit / over addressee limit (all nodes)",
        slashed(c, "storedLoose", "ignoredWriterLimit", "ignoredAddresseeLimit")
      }
    };
  }

  private static String[][] summary(JsonNode r, JsonNode speed) {
    JsonNode lat = r.path("latencyMs");
    JsonNode bound = r.path("floodLowerBoundMs");
    String[][] rows = {
      {
        "nodes / connections / mean degree",
        r.path("network").path("nodes").asText()
            + " / "
            + r.path("network").path("connections").asText()
            + " / "
            + r.path("network").path("meanDegree").asText()
      },
      {
        "posts published / (post, follower) pairs",
        r.path("workload").path("published").asText()
            + " / "
            + r.path("workload").path("recipientPairs").asText()
      },
      {
        "delivery ratio (by gossip / by sync)",
        r.path("delivery").path("ratio").asText()
            + " ("
            + r.path("delivery").path("byGossip").asText()
            + " / "
            + r.path("delivery").path("bySync").asText()
            + ")"
      },
      {"latency p50 / p90 / p99 / max, ms", slashed(lat, "p50", "p90", "p99", "max")},
      {"flood lower bound p50 / p90 / p99, ms", slashed(bound, "p50", "p90", "p99")},
      {
        "stretch p50 / p90 / p99",
        r.path("stretch").path("p50").asText()
            + " / "
            + r.path("stretch").path("p90").asText()
            + " / "
            + r.path("stretch").path("p99").asText()
      },
      {"duplicates per delivery", r.path("duplicates").path("perDelivery").asText()},
      {
        "payload bytes over ideal / all bytes over ideal",
        r.path("bytes").path("payloadOverIdeal").asText()
            + " / "
            + r.path("bytes").path("totalOverIdeal").asText()
      },
      {"mesh stable at, s", r.path("mesh").path("stableAtSeconds").asText()},
      {
        "follow to first delivery p50 / p99, ms (undelivered pairs)",
        r.path("followToFirstDeliveryMs").path("p50").asText()
            + " / "
            + r.path("followToFirstDeliveryMs").path("p99").asText()
            + " ("
            + r.path("followToFirstDeliveryMs").path("undelivered").asText()
            + ")"
      },
      {"DHT topic lookups: hops / messages p50, p99, mean; bytes", dht(r)},
      {
        "run",
        speed == null
            ? "-"
            : String.format(
                Locale.ROOT,
                "%.1f s wall, %.2f simulated s per wall s, %,.0f events/s," + " peak heap %,d MiB",
                speed.path("wallSeconds").asDouble(),
                speed.path("simulatedSecondsPerWallSecond").asDouble(),
                speed.path("eventsPerSecond").asDouble(),
                speed.path("peakHeapBytes").asLong() >> 20)
      },
    };
    return rows;
  }

  private static String dht(JsonNode r) {
    JsonNode l = r.path("dht").path("topicLookups");
    if (!r.path("dht").path("enabled").asBoolean()) {
      return "off";
    }
    return l.path("count").asText()
        + " lookups; hops "
        + l.path("hops").path("p50").asText()
        + ", "
        + l.path("hops").path("p99").asText()
        + ", "
        + l.path("hops").path("mean").asText()
        + "; messages "
        + l.path("messages").path("p50").asText()
        + ", "
        + l.path("messages").path("p99").asText()
        + ", "
        + l.path("messages").path("mean").asText()
        + "; "
        + r.path("bytes").path("dhtReceived").asText()
        + " B received";
  }

  private static SvgChart overTime(JsonNode r) {
    JsonNode series = r.path("deliveryRatioOverTime");
    double[] t = new double[series.size()];
    double[] v = new double[series.size()];
    for (int i = 0; i < t.length; i++) {
      t[i] = series.get(i).get(0).asDouble();
      v[i] = series.get(i).get(1).asDouble();
    }
    return new SvgChart("Delivery ratio over time", "seconds", "delivered / due")
        .yRange(0, 1)
        .xFrom(0)
        .add("delivery ratio", t, v, SvgChart.Kind.LINE);
  }

  private static SvgChart duplicates(RunData d, JsonNode r) {
    if (!d.perPairDetail()) {
      JsonNode rt = r.path("router");
      double dups = rt.path("duplicates").asDouble();
      return new SvgChart(
              "Duplicates: router messages received",
              "0 = first copies, 1 = duplicates",
              "messages")
          .add(
              "messages",
              new double[] {0, 1},
              new double[] {rt.path("messagesIn").asDouble() - dups, dups},
              SvgChart.Kind.BARS);
    }
    DeliveryLog log = d.log();
    long[] count = new long[MAX_COPIES_BAR + 1];
    int max = 0;
    for (int s = 0; s < log.pairs(); s++) {
      if (log.firstNanos(s) >= 0) {
        int c = Math.min(MAX_COPIES_BAR, log.copies(s));
        count[c]++;
        max = Math.max(max, c);
      }
    }
    double[] x = new double[Math.max(0, max)];
    double[] y = new double[x.length];
    for (int c = 1; c <= max; c++) {
      x[c - 1] = c;
      y[c - 1] = count[c];
    }
    return new SvgChart(
            "Duplicates: copies received per delivered pair", "copies received", "pairs")
        .add("pairs", x, y, SvgChart.Kind.BARS);
  }

  private static SvgChart bandwidth(NodeCounters c) {
    int n = c.nodes();
    double[] sent = new double[n];
    double[] received = new double[n];
    for (int i = 0; i < n; i++) {
      sent[i] = (c.payloadSent[i] + c.controlSent[i] + c.syncSent[i] + c.wireSent[i]) / 1024.0;
      received[i] =
          (c.payloadReceived[i] + c.controlReceived[i] + c.syncReceived[i] + c.wireReceived[i])
              / 1024.0;
    }
    Arrays.sort(sent);
    Arrays.sort(received);
    int points = Math.min(n, CURVE_POINTS);
    double[] x = new double[points];
    double[] s = new double[points];
    double[] rc = new double[points];
    for (int i = 0; i < points; i++) {
      int at = points == 1 ? 0 : (int) Math.round((double) i * (n - 1) / (points - 1));
      x[i] = 100.0 * (at + 1) / n;
      s[i] = sent[at];
      rc[i] = received[at];
    }
    return new SvgChart("Bandwidth per node (whole run)", "nodes, % (sorted by bytes)", "KiB")
        .xFrom(0)
        .add("sent", x, s, SvgChart.Kind.LINE)
        .add("received", x, rc, SvgChart.Kind.LINE);
  }

  private static SvgChart hops(JsonNode r) {
    JsonNode h = r.path("hops").path("histogram");
    double[] x = new double[h.size()];
    double[] y = new double[h.size()];
    for (int i = 0; i < x.length; i++) {
      x[i] = i;
      y[i] = h.get(i).asDouble();
    }
    return new SvgChart("Hops of the first copy", "hops from the author", "pairs")
        .add("pairs", x, y, SvgChart.Kind.BARS);
  }

  /** The values at fractions 0, 1/N, ..., 1 of a sorted array (nearest rank), scaled. */
  private static double[] quantiles(double[] sorted, double scale) {
    double[] q = new double[sorted.length == 0 ? 0 : CURVE_POINTS + 1];
    for (int i = 0; i < q.length; i++) {
      int rank = (int) Math.ceil((double) i / CURVE_POINTS * sorted.length);
      q[i] = sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))] * scale;
    }
    return q;
  }

  /**
   * The y values of {@link #quantiles} of {@code sorted}: none when it is empty (no deliveries).
   */
  private static double[] fractions(double[] sorted) {
    double[] f = new double[sorted.length == 0 ? 0 : CURVE_POINTS + 1];
    for (int i = 0; i < f.length; i++) {
      f[i] = (double) i / CURVE_POINTS;
    }
    return f;
  }

  /** Delays, lower bounds (nanoseconds) and stretch of the delivered pairs, each sorted. */
  @SuppressWarnings("ArrayRecordComponent") // columns for the charts, never compared
  private record Pairs(double[] delays, double[] bounds, double[] stretch, boolean hopsKnown) {
    static Pairs of(DeliveryLog log) {
      int delivered = 0;
      for (int s = 0; s < log.pairs(); s++) {
        if (log.firstNanos(s) >= 0) {
          delivered++;
        }
      }
      double[] delays = new double[delivered];
      double[] bounds = new double[delivered];
      double[] stretch = new double[delivered];
      boolean hops = false;
      int i = 0;
      for (int k = 0; k < log.posts(); k++) {
        for (int s = log.firstSlot(k); s < log.endSlot(k); s++) {
          if (log.firstNanos(s) < 0) {
            continue;
          }
          delays[i] = log.firstNanos(s) - log.publishedNanos(k);
          bounds[i] = log.lowerBoundNanos(s);
          stretch[i] = bounds[i] > 0 ? delays[i] / bounds[i] : 1.0;
          hops |= log.hops(s) > 0;
          i++;
        }
      }
      Arrays.sort(delays);
      Arrays.sort(bounds);
      Arrays.sort(stretch);
      return new Pairs(delays, bounds, stretch, hops);
    }
  }
}
