package org.grapevine.node.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;
import org.grapevine.node.Node;
import org.grapevine.node.config.NodeConfig;
import org.grapevine.protocol.entry.LogEntry;
import org.grapevine.protocol.identity.Identity;

/**
 * The web app (issue 16), served on the API's address: login links for {@code grapevine open}, the
 * screens ({@link WebPages}, {@link WebStatusPages}), the forms ({@link WebActions}) and the live
 * fragments app.js asks for when the event stream says something arrived. Browser requests pass
 * {@link WebGuard}'s checks in {@link ApiHandler} first.
 */
final class WebRoutes {
  /** The route only the bearer token may call: a session cannot make links for other browsers. */
  static final String LOGIN_LINKS = "/v1/web/login-links";

  private final Node node;
  private final WebSessions sessions;
  private final IntSupplier port;
  private final LongSupplier clock;
  private final NodeConfig config;
  private final java.nio.file.Path rootKeyFile;
  private final NotificationRoutes notifications;

  WebRoutes(
      Node node,
      WebSessions sessions,
      IntSupplier port,
      LongSupplier clock,
      NodeConfig config,
      java.nio.file.Path rootKeyFile,
      NotificationRoutes notifications) {
    this.rootKeyFile = rootKeyFile;
    this.notifications = notifications;
    this.node = node;
    this.sessions = sessions;
    this.port = port;
    this.clock = clock;
    this.config = config;
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
    WebApi api = new WebApi(router);
    WebPages pages = new WebPages(node, api, notifications);
    pages.register(router);
    new WebNotifications(api, pages).register(router);
    new WebFeeds(api, pages).register(router);
    new WebStatusPages(node, api, pages, config, new WebRecovery(rootKeyFile)).register(router);
    new WebActions(api).register(router);
    router
        .add("GET", "/web/fragments/entry/{id}", q -> homeEntry(api, q))
        .add(
            "GET",
            "/web/fragments/thread/{id}",
            q -> ApiResponse.html(pages.threadTree(q.param("id"))))
        .add("GET", "/web/fragments/notification/{id}", q -> notification(api, q));
  }

  /**
   * An entry that arrived, as the home timeline shows it; 204 when it does not belong there (not a
   * post or repost, or of an identity this node does not follow, or muted or blocked).
   */
  private ApiResponse homeEntry(WebApi api, ApiRequest q) {
    q.onlyQuery();
    JsonNode e = api.get("/v1/entries/" + q.param("id"));
    String kind = e.path("kind").asText();
    Identity who = WebPages.parsed(e.path("identity").asText());
    boolean belongs =
        (kind.equals("post") || kind.equals("repost"))
            && node.store().follows().contains(who)
            && !node.store().isMuted(who)
            && !node.store().isBlocked(who);
    return belongs ? ApiResponse.html(WebEntries.article(e, "/")) : ApiResponse.none();
  }

  /** A notification that arrived, as a group of one; 204 when the entry is none of ours. */
  private ApiResponse notification(WebApi api, ApiRequest q) {
    q.onlyQuery();
    JsonNode e = api.get("/v1/entries/" + q.param("id"));
    LogEntry entry = new Resolver(node.store()).entry(e.path("id").asText());
    Identity who = entry.header().identity();
    return notifications
        .item(entry)
        .map(
            n -> {
              ObjectNode g = JsonNodeFactory.instance.objectNode();
              g.put("type", n.type().key()).put("about", n.about()).put("unread", true);
              g.putArray("identities").add(who.toString());
              g.putArray("names").add(e.path("author_name"));
              g.putArray("entries").add(e.path("id").asText());
              com.fasterxml.jackson.databind.node.ArrayNode items =
                  JsonNodeFactory.instance.arrayNode();
              items.addObject().set("entry", e);
              return ApiResponse.html(WebNotifications.group(g, items));
            })
        .orElse(ApiResponse.none());
  }
}
