package org.grapevine.simulations.sweep;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.grapevine.simulations.EngineKind;
import org.grapevine.simulations.SimulationRun;
import org.grapevine.simulations.metrics.OutputFiles;
import org.grapevine.simulations.report.SweepReport;

/**
 * Runs every point of a {@link SweepGrid}, each into its own ordinary run folder ({@code
 * points/<key=value,...>/}), then writes one table of the key figures: {@code sweep.csv}, {@code
 * sweep.json} and {@code sweep.html} (the table and one chart per swept parameter).
 */
public final class SweepRun {
  public static final String CSV = "sweep.csv";
  public static final String JSON = "sweep.json";
  public static final String POINTS = "points";

  /** The figures of each point, by name and where they are in {@code results.json}. */
  public static final List<String[]> METRICS =
      List.of(
          new String[] {"delivery_ratio", "/delivery/ratio"},
          new String[] {"latency_p50_ms", "/latencyMs/p50"},
          new String[] {"latency_p90_ms", "/latencyMs/p90"},
          new String[] {"latency_p99_ms", "/latencyMs/p99"},
          new String[] {"bound_p50_ms", "/floodLowerBoundMs/p50"},
          new String[] {"stretch_p50", "/stretch/p50"},
          new String[] {"duplicates_per_delivery", "/duplicates/perDelivery"},
          new String[] {"payload_over_ideal", "/bytes/payloadOverIdeal"},
          new String[] {"total_over_ideal", "/bytes/totalOverIdeal"},
          new String[] {"node_sent_p50_bytes", "/bytes/perNodeSent/p50"},
          new String[] {"mean_degree", "/network/meanDegree"},
          new String[] {"mesh_stable_s", "/mesh/stableAtSeconds"});

  /** One finished point: its parameter values, folder, the figures above, and its wall time. */
  @SuppressWarnings("ArrayRecordComponent") // one row of the sweep table, never compared
  public record Row(List<String> values, String folder, double[] figures, double wallSeconds) {}

  private SweepRun() {}

  /**
   * Runs the grid and writes the sweep's files into {@code out}; returns the rows in grid order.
   */
  public static List<Row> run(SweepGrid grid, EngineKind engine, Path out, PrintStream progress)
      throws IOException {
    Files.createDirectories(out.resolve(POINTS));
    List<Row> rows = new ArrayList<>();
    int i = 0;
    for (SweepGrid.Point p : grid.points()) {
      String label = p.label(grid.params());
      Path dir = out.resolve(POINTS).resolve(label);
      if (progress != null) {
        progress.printf("sweep point %d/%d: %s%n", ++i, grid.points().size(), label);
      }
      SimulationRun.Outcome o = SimulationRun.runTo(p.scenario(), engine, dir, progress);
      double[] figures = new double[METRICS.size()];
      for (int m = 0; m < figures.length; m++) {
        JsonNode v = o.results().at(METRICS.get(m)[1]);
        figures[m] = v.isNumber() ? v.asDouble() : Double.NaN;
      }
      rows.add(new Row(p.values(), POINTS + "/" + label, figures, o.speed().wallSeconds()));
    }
    Files.writeString(out.resolve(CSV), csv(grid, rows), StandardCharsets.UTF_8);
    OutputFiles.writeJson(out.resolve(JSON), json(grid, engine, rows));
    SweepReport.write(out, grid, rows);
    return rows;
  }

  static String csv(SweepGrid grid, List<Row> rows) {
    StringBuilder b = new StringBuilder();
    for (SweepGrid.Param p : grid.params()) {
      b.append(p.key()).append(',');
    }
    for (String[] m : METRICS) {
      b.append(m[0]).append(',');
    }
    b.append("wall_s,folder\n");
    for (Row r : rows) {
      for (String v : r.values()) {
        b.append(v).append(',');
      }
      for (double f : r.figures()) {
        b.append(Double.isNaN(f) ? "" : format(f)).append(',');
      }
      b.append(format(r.wallSeconds())).append(',').append(r.folder()).append('\n');
    }
    return b.toString();
  }

  private static ObjectNode json(SweepGrid grid, EngineKind engine, List<Row> rows) {
    JsonNodeFactory f = JsonNodeFactory.instance;
    ObjectNode root = f.objectNode();
    root.put("engine", engine.label());
    ArrayNode params = root.putArray("params");
    for (SweepGrid.Param p : grid.params()) {
      ObjectNode o = params.addObject();
      o.put("key", p.key());
      o.put("path", p.path());
      p.values().forEach(o.putArray("values")::add);
    }
    ArrayNode points = root.putArray("points");
    for (Row r : rows) {
      ObjectNode o = points.addObject();
      ObjectNode values = o.putObject("params");
      for (int i = 0; i < grid.params().size(); i++) {
        values.set(grid.params().get(i).key(), SweepGrid.scalar(r.values().get(i)));
      }
      o.put("folder", r.folder());
      ObjectNode figures = o.putObject("results");
      for (int m = 0; m < METRICS.size(); m++) {
        if (Double.isNaN(r.figures()[m])) {
          figures.putNull(METRICS.get(m)[0]);
        } else {
          figures.put(METRICS.get(m)[0], r.figures()[m]);
        }
      }
      o.put("wallSeconds", r.wallSeconds());
    }
    return root;
  }

  static String format(double v) {
    return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
  }
}
