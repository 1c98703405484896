package org.grapevine.node.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.grapevine.protocol.Limits;

/**
 * The web app's feeds (issue 17): the feeds screen (each feed with its author, users, whether it is
 * in use, a newer version, its source, and Use / Stop), the form that publishes one (its problems
 * shown with their places when it does not compile), and for the home page the picker and a feed's
 * page. All through the {@code /v1/feeds} routes ({@link FeedRoutes}); every string of a feed is
 * someone's input and goes through {@link WebGuard#escape}.
 */
final class WebFeeds {
  private static final JsonNodeFactory F = JsonNodeFactory.instance;
  private final WebApi api;
  private final WebPages pages;

  WebFeeds(WebApi api, WebPages pages) {
    this.api = api;
    this.pages = pages;
  }

  void register(Router r) {
    r.add("GET", "/feeds", q -> ApiResponse.html(feeds(q)))
        .add("POST", "/web/feeds/use", q -> use(q, "use"))
        .add("POST", "/web/feeds/stop", q -> use(q, "stop"))
        .add("POST", "/web/feeds/publish", this::publish);
  }

  private String feeds(ApiRequest q) {
    q.onlyQuery();
    return page(Form.EMPTY, null);
  }

  /** The feeds screen; {@code form} refilled and {@code outcome} shown after a publish or check. */
  private String page(Form form, String outcome) {
    JsonNode mine = api.get("/v1/feeds");
    JsonNode found = api.get("/v1/feeds/discover", "limit", "30");
    StringBuilder b =
        new StringBuilder("<h1>Feeds</h1>\n")
            .append("<p class=\"help\">A feed picks and orders the posts this node holds, with a")
            .append(" filter and a score its author wrote (docs/FEEDS.md says how). Each node runs")
            .append(" it by itself over what it holds. Pick one at the top of the")
            .append(" <a href=\"/\">home page</a>.</p>\n")
            .append("<section aria-labelledby=\"yours-h\"><h2 id=\"yours-h\">Your feeds</h2>\n");
    Set<String> shown = new HashSet<>();
    for (JsonNode f : mine.path("feeds")) {
      shown.add(f.path("key").asText());
      b.append(card(f));
    }
    b.append("</section>\n<section aria-labelledby=\"found-h\"><h2 id=\"found-h\">")
        .append("Used by people you follow</h2>\n");
    int more = 0;
    for (JsonNode f : found.path("feeds")) {
      if (shown.add(f.path("key").asText())) {
        b.append(card(f));
        more++;
      }
    }
    if (more == 0) {
      b.append("<p class=\"empty\">None besides yours: when people you follow publish or use a")
          .append(" feed, it shows here.</p>\n");
    }
    b.append("</section>\n").append(publishForm(form, outcome));
    return pages.page("Feeds", "/feeds", b.toString());
  }

