package org.grapevine.node.api;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The notifications screen: what others addressed to this node's identity, grouped as {@code GET
 * /v1/notifications} groups it ("Carol and 2 others reacted to your post"), unread marked, kept
 * live by app.js with {@link #group} fragments of one.
 */
final class WebNotifications {
  private final WebApi api;
  private final WebPages pages;

  WebNotifications(WebApi api, WebPages pages) {
    this.api = api;
    this.pages = pages;
  }

  void register(Router r) {
    r.add("GET", "/notifications", q -> ApiResponse.html(notifications(q)));
  }

  private String notifications(ApiRequest q) {
    q.onlyQuery("before");
    JsonNode n =
        api.get(
            "/v1/notifications",
            "limit",
            Integer.toString(WebPages.PAGE),
            "before",
            q.queryParam("before"));
    StringBuilder b = new StringBuilder("<h1>Notifications</h1>\n");
    b.append(WebEntries.form("/web/read", "until", "", "/notifications", "Mark all read"));
    b.append("<ol id=\"notifications\" class=\"feed plain\"")
        .append(q.queryParam("before") == null ? " data-live=\"notifications\"" : "")
        .append(">\n");
    for (JsonNode g : n.path("groups")) {
      b.append(group(g, n.path("notifications")));
    }
    b.append("</ol>\n");
    if (n.path("groups").isEmpty()) {
      b.append("<p class=\"empty\">No notifications yet.</p>\n");
    }
    WebPages.more(b, "/notifications?before=", n.path("next"));
    return pages.page("Notifications", "/notifications", b.toString());
  }

  /** One group ("Carol and 2 others liked your post"), with its newest entry shown. */
  static String group(JsonNode g, JsonNode items) {
    String type = g.path("type").asText();
    JsonNode first = null;
    String newest = g.path("entries").path(0).asText();
    for (JsonNode item : items) {
      if (item.path("entry").path("id").asText().equals(newest)) {
        first = item.path("entry");
      }
    }
    StringBuilder b =
        new StringBuilder("<li class=\"notification")
            .append(g.path("unread").asBoolean() ? " unread" : "")
            .append("\" data-id=\"")
            .append(WebGuard.escape(newest))
            .append("\">\n<p>");
    if (g.path("unread").asBoolean()) {
      b.append("<span class=\"badge\">new</span> ");
    }
    JsonNode ids = g.path("identities");
    JsonNode names = g.path("names");
    b.append(
        WebEntries.person(
            ids.path(0).asText(), names.path(0).isTextual() ? names.path(0).asText() : null));
    if (ids.size() > 1) {
      b.append(" and ").append(ids.size() - 1).append(ids.size() == 2 ? " other" : " others");
    }
    b.append(' ').append(verb(type));
    if (g.path("about").isTextual()) {
      b.append(" <a href=\"/thread/")
          .append(WebGuard.escape(g.path("about").asText()))
          .append("\">your post</a>");
    }
    b.append("</p>\n");
    if (first != null && (type.equals("reply") || type.equals("quote") || type.equals("mention"))) {
      b.append(WebEntries.article(first, "/notifications"));
    }
    return b.append("</li>\n").toString();
  }

  private static String verb(String type) {
    return switch (type) {
      case "reply" -> "replied to";
      case "quote" -> "quoted";
      case "mention" -> "mentioned you";
      case "reaction" -> "reacted to";
      case "repost" -> "reposted";
      case "follow" -> "followed you";
      case "unfollow" -> "unfollowed you";
      default -> WebGuard.escape(type);
    };
  }
}
