package org.grapevine.simulations.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.grapevine.simulations.scenario.Durations;
import org.grapevine.simulations.sweep.SweepGrid;
import org.grapevine.simulations.sweep.SweepRun;

/**
 * {@code sweep.html}: for each swept parameter, charts of latency (p50, p90, p99 and the flood
 * bound), overhead (duplicates per delivery, payload and all bytes over ideal) and delivery ratio
 * against its values, then the full table. With several parameters, each point of a chart is the
 * mean over the other parameters' values (the table has every point). Self-contained like {@link
 * RunReport}.
 */
public final class SweepReport {
  public static final String FILE = "sweep.html";

  private SweepReport() {}

  public static void write(Path dir, SweepGrid grid, List<SweepRun.Row> rows) throws IOException {
    Files.writeString(dir.resolve(FILE), render(grid, rows), StandardCharsets.UTF_8);
  }

  static String render(SweepGrid grid, List<SweepRun.Row> rows) {
    StringBuilder b =
        Html.open(
            "Grapevine sweep: " + grid.points().get(0).scenario().name(),
            rows.size()
                + " runs over "
                + String.join(
                    " x ",
                    grid.params().stream()
                        .map(p -> p.key() + " (" + p.values().size() + " values)")
                        .toList()));
    for (int pi = 0; pi < grid.params().size(); pi++) {
      SweepGrid.Param p = grid.params().get(pi);
      boolean numeric =
          p.values().stream().allMatch(v -> v.matches("-?[0-9]*\\.?[0-9]+([eE][-+]?[0-9]+)?"));
      boolean durations =
          !numeric && p.values().stream().allMatch(v -> Durations.parseNanos(v) >= 0);
      double[] x = new double[p.values().size()];
      for (int i = 0; i < x.length; i++) {
        x[i] =
            numeric
                ? Double.parseDouble(p.values().get(i))
                : durations ? Durations.parseNanos(p.values().get(i)) / 1e6 : i;
      }
      String xLabel =
          p.key()
              + (numeric
                  ? ""
                  : durations ? " (ms)" : " (" + String.join(", ", indexed(p.values())) + ")");
      String mean = grid.params().size() > 1 ? " (mean over the other parameters)" : "";
      b.append("<h2 id=\"param-")
          .append(Html.escape(p.key()))
          .append("\">")
          .append(Html.escape(p.key()))
          .append("</h2>\n<div class=\"charts\">\n");
      Html.figure(
          b,
          "chart-" + p.key(),
          chart(
              "Latency against " + p.key(),
              xLabel,
              "milliseconds",
              x,
              p.values(),
              pi,
              rows,
              new int[] {1, 2, 3, 4}),
          "Latency percentiles of first deliveries, and the flood lower bound's median"
              + mean
              + ".");
      Html.figure(
          b,
          "overhead-" + p.key(),
          chart(
              "Overhead against " + p.key(),
              xLabel,
              "ratio",
              x,
              p.values(),
              pi,
              rows,
              new int[] {6, 7, 8}),
          "Extra copies per delivered pair; payload and all bytes received over one copy per recipient"
              + mean
              + ".");
      Html.figure(
          b,
          "delivery-" + p.key(),
          chart(
              "Delivery ratio against " + p.key(),
              xLabel,
              "delivered / due",
              x,
              p.values(),
              pi,
              rows,
              new int[] {0}),
          "Delivered (post, follower) pairs over all pairs" + mean + ".");
      b.append("</div>\n");
    }
    allPoints(b, grid, rows);
    return Html.close(b);
  }

  /** The table of every point: its parameter values, figures, wall time and folder. */
  private static void allPoints(StringBuilder b, SweepGrid grid, List<SweepRun.Row> rows) {
    b.append("<h2>All points</h2>\n<table><tr>");
    grid.params()
        .forEach(p -> b.append("<th class=\"k\">").append(Html.escape(p.key())).append("</th>"));
    SweepRun.METRICS.forEach(m -> b.append("<th>").append(Html.escape(m[0])).append("</th>"));
    b.append("<th>wall_s</th><th class=\"k\">folder</th></tr>\n");
    for (SweepRun.Row r : rows) {
      b.append("<tr>");
      r.values().forEach(v -> b.append("<td class=\"k\">").append(Html.escape(v)).append("</td>"));
      for (double f : r.figures()) {
        b.append("<td>")
            .append(Double.isNaN(f) ? "" : String.format(Locale.ROOT, "%.4g", f))
            .append("</td>");
      }
      b.append(String.format(Locale.ROOT, "<td>%.1f</td>", r.wallSeconds()))
          .append("<td class=\"k\">")
          .append(Html.escape(r.folder()))
          .append("</td></tr>\n");
    }
    b.append(
        "</table>\n<p>Each point's folder holds its own report.html, results.json and scenario.yaml.</p>\n");
  }

  private static SvgChart chart(
      String title,
      String xLabel,
      String yLabel,
      double[] x,
      List<String> values,
      int param,
      List<SweepRun.Row> rows,
      int[] metrics) {
    SvgChart c = new SvgChart(title, xLabel, yLabel);
    for (int m : metrics) {
      double[] y = new double[x.length];
      int[] n = new int[x.length];
      for (SweepRun.Row r : rows) {
        int vi = values.indexOf(r.values().get(param));
        if (!Double.isNaN(r.figures()[m])) {
          y[vi] += r.figures()[m];
          n[vi]++;
        }
      }
      List<Double> xs = new ArrayList<>();
      List<Double> ys = new ArrayList<>();
      Integer[] order = new Integer[x.length];
      for (int i = 0; i < x.length; i++) {
        order[i] = i;
      }
      java.util.Arrays.sort(order, (a, b) -> Double.compare(x[a], x[b])); // Lines left to right.
      for (int i : order) {
        if (n[i] > 0) {
          xs.add(x[i]);
          ys.add(y[i] / n[i]);
        }
      }
      c.add(
          SweepRun.METRICS.get(m)[0],
          xs.stream().mapToDouble(Double::doubleValue).toArray(),
          ys.stream().mapToDouble(Double::doubleValue).toArray(),
          SvgChart.Kind.LINE);
    }
    if (metrics.length == 1 && metrics[0] == 0) {
      c.yRange(0, 1);
    }
    return c;
  }

  private static List<String> indexed(List<String> values) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < values.size(); i++) {
      out.add(i + " = " + values.get(i));
    }
    return out;
  }
}