  /** One feed: name (linked to its page), author, users, in use, newer version, source, actions. */
  static String card(JsonNode f) {
    String key = f.path("key").asText();
    StringBuilder b =
        new StringBuilder("<article class=\"feed-card\">\n<h3><a href=\"/?feed=")
            .append(WebGuard.escape(encode(key)))
            .append("\">")
            .append(WebGuard.escape(f.path("name").asText()))
            .append("</a>");
    if (f.path("used").asBoolean()) {
      b.append(" <span class=\"tag\">in use</span>");
    }
    b.append("</h3>\n<p class=\"muted\">");
    if (f.path("built_in").asBoolean()) {
      b.append("Built in");
    } else {
      JsonNode name = f.path("author_name");
      b.append("By ")
          .append(
              WebEntries.person(f.path("author").asText(), name.isTextual() ? name.asText() : null))
          .append(" · version ")
          .append(f.path("version").asLong());
    }
    long users = f.path("users").asLong();
    b.append(" · ")
        .append(users)
        .append(users == 1 ? " person you follow uses it" : " people you follow use it")
        .append("</p>\n");
    if (!f.path("description").asText().isEmpty()) {
      b.append("<p class=\"bio\">")
          .append(WebGuard.escape(f.path("description").asText()))
          .append("</p>\n");
    }
    JsonNode newer = f.path("newer_version");
    if (newer.isTextual()) {
      b.append("<p class=\"warn\">Update available: <a href=\"/?feed=")
          .append(WebGuard.escape(newer.asText()))
          .append("\">a newer version</a> by the same author.</p>\n");
    }
    b.append("<details><summary>Source</summary>\n")
        .append(source("Filter", f.path("filter").asText(), "every post"))
        .append(source("Score", f.path("score").asText(), "newest first"))
        .append("</details>\n");
    String back = "/feeds";
    if (!f.path("built_in").asBoolean() && f.path("id").isTextual()) {
      String id = f.path("id").asText();
      b.append("<div class=\"actions\">\n");
      if (f.path("used").asBoolean()) {
        b.append(WebEntries.form("/web/feeds/stop", "id", id, back, "Stop using"));
      } else {
        b.append(WebEntries.form("/web/feeds/use", "id", id, back, "Use"));
      }
      if (newer.isTextual()) {
        b.append(
            WebEntries.form("/web/feeds/use", "id", newer.asText(), back, "Use the newer version"));
      }
      b.append("</div>\n");
    }
    return b.append("</article>\n").toString();
  }

  private static String source(String label, String expression, String none) {
    return "<p class=\"label\">"
        + label
        + "</p>\n"
        + (expression.isEmpty()
            ? "<p class=\"muted\">(none: " + none + ")</p>\n"
            : "<pre class=\"source\">" + WebGuard.escape(expression) + "</pre>\n");
  }

  /**
   * The picker at the top of the home page: the plain timeline, then the feeds of {@code GET
   * /v1/feeds} (built in, used, own), the one shown marked.
   */
  static String picker(WebApi api, String current) {
    StringBuilder b =
        new StringBuilder("<nav aria-label=\"Feeds\" class=\"picker\"><ul>\n<li><a href=\"/\"")
            .append(current == null ? " aria-current=\"page\"" : "")
            .append(">Timeline</a></li>\n");
    for (JsonNode f : api.get("/v1/feeds").path("feeds")) {
      String key = f.path("key").asText();
      b.append("<li><a href=\"/?feed=")
          .append(WebGuard.escape(encode(key)))
          .append('"')
          .append(key.equals(current) ? " aria-current=\"page\"" : "")
          .append('>')
          .append(WebGuard.escape(f.path("name").asText()))
          .append("</a></li>\n");
    }
    return b.append("<li><a href=\"/feeds\">All feeds…</a></li>\n</ul></nav>\n").toString();
  }

  /** A page of the feed {@code key} names, as the home page shows it, with its "More" link. */
  static String feedSection(WebApi api, String key, String cursor, int limit) {
    JsonNode p =
        api.get("/v1/feeds/" + encode(key), "limit", Integer.toString(limit), "cursor", cursor);
    return feedSection(p, key);
  }

