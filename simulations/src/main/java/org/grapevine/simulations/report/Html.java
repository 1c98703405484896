package org.grapevine.simulations.report;

/**
 * The page around the charts: one self-contained HTML document with its style inline (no scripts,
 * no fonts, no links), so it opens from a file with no network.
 */
final class Html {
  private static final String STYLE =
      """
      body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px;color:#222;max-width:1200px}
      h1{font-size:22px;margin:0 0 4px} h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #ddd}
      .sub{color:#666;margin:0 0 16px} .charts{display:flex;flex-wrap:wrap;gap:12px}
      figure{margin:0;border:1px solid #e3e3e3;border-radius:4px;padding:4px;background:#fff}
      figcaption{font-size:12px;color:#555;max-width:556px;padding:2px 4px}
      table{border-collapse:collapse;font-size:13px;margin:6px 0} td,th{border:1px solid #ddd;padding:3px 8px;text-align:right}
      th{background:#f5f5f5} td.k,th.k{text-align:left} pre{background:#f7f7f7;padding:8px;font-size:12px;overflow:auto;max-height:360px}
      svg .grid{stroke:#eee;stroke-width:1} svg .frame{fill:none;stroke:#999} svg text{font-size:11px;fill:#333}
      svg .title{font-size:13px;font-weight:600} svg .axis{font-size:12px} svg .legend{font-size:11px}
      """;

  private Html() {}

  static StringBuilder open(String title, String subtitle) {
    StringBuilder b = new StringBuilder(64 * 1024);
    b.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>")
        .append(escape(title))
        .append("</title><style>")
        .append(STYLE)
        .append("</style></head><body>\n<h1>")
        .append(escape(title))
        .append("</h1><p class=\"sub\">")
        .append(escape(subtitle))
        .append("</p>\n");
    return b;
  }

  static String close(StringBuilder b) {
    return b.append("</body></html>\n").toString();
  }

  static void figure(StringBuilder b, String id, SvgChart chart, String caption) {
    b.append("<figure id=\"")
        .append(escape(id))
        .append("\">")
        .append(chart.toSvg())
        .append("<figcaption>")
        .append(escape(caption))
        .append("</figcaption></figure>\n");
  }

  /** A two-column table of (name, value) rows. */
  static void keyValues(StringBuilder b, String[][] rows) {
    b.append("<table>");
    for (String[] r : rows) {
      b.append("<tr><td class=\"k\">")
          .append(escape(r[0]))
          .append("</td><td>")
          .append(escape(r[1]))
          .append("</td></tr>");
    }
    b.append("</table>\n");
  }

  static String escape(String s) {
    StringBuilder b = new StringBuilder(s.length() + 16);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '&' -> b.append("&amp;");
        case '"' -> b.append("&quot;");
        case '\'' -> b.append("&#39;");
        default -> b.append(c);
      }
    }
    return b.toString();
  }
}
