package org.grapevine.simulations.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A small chart drawn as inline SVG text: lines (or steps) and bars on linear axes with "nice"
 * ticks, a title, axis labels and a legend. No scripts, fonts or external references, so a report
 * opens anywhere without a network (inline SVG in HTML needs no namespace declaration, so the text
 * holds no URL at all). Deterministic: equal inputs give equal text.
 */
public final class SvgChart {
  /** How a series is drawn. */
  public enum Kind {
    LINE,
    STEP,
    BARS,
    POINTS
  }

  /** One named series of (x, y) points, x ascending for lines and steps. */
  @SuppressWarnings("ArrayRecordComponent") // points to draw, never compared
  public record Series(String name, double[] xs, double[] ys, Kind kind) {
    public Series {
      if (xs.length != ys.length) {
        throw new IllegalArgumentException(
            "series " + name + ": " + xs.length + " x values but " + ys.length + " y values");
      }
    }
  }

  static final String[] COLOURS = {
    "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"
  };
  private static final int WIDTH = 560;
  private static final int HEIGHT = 320;
  private static final int LEFT = 64;
  private static final int RIGHT = 16;
  private static final int TOP = 34;
  private static final int BOTTOM = 48;

  private final String title;
  private final String xLabel;
  private final String yLabel;
  private final List<Series> series = new ArrayList<>();
  private Double yMin;
  private Double yMax;
  private Double xMin;

  public SvgChart(String title, String xLabel, String yLabel) {
    this.title = title;
    this.xLabel = xLabel;
    this.yLabel = yLabel;
  }

  public SvgChart add(Series s) {
    series.add(s);
    return this;
  }

  public SvgChart add(String name, double[] xs, double[] ys, Kind kind) {
    return add(new Series(name, xs, ys, kind));
  }

  /** Fixes the y range (e.g. 0 to 1 for ratios) instead of fitting it to the data. */
  public SvgChart yRange(double min, double max) {
    this.yMin = min;
    this.yMax = max;
    return this;
  }

  /** Starts the x axis here (e.g. 0) even when the data starts later. */
  public SvgChart xFrom(double min) {
    this.xMin = min;
    return this;
  }

  /** The chart as an {@code <svg>} element. */
  public String toSvg() {
    double[] xr = range(true);
    double[] yr = range(false);
    double[] xt = ticks(xr[0], xr[1]);
    double[] yt = ticks(yr[0], yr[1]);
    double x0 = xt[0];
    double x1 = xt[xt.length - 1];
    double y0 = yt[0];
    double y1 = yt[yt.length - 1];
    StringBuilder b = new StringBuilder(4096);
    b.append("<svg class=\"chart\" viewBox=\"0 0 ")
        .append(WIDTH)
        .append(' ')
        .append(HEIGHT)
        .append("\" width=\"")
        .append(WIDTH)
        .append("\" height=\"")
        .append(HEIGHT)
        .append("\" role=\"img\">");
    b.append("<title>").append(Html.escape(title)).append("</title>");
    b.append("<rect x=\"0\" y=\"0\" width=\"")
        .append(WIDTH)
        .append("\" height=\"")
        .append(HEIGHT)
        .append("\" fill=\"#fff\"/>");
    text(b, WIDTH / 2.0, 20, "middle", "title", title);
    Plot p = new Plot(x0, x1, y0, y1);
    axes(b, p, xt, yt);
    int bars = (int) series.stream().filter(s -> s.kind() == Kind.BARS).count();
    int barIndex = 0;
    for (int i = 0; i < series.size(); i++) {
      Series s = series.get(i);
      String colour = COLOURS[i % COLOURS.length];
      switch (s.kind()) {
        case LINE, STEP -> line(b, p, s, colour);
        case POINTS -> points(b, p, s, colour);
        case BARS -> bars(b, p, s, colour, barIndex++, bars);
      }
    }
    legend(b);
    return b.append("</svg>").toString();
  }