  /**
   * {@link #feedSection(WebApi, String, String, int)} from the page {@code GET /v1/feeds/{key}}.
   */
  static String feedSection(JsonNode p, String key) {
    JsonNode info = p.path("feed");
    String back = "/?feed=" + encode(key);
    StringBuilder b =
        new StringBuilder("<section aria-labelledby=\"tl-h\"><h2 id=\"tl-h\">")
            .append(WebGuard.escape(info.path("name").asText()))
            .append("</h2>\n<p class=\"help\">");
    if (!info.path("description").asText().isEmpty()) {
      b.append(WebGuard.escape(info.path("description").asText())).append(" · ");
    }
    b.append("<a href=\"/feeds\">about the feeds</a></p>\n");
    if (info.path("newer_version").isTextual()) {
      b.append("<p class=\"warn\">Update available: <a href=\"/?feed=")
          .append(WebGuard.escape(info.path("newer_version").asText()))
          .append("\">a newer version</a> of this feed.</p>\n");
    }
    b.append("<div id=\"feed\" class=\"feed\">\n");
    for (JsonNode e : p.path("entries")) {
      b.append("<div class=\"ranked\">\n");
      if (!e.path("reason").asText().isEmpty()) {
        b.append("<p class=\"reason muted\">")
            .append(WebGuard.escape(e.path("reason").asText()))
            .append("</p>\n");
      }
      b.append(WebEntries.article(e, back)).append("</div>\n");
    }
    if (p.path("entries").isEmpty()) {
      b.append("<p class=\"empty\">Nothing in this feed")
          .append(p.path("cursor").isTextual() ? " on this page" : "")
          .append(" among the posts this node holds.</p>\n");
    }
    b.append("</div>\n");
    long failures = p.path("failures").asLong();
    if (failures > 0) {
      b.append("<p class=\"muted\">")
          .append(failures)
          .append(failures == 1 ? " post was" : " posts were")
          .append(" left out: the feed's expressions failed on ")
          .append(failures == 1 ? "it" : "them")
          .append(".</p>\n");
    }
    if (p.path("truncated").asBoolean()) {
      b.append("<p class=\"muted\">Only part of the posts held were ranked: the feed costs more")
          .append(" than this node's budget for a page.</p>\n");
    }
    if (p.path("cursor").isTextual()) {
      b.append("<p><a class=\"more\" href=\"")
          .append(WebGuard.escape(back + "&cursor=" + encode(p.path("cursor").asText())))
          .append("\">More</a></p>\n");
    }
    return b.append("</section>\n").toString();
  }

  /** Use or stop using a published version ({@code POST /v1/feeds/{id}/use|stop}). */
  private ApiResponse use(ApiRequest q, String what) {
    Map<String, String> f = WebActions.form(q, "id", "back");
    String id = f.get("id");
    if (id == null || id.isEmpty()) {
      throw ApiError.badRequest("the form's field 'id' is missing");
    }
    api.send("POST", "/v1/feeds/" + encode(id) + "/" + what, null);
    return WebActions.back(f);
  }

  /**
   * Publishes (or with {@code do=check}, checks) the form's definition. Published: to its page.
   * Refused or checked: the feeds screen again with the form as sent and what is wrong, each
   * problem with its place.
   */
  private ApiResponse publish(ApiRequest q) {
    Map<String, String> f =
        WebActions.form(q, "name", "description", "version", "filter", "score", "do");
    Form form =
        new Form(
            f.getOrDefault("name", ""),
            f.getOrDefault("description", ""),
            f.getOrDefault("version", "1"),
            f.getOrDefault("filter", ""),
            f.getOrDefault("score", ""));
    boolean check = "check".equals(f.get("do"));
    try {
      ObjectNode body = form.json();
      if (check) {
        JsonNode r = api.send("POST", "/v1/feeds/check", body);
        return new ApiResponse(
            HttpResponseStatus.OK,
            null,
            page(form, problems("Checked.", r.path("problems"), true)),
            "text/html",
            null);
      }
      JsonNode made = api.send("POST", "/v1/feeds", body);
      return ApiResponse.seeOther("/?feed=" + made.path("id").asText());
    } catch (ApiError e) {
      return new ApiResponse(
          e.status(),
          null,
          page(
              form,
              problems(
                  (check ? "Not checked: " : "Not published: ")
                      + e.getMessage()
                      + " ("
                      + e.code()
                      + ")",
                  e.problems(),
                  false)),
          "text/html",
          null);
    }
  }

  /** The outcome of a publish or check: a message and each problem with its place. */
  static String problems(String message, JsonNode problems, boolean checked) {
    StringBuilder b = new StringBuilder("<div id=\"outcome\" role=\"alert\" class=\"outcome\">\n");
    boolean none = problems == null || problems.isEmpty();
    if (checked && none) {
      return b.append("<p>No problems: this feed would publish.</p>\n</div>\n").toString();
    }
    b.append("<p class=\"warn\">").append(WebGuard.escape(message)).append("</p>\n");
    if (!none) {
      b.append("<ul>\n");
      for (JsonNode p : problems) {
        b.append("<li><span class=\"mono\">")
            .append(WebGuard.escape(p.path("expression").asText()))
            .append(':')
            .append(p.path("line").asLong())
            .append(':')
            .append(p.path("column").asLong())
            .append("</span> ")
            .append(WebGuard.escape(p.path("message").asText()))
            .append("</li>\n");
      }
      b.append("</ul>\n");
    }
    return b.append("</div>\n").toString();
  }

