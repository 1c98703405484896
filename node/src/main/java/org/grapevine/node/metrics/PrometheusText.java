package org.grapevine.node.metrics;

import java.util.List;
import java.util.Map;

/**
 * The Prometheus text exposition format, version 0.0.4 (prometheus.io "Exposition formats"): per
 * metric a {@code # HELP} and a {@code # TYPE} line, then one line per series, {@code
 * name{label="value",...} value}. In help text backslash and newline are escaped; in label values
 * also the double quote.
 */
public final class PrometheusText {
  /** The Content-Type of this format. */
  public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  private PrometheusText() {}

  public static String write(List<MetricFamily> families) {
    StringBuilder sb = new StringBuilder();
    for (MetricFamily f : families) {
      sb.append("# HELP ").append(f.name()).append(' ');
      escape(sb, f.help(), false);
      sb.append("\n# TYPE ").append(f.name()).append(' ').append(f.type()).append('\n');
      for (MetricFamily.Sample s : f.samples()) {
        sb.append(f.name());
        if (!s.labels().isEmpty()) {
          sb.append('{');
          boolean first = true;
          for (Map.Entry<String, String> l : s.labels().entrySet()) {
            sb.append(first ? "" : ",").append(l.getKey()).append("=\"");
            escape(sb, l.getValue(), true);
            sb.append('"');
            first = false;
          }
          sb.append('}');
        }
        sb.append(' ').append(s.value()).append('\n');
      }
    }
    return sb.toString();
  }

  private static void escape(StringBuilder sb, String s, boolean quote) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\\') {
        sb.append("\\\\");
      } else if (c == '\n') {
        sb.append("\\n");
      } else if (c == '"' && quote) {
        sb.append("\\\"");
      } else {
        sb.append(c);
      }
    }
  }
}