  /** The grid lines with their tick labels, the frame and the two axis labels. */
  private void axes(StringBuilder b, Plot p, double[] xt, double[] yt) {
    for (double t : yt) {
      double y = p.y(t);
      b.append(
          String.format(
              Locale.ROOT,
              "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" class=\"grid\"/>",
              LEFT,
              y,
              WIDTH - RIGHT,
              y));
      text(b, LEFT - 6, y + 4, "end", "tick", label(t, yt));
    }
    for (double t : xt) {
      double x = p.x(t);
      b.append(
          String.format(
              Locale.ROOT,
              "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" class=\"grid\"/>",
              x,
              TOP,
              x,
              HEIGHT - BOTTOM));
      text(b, x, HEIGHT - BOTTOM + 16, "middle", "tick", label(t, xt));
    }
    b.append(
        String.format(
            Locale.ROOT,
            "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" class=\"frame\"/>",
            LEFT,
            TOP,
            WIDTH - LEFT - RIGHT,
            HEIGHT - TOP - BOTTOM));
    text(b, LEFT + (WIDTH - LEFT - RIGHT) / 2.0, HEIGHT - 10, "middle", "axis", xLabel);
    b.append(
        String.format(
            Locale.ROOT,
            "<text x=\"14\" y=\"%.1f\" text-anchor=\"middle\" class=\"axis\" "
                + "transform=\"rotate(-90 14 %.1f)\">%s</text>",
            TOP + (HEIGHT - TOP - BOTTOM) / 2.0,
            TOP + (HEIGHT - TOP - BOTTOM) / 2.0,
            Html.escape(yLabel)));
  }

  private void line(StringBuilder b, Plot p, Series s, String colour) {
    if (s.xs().length == 0) {
      return;
    }
    b.append("<polyline fill=\"none\" stroke=\"")
        .append(colour)
        .append("\" stroke-width=\"2\" points=\"");
    for (int i = 0; i < s.xs().length; i++) {
      if (s.kind() == Kind.STEP && i > 0) {
        b.append(String.format(Locale.ROOT, "%.1f,%.1f ", p.x(s.xs()[i]), p.y(s.ys()[i - 1])));
      }
      b.append(String.format(Locale.ROOT, "%.1f,%.1f ", p.x(s.xs()[i]), p.y(s.ys()[i])));
    }
    b.setLength(b.length() - 1);
    b.append("\"/>");
    if (s.xs().length <= 40) {
      points(b, p, s, colour);
    }
  }

  private static void points(StringBuilder b, Plot p, Series s, String colour) {
    for (int i = 0; i < s.xs().length; i++) {
      b.append(
          String.format(
              Locale.ROOT,
              "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"/>",
              p.x(s.xs()[i]),
              p.y(s.ys()[i]),
              colour));
    }
  }

  private static void bars(StringBuilder b, Plot p, Series s, String colour, int index, int count) {
    double slot =
        s.xs().length > 1
            ? Math.abs(p.x(s.xs()[1]) - p.x(s.xs()[0]))
            : (WIDTH - LEFT - RIGHT) / 4.0;
    double width = Math.max(1, slot * 0.8 / count);
    double base = p.y(Math.max(p.y0, 0));
    for (int i = 0; i < s.xs().length; i++) {
      double x = p.x(s.xs()[i]) - slot * 0.4 + index * width;
      double y = p.y(s.ys()[i]);
      b.append(
          String.format(
              Locale.ROOT,
              "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"/>",
              x,
              Math.min(y, base),
              width,
              Math.abs(base - y),
              colour));
    }
  }

  private void legend(StringBuilder b) {
    if (series.size() < 2) {
      return;
    }
    double y = TOP + 14;
    for (int i = 0; i < series.size(); i++) {
      String colour = COLOURS[i % COLOURS.length];
      b.append(
          String.format(
              Locale.ROOT,
              "<rect x=\"%d\" y=\"%.1f\" width=\"12\" height=\"12\" fill=\"%s\"/>",
              LEFT + 10,
              y - 10,
              colour));
      text(b, LEFT + 28, y, "start", "legend", series.get(i).name());
      y += 16;
    }
  }

