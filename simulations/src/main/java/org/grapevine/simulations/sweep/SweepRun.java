package org.grapevine.simulations.sweep;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
      if (progress != null) {
        progress.printf("sweep point %d/%d: %s%n", ++i, grid.points().size(), label);
      }
      SimulationRun.Outcome o = runPoint(grid, p, engine, out, progress);
      rows.add(row(grid, p, o.results(), o.speed().wallSeconds()));
    }
    writeTables(grid, engine, out, rows);
    return rows;
  }

  /** The folder of a point inside the sweep folder {@code out}. */
  public static Path pointDir(SweepGrid grid, SweepGrid.Point p, Path out) {
    return out.resolve(POINTS).resolve(p.label(grid.params()));
  }

  /**
   * Runs one point into its folder: what the sequential sweep does for each point, and what a
   * worker process or pod does for the point it is given ({@code sweep-point}).
   */
  public static SimulationRun.Outcome runPoint(
      SweepGrid grid, SweepGrid.Point p, EngineKind engine, Path out, PrintStream progress)
      throws IOException {
    return SimulationRun.runTo(p.scenario(), engine, pointDir(grid, p, out), progress);
  }

  /** The table row of a point from its figures ({@code results.json}) and wall time. */
  static Row row(SweepGrid grid, SweepGrid.Point p, JsonNode results, double wallSeconds) {
    double[] figures = new double[METRICS.size()];
    for (int m = 0; m < figures.length; m++) {
      JsonNode v = results.at(METRICS.get(m)[1]);
      figures[m] = v.isNumber() ? v.asDouble() : Double.NaN;
    }
    return new Row(p.values(), POINTS + "/" + p.label(grid.params()), figures, wallSeconds);
  }

  /**
   * The rows of points already run into {@code out} (by worker processes or pods), read from each
   * point's {@code results.json} and {@code speed.json}, in grid order.
   *
   * @throws IOException naming every point whose folder lacks its files
   */
  public static List<Row> readRows(SweepGrid grid, Path out) throws IOException {
    List<Row> rows = new ArrayList<>();
    List<String> missing = new ArrayList<>();
    ObjectMapper json = new ObjectMapper();
    for (SweepGrid.Point p : grid.points()) {
      Path dir = pointDir(grid, p, out);
      Path results = dir.resolve(OutputFiles.RESULTS);
      Path speed = dir.resolve(OutputFiles.SPEED);
      if (!Files.isRegularFile(results) || !Files.isRegularFile(speed)) {
        missing.add(p.label(grid.params()));
        continue;
      }
      rows.add(
          row(
              grid,
              p,
              json.readTree(results.toFile()),
              json.readTree(speed.toFile()).path("wallSeconds").asDouble(Double.NaN)));
    }
    if (!missing.isEmpty()) {
      throw new IOException(
          missing.size()
              + " of "
              + grid.points().size()
              + " points have no results in "
              + out.resolve(POINTS)
              + ": "
              + String.join(", ", missing));
    }
    return rows;
  }

  /** Writes {@code sweep.csv}, {@code sweep.json} and {@code sweep.html} from the rows. */
  public static void writeTables(SweepGrid grid, EngineKind engine, Path out, List<Row> rows)
      throws IOException {
    Files.writeString(out.resolve(CSV), csv(grid, rows), StandardCharsets.UTF_8);
    OutputFiles.writeJson(out.resolve(JSON), json(grid, engine, rows));
    SweepReport.write(out, grid, rows);
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