  /** The form that writes a feed, filled with {@code form}; {@code outcome} above its button. */
  static String publishForm(Form form, String outcome) {
    return "<section aria-labelledby=\"write-h\"><h2 id=\"write-h\">Write a feed</h2>\n"
        + "<form class=\"compose\" method=\"post\" action=\"/web/feeds/publish\">\n"
        + "<label for=\"feed-name\">Name</label>\n<input id=\"feed-name\" name=\"name\" required"
        + " maxlength=\""
        + Limits.MAX_FEED_NAME_BYTES
        + "\" value=\""
        + WebGuard.escape(form.name())
        + "\">\n<label for=\"feed-description\">Description</label>\n"
        + "<textarea id=\"feed-description\" name=\"description\" rows=\"2\" maxlength=\""
        + Limits.MAX_FEED_DESCRIPTION_BYTES
        + "\">"
        + WebGuard.escape(form.description())
        + "</textarea>\n<label for=\"feed-version\">Version</label>\n"
        + "<input id=\"feed-version\" name=\"version\" type=\"number\" min=\"1\" required"
        + " value=\""
        + WebGuard.escape(form.version())
        + "\" aria-describedby=\"feed-version-help\">\n<p id=\"feed-version-help\""
        + " class=\"help\">Publish a change with the same name and a higher version: those who"
        + " use the feed see an update.</p>\n"
        + "<label for=\"feed-filter\">Filter (CEL, true keeps a post)</label>\n"
        + "<textarea id=\"feed-filter\" name=\"filter\" rows=\"3\" class=\"mono\" maxlength=\""
        + Limits.MAX_FEED_EXPRESSION_BYTES
        + "\" aria-describedby=\"feed-filter-help\">"
        + WebGuard.escape(form.filter())
        + "</textarea>\n<p id=\"feed-filter-help\" class=\"help\">For example <code>"
        + WebGuard.escape("post.hashtags.exists(h, h == \"cats\")")
        + "</code>; empty keeps every post.</p>\n"
        + "<label for=\"feed-score\">Score (CEL, a number: higher first)</label>\n"
        + "<textarea id=\"feed-score\" name=\"score\" rows=\"3\" class=\"mono\" maxlength=\""
        + Limits.MAX_FEED_EXPRESSION_BYTES
        + "\" aria-describedby=\"feed-score-help\">"
        + WebGuard.escape(form.score())
        + "</textarea>\n<p id=\"feed-score-help\" class=\"help\">For example <code>"
        + "double(stats.reactions_from_follows)</code>; empty orders newest first.</p>\n"
        + (outcome == null ? "" : outcome)
        + "<div class=\"actions\">\n<button type=\"submit\" name=\"do\" value=\"publish\">"
        + "Publish</button>\n<button type=\"submit\" name=\"do\" value=\"check\">Check"
        + "</button>\n</div>\n</form>\n</section>\n";
  }

  /** What the publish form holds, as typed. */
  record Form(String name, String description, String version, String filter, String score) {
    static final Form EMPTY = new Form("", "", "1", "", "");

    /** The body of {@code POST /v1/feeds}; a version that is not a number is the asker's. */
    ObjectNode json() {
      ObjectNode o = F.objectNode().put("name", name).put("description", description);
      try {
        o.put("version", Integer.parseInt(version.strip()));
      } catch (NumberFormatException e) {
        throw ApiError.badRequest("version must be a whole number from 1");
      }
      return o.put("filter", filter).put("score", score);
    }
  }

  /** A feed's key in a URL: names may hold anything. */
  static String encode(String key) {
    return URLEncoder.encode(key, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