  private static void text(
      StringBuilder b, double x, double y, String anchor, String cls, String s) {
    b.append(
            String.format(
                Locale.ROOT,
                "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" class=\"%s\">",
                x,
                y,
                anchor,
                cls))
        .append(Html.escape(s))
        .append("</text>");
  }

  /** [min, max] over every series (bars include 0), widened when empty or flat. */
  private double[] range(boolean x) {
    double lo = Double.POSITIVE_INFINITY;
    double hi = Double.NEGATIVE_INFINITY;
    for (Series s : series) {
      double[] v = x ? s.xs() : s.ys();
      for (double d : v) {
        if (Double.isFinite(d)) {
          lo = Math.min(lo, d);
          hi = Math.max(hi, d);
        }
      }
      if (!x && s.kind() == Kind.BARS) {
        lo = Math.min(lo, 0);
      }
      if (x && s.kind() == Kind.BARS && v.length > 0) {
        lo -= 0.5;
        hi += 0.5;
      }
    }
    if (x && xMin != null) {
      lo = Math.min(lo, xMin);
    }
    if (!x && yMin != null) {
      lo = yMin;
      hi = Math.max(yMax, Double.isFinite(hi) ? Math.min(hi, yMax) : yMax);
    }
    if (!Double.isFinite(lo) || !Double.isFinite(hi)) {
      return new double[] {0, 1};
    }
    if (hi - lo < 1e-12) {
      double pad = Math.abs(hi) > 0 ? Math.abs(hi) * 0.1 : 1;
      return new double[] {lo - pad, hi + pad};
    }
    return new double[] {lo, hi};
  }

  /** About five round-numbered ticks covering [lo, hi] (1, 2 or 5 times a power of ten apart). */
  static double[] ticks(double lo, double hi) {
    double raw = (hi - lo) / 5;
    double mag = Math.pow(10, Math.floor(Math.log10(raw)));
    double step =
        raw / mag < 1.5 ? mag : raw / mag < 3.5 ? 2 * mag : raw / mag < 7.5 ? 5 * mag : 10 * mag;
    double first = Math.floor(lo / step + 1e-9) * step;
    double last = Math.ceil(hi / step - 1e-9) * step;
    int n = (int) Math.round((last - first) / step) + 1;
    double[] t = new double[Math.max(2, n)];
    for (int i = 0; i < t.length; i++) {
      t[i] = first + i * step;
    }
    return t;
  }

  private static String label(double v, double[] ticks) {
    double step = ticks.length > 1 ? ticks[1] - ticks[0] : 1;
    int decimals = step >= 1 ? 0 : (int) Math.min(6, Math.ceil(-Math.log10(step) - 1e-9));
    if (Math.abs(v) >= 1e6 && step >= 1) {
      return String.format(Locale.ROOT, "%.3g", v);
    }
    return String.format(Locale.ROOT, "%." + decimals + "f", Math.abs(v) < step / 1e6 ? 0.0 : v);
  }

  /** Maps data coordinates to the plot area. */
  private static final class Plot {
    final double x0;
    final double x1;
    final double y0;
    final double y1;

    Plot(double x0, double x1, double y0, double y1) {
      this.x0 = x0;
      this.x1 = x1;
      this.y0 = y0;
      this.y1 = y1;
    }

    double x(double v) {
      return LEFT + (v - x0) / (x1 - x0) * (WIDTH - LEFT - RIGHT);
    }

    double y(double v) {
      double c = Math.max(y0, Math.min(y1, v));
      return HEIGHT - BOTTOM - (c - y0) / (y1 - y0) * (HEIGHT - TOP - BOTTOM);
    }
  }
}
