package org.grapevine.node.api;

import java.util.Locale;

/**
 * What a local page is attacked through, the browser (issue 16), checked on every request that does
 * not carry the bearer token (a browser's: the login link, and requests with the session cookie):
 *
 * <ul>
 *   <li><b>Host</b> must name this server as the link names it ({@code 127.0.0.1:PORT}, or {@code
 *       localhost:PORT}). A page of another site whose name an attacker points at 127.0.0.1 (DNS
 *       rebinding) reaches our port under its own name, so its requests say that name.
 *   <li><b>Origin</b>, on every request that changes state (any method but GET and HEAD), must be
 *       this server's ({@code http://127.0.0.1:PORT} or {@code http://localhost:PORT}); a browser
 *       sends it on such requests. The session cookie is {@code SameSite=Strict} as well, so
 *       another site's form does not carry it; the Origin check holds where a browser's SameSite
 *       rules are weaker.
 * </ul>
 */
final class WebGuard {
  private WebGuard() {}

  /** Whether the Host header names this server on {@code port}. */
  static boolean hostAllowed(String host, int port) {
    if (host == null) {
      return false;
    }
    String h = host.toLowerCase(Locale.ROOT);
    return h.equals("127.0.0.1:" + port) || h.equals("localhost:" + port);
  }

  /** Whether the Origin header is this server's on {@code port}. */
  static boolean originAllowed(String origin, int port) {
    if (origin == null) {
      return false;
    }
    String o = origin.toLowerCase(Locale.ROOT);
    return o.equals("http://127.0.0.1:" + port) || o.equals("http://localhost:" + port);
  }

  /** Whether {@code method} only reads (the Origin check does not apply). */
  static boolean reads(String method) {
    return method.equals("GET") || method.equals("HEAD");
  }

  /** {@code s} as HTML text: every character a page could read as markup escaped. */
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
