package org.grapevine.simulations.metrics;

import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.grapevine.simulations.scenario.ScenarioWriter;

/**
 * Writes a run's folder: {@code scenario.yaml} (as run, defaults filled in), {@code results.json}
 * (summary figures), {@code deliveries.csv} (one row per post x recipient, streamed), {@code
 * nodes.csv} (one row per node) and {@code speed.json} (how fast the run went; kept out of
 * results.json, which must be identical for equal runs). Fixed formatting: two-space indent, {@code
 * \n} line ends, on every platform.
 */
public final class OutputFiles {
  public static final String SCENARIO = "scenario.yaml";
  public static final String RESULTS = "results.json";
  public static final String DELIVERIES = "deliveries.csv";
  public static final String NODES = "nodes.csv";
  public static final String SPEED = "speed.json";

  private OutputFiles() {}

  public static void write(Path dir, RunData d, JsonNode results) throws IOException {
    Files.createDirectories(dir);
    String scenarioYaml = ScenarioWriter.toYaml(d.scenario());
    Files.writeString(dir.resolve(SCENARIO), scenarioYaml, StandardCharsets.UTF_8);
    writeJson(dir.resolve(RESULTS), withProvenance(results, Provenance.of(scenarioYaml)));
    try (BufferedWriter w =
        Files.newBufferedWriter(dir.resolve(DELIVERIES), StandardCharsets.UTF_8)) {
      deliveries(w, d);
    }
    try (BufferedWriter w = Files.newBufferedWriter(dir.resolve(NODES), StandardCharsets.UTF_8)) {
      nodes(w, d);
    }
  }

  /**
   * The figures with {@code provenance} (code version, scenario digest) added last. Kept out of
   * {@link org.grapevine.simulations.SimulationRun.Outcome#results()}, so the regression guard
   * digests the figures alone and does not change with every commit.
   */
  static JsonNode withProvenance(JsonNode results, Provenance provenance) {
    if (!(results instanceof ObjectNode o)) {
      return results;
    }
    ObjectNode copy = o.deepCopy();
    copy.set("provenance", provenance.toJson());
    return copy;
  }

  public static void writeJson(Path file, JsonNode json) throws IOException {
    Files.writeString(file, jsonText(json), StandardCharsets.UTF_8);
  }

  /** The JSON as {@link #writeJson} writes it (for files that go elsewhere, e.g. a ConfigMap). */
  public static String jsonText(JsonNode json) {
    DefaultPrettyPrinter printer =
        new DefaultPrettyPrinter()
            .withObjectIndenter(new DefaultIndenter("  ", "\n"))
            .withArrayIndenter(new DefaultIndenter("  ", "\n"));
    try {
      return new ObjectMapper().writer(printer).writeValueAsString(json) + "\n";
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("a JSON tree that cannot be written", e); // Our bug.
    }
  }

  static void deliveries(Writer w, RunData d) throws IOException {
    DeliveryLog log = d.log();
    w.write(
        "post,author,recipient,published_ms,delivered_ms,delay_ms,hops,copies,via,lower_bound_ms,stretch,topic_bound_ms\n");
    StringBuilder row = new StringBuilder(128);
    for (int k = 0; k < log.posts(); k++) {
      long published = log.publishedNanos(k);
      for (int s = log.firstSlot(k); s < log.endSlot(k); s++) {
        row.setLength(0);
        row.append(k)
            .append(',')
            .append(d.workload().author(k))
            .append(',')
            .append(log.recipient(k, s))
            .append(',');
        millis(row, published).append(',');
        long first = log.firstNanos(s);
        if (first >= 0) {
          millis(row, first).append(',');
          millis(row, first - published).append(',').append(log.hops(s));
        } else {
          row.append(",,");
        }
        row.append(',').append(log.copies(s)).append(',');
        row.append(
            log.via(s) == DeliveryLog.BY_SYNC
                ? "sync"
                : log.via(s) == DeliveryLog.BY_GOSSIP ? "gossip" : "none");
        row.append(',');
        millis(row, log.lowerBoundNanos(s)).append(',');
        if (first >= 0 && log.lowerBoundNanos(s) > 0) {
          row.append(Results.round((double) (first - published) / log.lowerBoundNanos(s)));
        }
        row.append(',');
        if (log.topicBoundNanos(s) != Long.MAX_VALUE) {
          millis(row, log.topicBoundNanos(s));
        }
        row.append('\n');
        w.append(row);
      }
    }
  }

  static void nodes(Writer w, RunData d) throws IOException {
    NodeCounters c = d.counters();
    DeliveryLog log = d.log();
    int n = c.nodes();
    int[] expected = new int[n];
    int[] delivered = new int[n];
    for (int k = 0; k < log.posts(); k++) {
      for (int s = log.firstSlot(k); s < log.endSlot(k); s++) {
        int r = log.recipient(k, s);
        expected[r]++;
        if (log.firstNanos(s) >= 0) {
          delivered[r]++;
        }
      }
    }
    w.write(
        "node,class,region,degree,follows,followers,expected,delivered,payload_sent,payload_received,"
            + "control_sent,control_received,sync_sent,sync_received,rpcs_sent,rpcs_lost,sync_sessions,outages,offline_ms\n");
    StringBuilder row = new StringBuilder(160);
    for (int i = 0; i < n; i++) {
      row.setLength(0);
      row.append(i)
          .append(',')
          .append(d.network().className(i))
          .append(',')
          .append(d.network().region(i))
          .append(',')
          .append(d.topology().degree(i))
          .append(',')
          .append(d.follows().follows(i).length)
          .append(',')
          .append(d.follows().followers(i).length)
          .append(',')
          .append(expected[i])
          .append(',')
          .append(delivered[i])
          .append(',')
          .append(c.payloadSent[i])
          .append(',')
          .append(c.payloadReceived[i])
          .append(',')
          .append(c.controlSent[i])
          .append(',')
          .append(c.controlReceived[i])
          .append(',')
          .append(c.syncSent[i])
          .append(',')
          .append(c.syncReceived[i])
          .append(',')
          .append(c.rpcsSent[i])
          .append(',')
          .append(c.rpcsLost[i])
          .append(',')
          .append(c.syncSessions[i])
          .append(',')
          .append(c.outages[i])
          .append(',');
      millis(row, c.offlineNanos[i]).append('\n');
      w.append(row);
    }
  }

  /** Nanoseconds as milliseconds with three decimals, without String.format (millions of rows). */
  static StringBuilder millis(StringBuilder b, long nanos) {
    long micros = Math.round(nanos / 1000.0);
    if (micros < 0) {
      b.append('-');
      micros = -micros;
    }
    long frac = micros % 1000;
    b.append(micros / 1000).append('.');
    if (frac < 100) {
      b.append('0');
    }
    if (frac < 10) {
      b.append('0');
    }
    return b.append(frac);
  }
}
