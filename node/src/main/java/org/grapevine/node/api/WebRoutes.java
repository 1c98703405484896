package org.grapevine.node.api;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.function.IntSupplier;
import org.grapevine.node.Node;
import org.grapevine.protocol.entry.LogEntry;
import org.grapevine.protocol.proto.Content;

/**
 * The web app's entry (issue 16): login links for {@code grapevine open}, and the page a browser
 * lands on. The screens themselves are not built yet; this page says who is signed in and where the
 * rest stands. Its every user-supplied string goes through {@link WebGuard#escape}.
 */
final class WebRoutes {
  /** The route only the bearer token may call: a session cannot make links for other browsers. */
  static final String LOGIN_LINKS = "/v1/web/login-links";

  private final Node node;
  private final WebSessions sessions;
  private final IntSupplier port;
  private final java.util.function.LongSupplier clock;

  WebRoutes(
      Node node, WebSessions sessions, IntSupplier port, java.util.function.LongSupplier clock) {
    this.node = node;
    this.sessions = sessions;
    this.port = port;
    this.clock = clock;
  }

  void register(Router router) {
    router.add(
        "POST",
        LOGIN_LINKS,
        q -> {
          long now = clock.getAsLong();
          String token = sessions.newLink(now);
          ObjectNode o = JsonNodeFactory.instance.objectNode();
          o.put("url", "http://127.0.0.1:" + port.getAsInt() + "/login?t=" + token);
          o.put("expires_at", now + WebSessions.LINK_TTL_MILLIS);
          return ApiResponse.created(o);
        });
    router.add("GET", "/", q -> ApiResponse.text(home(), "text/html"));
  }

  private String home() {
    String name =
        node.profile(node.identity())
            .flatMap(LogEntry::content)
            .map(Content::getProfile)
            .map(p -> p.getName())
            .filter(n -> !n.isEmpty())
            .orElse("(no name yet)");
    return page(
        "Grapevine",
        "<h1>Grapevine</h1>\n<p>Signed in as <strong>"
            + WebGuard.escape(name)
            + "</strong> <code>"
            + WebGuard.escape(node.identity().toString())
            + "</code>.</p>\n<p>The web app's screens are being built; the local API is at"
            + " <code>/v1/</code> (docs/API.md).</p>");
  }

  /** A whole page: no inline script or style (the Content-Security-Policy forbids both). */
  static String page(String title, String body) {
    return "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>"
        + WebGuard.escape(title)
        + "</title>\n</head>\n<body>\n<main>\n"
        + body
        + "\n</main>\n</body>\n</html>\n";
  }
}
