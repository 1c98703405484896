package org.grapevine.node.api;

import com.fasterxml.jackson.databind.JsonNode;
import org.grapevine.node.LogQueries;
import org.grapevine.node.Node;
import org.grapevine.protocol.identity.Identity;
import org.grapevine.protocol.identity.IdentityFormatException;
import org.grapevine.protocol.validation.TextField;

/**
 * The web app's reading screens (issue 16): home timeline, compose, thread, profile, notifications
 * and search. Each reads through {@link WebApi} (the {@code /v1} routes) and renders on the server;
 * app.js only adds what arrives live and the compose box's count and shortcut. Notifications are
 * {@link WebNotifications}; the peers and settings screens {@link WebStatusPages}.
 */
final class WebPages {
  static final int PAGE = 30;

  private final Node node;
  private final WebApi api;
  private final NotificationRoutes notifications;

  WebPages(Node node, WebApi api, NotificationRoutes notifications) {
    this.node = node;
    this.api = api;
    this.notifications = notifications;
  }

  void register(Router r) {
    r.add("GET", "/", q -> ApiResponse.html(home(q)))
        .add("GET", "/compose", q -> ApiResponse.html(compose(q)))
        .add("GET", "/thread/{id}", q -> ApiResponse.html(thread(q.param("id"))))
        .add("GET", "/me", q -> ApiResponse.seeOther("/people/" + node.identity()))
        .add("GET", "/people/{identity}", q -> ApiResponse.html(person(q)))
        .add("GET", "/search", q -> ApiResponse.html(search(q)));
  }

  /** Unread notifications, for the navigation (100 and more show as 100). */
  long unread() {
    return notifications.unreadCount(100);
  }

  String page(String title, String current, String body) {
    String me =
        node.profile(node.identity())
            .flatMap(org.grapevine.protocol.entry.LogEntry::content)
            .map(c -> c.getProfile().getName())
            .filter(n -> !n.isEmpty())
            .orElse(null);
    return WebLayout.page(title, current, unread(), me, body);
  }

  /**
   * The home page: the picker of feeds, then the timeline with the compose box, or with {@code
   * ?feed=KEY} a page of that feed ({@code cursor}: the next one).
   */
  private String home(ApiRequest q) {
    q.onlyQuery("before", "feed", "cursor");
    String before = q.queryParam("before");
    String feed = q.queryParam("feed");
    StringBuilder b = new StringBuilder("<h1>Home</h1>\n");
    if (feed != null) {
      if (before != null) {
        throw ApiError.badRequest("a feed pages with 'cursor', the timeline with 'before'");
      }
      b.append(WebFeeds.picker(api, feed))
          .append(WebFeeds.feedSection(api, feed, q.queryParam("cursor"), PAGE));
      return page("Home", "/", b.toString());
    }
    if (q.queryParam("cursor") != null) {
      throw ApiError.badRequest("'cursor' pages a feed: give 'feed' too");
    }
    JsonNode t = api.get("/v1/timeline", "limit", Integer.toString(PAGE), "before", before);
    if (before == null) {
      b.append(composeForm(null, null));
    }
    // Below the compose box: the keyboard reaches the box first, then what to read.
    b.append(WebFeeds.picker(api, null));
    b.append("<section aria-labelledby=\"tl-h\"><h2 id=\"tl-h\">Timeline</h2>\n")
        .append("<div id=\"timeline\" class=\"feed\"")
        .append(before == null ? " data-live=\"home\"" : "")
        .append(">\n");
    for (JsonNode e : t.path("entries")) {
      b.append(WebEntries.article(e, "/"));
    }
    if (t.path("entries").isEmpty()) {
      b.append("<p class=\"empty\">Nothing yet. Follow someone (their profile page, or ")
          .append("<code>grapevine follow</code>) or write the first post.</p>\n");
    }
    b.append("</div>\n");
    more(b, "/?before=", t.path("next"));
    return page("Home", "/", b.append("</section>").toString());
  }

  static void more(StringBuilder b, String prefix, JsonNode next) {
    if (next.isTextual()) {
      b.append("<p><a class=\"more\" href=\"")
          .append(prefix)
          .append(WebGuard.escape(java.net.URLEncoder.encode(next.asText(), UTF_8)))
          .append("\">Older</a></p>\n");
    }
  }

  private static final java.nio.charset.Charset UTF_8 = java.nio.charset.StandardCharsets.UTF_8;

  private String compose(ApiRequest q) {
    q.onlyQuery("reply", "quote");
    String reply = q.queryParam("reply");
    String quote = q.queryParam("quote");
    if (reply != null && quote != null) {
      throw ApiError.badRequest("a post replies or quotes, not both");
    }
    StringBuilder b = new StringBuilder();
    String title = reply != null ? "Reply" : quote != null ? "Quote" : "Write";
    b.append("<h1>").append(title).append("</h1>\n");
    String about = reply != null ? reply : quote;
    if (about != null) {
      JsonNode e = api.get("/v1/entries/" + about);
      b.append("<section aria-label=\"")
          .append(reply != null ? "Replying to" : "Quoting")
          .append("\" class=\"context\">\n")
          .append(WebEntries.header(e))
          .append(WebEntries.body(e))
          .append("</section>\n");
      about = e.path("id").asText();
    }
    b.append(composeForm(reply != null ? about : null, quote != null ? about : null));
    return page(title, null, b.toString());
  }

  /** The compose box: text with a live count and Ctrl+Enter to send, a foldable warning. */
  static String composeForm(String replyTo, String quote) {
    int max = TextField.POST_TEXT.maxBytes();
    int cwMax = TextField.CONTENT_WARNING.maxBytes();
    return "<form class=\"compose\" method=\"post\" action=\"/web/post\">\n"
        + (replyTo != null ? WebEntries.hidden("reply", replyTo) : "")
        + (quote != null ? WebEntries.hidden("quote", quote) : "")
        + "<label for=\"text\">"
        + (replyTo != null ? "Your reply" : "What is on your mind?")
        + "</label>\n<textarea id=\"text\" name=\"text\" rows=\"4\" required maxlength=\""
        + max
        + "\" data-max-bytes=\""
        + max
        + "\" aria-describedby=\"text-help\"></textarea>\n"
        + "<p id=\"text-help\" class=\"help\"><output id=\"text-count\" for=\"text\">"
        + max
        + " bytes left</output>. Ctrl+Enter (⌘+Enter) sends.</p>\n"
        + "<details><summary>Content warning</summary>\n"
        + "<label for=\"cw\">Warning shown before the text</label>\n"
        + "<input id=\"cw\" name=\"content_warning\" maxlength=\""
        + cwMax
        + "\"></details>\n"
        + (replyTo != null ? "" : attachField("attachment", "Attach a picture"))
        + "<button type=\"submit\">"
        + (replyTo != null ? "Reply" : "Post")
        + "</button>\n</form>\n";
  }

  /**
   * A picture to attach: app.js uploads the chosen file to {@code /v1/media} at once (its metadata
   * is stripped there), shows it as the node serves it, and fills the hidden field {@code name}
   * with its CID; the alt text goes with it. Hidden without the script (a form posts no file).
   */
  static String attachField(String name, String legend) {
    return "<fieldset class=\"attach\" data-attach=\""
        + name
        + "\" hidden>\n<legend>"
        + legend
        + "</legend>\n"
        + WebEntries.hidden(name, "")
        + "<label for=\""
        + name
        + "-file\">Picture</label>\n<input id=\""
        + name
        + "-file\" type=\"file\" accept=\"image/*\">\n"
        + "<output class=\"attach-status\" for=\""
        + name
        + "-file\"></output>\n<img class=\"attach-preview\" alt=\"\" hidden>\n"
        + "<label for=\""
        + name
        + "-alt\">Describe it for people who cannot see it (alt text)</label>\n<input id=\""
        + name
        + "-alt\" name=\""
        + name
        + "_alt\" maxlength=\""
        + org.grapevine.protocol.Limits.MAX_ALT_TEXT_BYTES
        + "\">\n</fieldset>\n";
  }

  private String thread(String id) {
    JsonNode t = api.get("/v1/threads/" + id);
    return page(
        "Thread",
        null,
        "<h1>Thread</h1>\n<div id=\"thread\" data-live=\"thread\" data-root=\""
            + WebGuard.escape(t.path("root").path("id").asText())
            + "\">\n"
            + threadTree(t)
            + "</div>\n");
  }

  /** The live fragment of a thread: its tree. */
  String threadTree(String id) {
    return threadTree(api.get("/v1/threads/" + id));
  }

  /** The conversation as nested lists, oldest reply first. */
  private static String threadTree(JsonNode t) {
    StringBuilder b = new StringBuilder();
    if (!t.path("root_held").asBoolean(true)) {
      b.append("<p class=\"gone\">The start of this conversation is not held here.</p>\n");
    }
    b.append("<ul class=\"tree\">\n");
    node(b, t.path("root"), "/thread/" + t.path("root").path("id").asText(), 0);
    b.append("</ul>\n");
    if (t.path("truncated").asBoolean()) {
      b.append("<p class=\"gone\">Only the first 1000 entries are shown.</p>\n");
    }
    return b.toString();
  }

  /**
   * Nesting stops at this depth: deeper replies continue in the list of the reply at this depth, so
   * a long back-and-forth stays readable at phone width.
   */
  static final int MAX_DEPTH = 6;

  private static void node(StringBuilder b, JsonNode e, String back, int depth) {
    b.append("<li>").append(WebEntries.article(e, back));
    JsonNode replies = e.path("replies");
    if (depth >= MAX_DEPTH) {
      b.append("</li>\n");
      for (JsonNode r : replies) {
        node(b, r, back, depth);
      }
      return;
    }
    if (!replies.isEmpty()) {
      b.append("<ul>\n");
      for (JsonNode r : replies) {
        node(b, r, back, depth + 1);
      }
      b.append("</ul>\n");
    }
    b.append("</li>\n");
  }

  private String person(ApiRequest q) {
    q.onlyQuery("before");
    JsonNode p = api.get("/v1/profiles/" + q.param("identity"));
    String identity = p.path("identity").asText();
    boolean own = identity.equals(node.identity().toString());
    Identity who = parsed(identity);
    String name = p.path("name").asText();
    StringBuilder b = new StringBuilder();
    JsonNode avatar = p.path("avatar");
    if (avatar.isObject() && avatar.path("media_type").asText().startsWith("image/")) {
      // Fetched from peers on opening when not held (a followed person's is held already).
      b.append("<img class=\"avatar\" src=\"/media/")
          .append(WebGuard.escape(avatar.path("cid").asText()))
          .append("?wait=30\" alt=\"")
          .append(WebGuard.escape(avatar.path("alt").asText()))
          .append("\">\n");
    }
    b.append("<h1>")
        .append(name.isEmpty() ? "(no name)" : WebGuard.escape(name))
        .append("</h1>\n<p class=\"ident\"><code>")
        .append(WebGuard.escape(identity))
        .append("</code></p>\n");
    if (!p.path("bio").asText().isEmpty()) {
      b.append("<p class=\"bio\">")
          .append(WebGuard.escape(p.path("bio").asText()))
          .append("</p>\n");
    }
    if (p.path("forked").asBoolean()) {
      b.append("<p class=\"warn\">This identity signed two different histories (fork evidence")
          .append(" held): which one is real cannot be told.</p>\n");
    }
    b.append("<p class=\"counts\">")
        .append(LogQueries.following(node.store(), who).size())
        .append(" following · ")
        .append(LogQueries.followers(node.store(), who).size())
        .append(" followers <span class=\"muted\">(as far as this node knows)</span></p>\n");
    if (own) {
      b.append(profileForm(name, p.path("bio").asText()));
    } else {
      b.append(relationForms(identity, who));
    }
    if (!p.path("feeds").isEmpty()) {
      b.append("<section aria-labelledby=\"feeds-h\"><h2 id=\"feeds-h\">Feeds</h2>\n")
          .append("<ul class=\"plain\">\n");
      for (JsonNode f : p.path("feeds")) {
        b.append("<li><a href=\"/?feed=")
            .append(WebGuard.escape(f.path("key").asText()))
            .append("\">")
            .append(WebGuard.escape(f.path("name").asText()))
            .append("</a> <span class=\"muted\">v")
            .append(f.path("version").asLong())
            .append(f.path("used").asBoolean() ? ", in use" : "")
            .append("</span> ")
            .append(WebGuard.escape(f.path("description").asText()))
            .append("</li>\n");
      }
      b.append("</ul>\n<p><a href=\"/feeds\">All feeds</a></p></section>\n");
    }
    JsonNode posts =
        api.get(
            "/v1/identities/" + identity + "/posts",
            "limit",
            "30",
            "before",
            q.queryParam("before"));
    b.append(
        "<section aria-labelledby=\"posts-h\"><h2 id=\"posts-h\">Posts</h2>\n<div class=\"feed\">\n");
    for (JsonNode e : posts.path("entries")) {
      b.append(WebEntries.article(e, "/people/" + identity));
    }
    if (posts.path("entries").isEmpty()) {
      b.append("<p class=\"empty\">No posts held.</p>\n");
    }
    b.append("</div>\n");
    more(b, "/people/" + identity + "?before=", posts.path("next"));
    return page(
        name.isEmpty() ? "Profile" : name, own ? "/me" : null, b.append("</section>").toString());
  }

  /** An identity string the API answered with (so a valid one). */
  static Identity parsed(String identity) {
    try {
      return Identity.parse(identity);
    } catch (IdentityFormatException e) {
      throw ApiError.badRequest(e.getMessage());
    }
  }

  private static String profileForm(String name, String bio) {
    return "<form class=\"profile\" method=\"post\" action=\"/web/profile\">\n"
        + "<h2>Edit your profile</h2>\n<label for=\"name\">Name</label>\n"
        + "<input id=\"name\" name=\"name\" maxlength=\""
        + TextField.PROFILE_NAME.maxBytes()
        + "\" value=\""
        + WebGuard.escape(name)
        + "\">\n<label for=\"bio\">Bio</label>\n<textarea id=\"bio\" name=\"bio\" rows=\"3\""
        + " maxlength=\""
        + TextField.PROFILE_BIO.maxBytes()
        + "\">"
        + WebGuard.escape(bio)
        + "</textarea>\n"
        + attachField("avatar", "Your picture (avatar)")
        + "<button type=\"submit\">Save</button>\n</form>\n";
  }

  /** Follow, mute and block, each as the button that changes what holds now. */
  private String relationForms(String identity, Identity who) {
    String back = "/people/" + identity;
    boolean follows = node.store().follows().contains(who);
    boolean muted = node.store().isMuted(who);
    boolean blocked = node.store().isBlocked(who);
    return "<div class=\"actions\">\n"
        + WebEntries.form(
            follows ? "/web/unfollow" : "/web/follow",
            "identity",
            identity,
            back,
            follows ? "Unfollow" : "Follow")
        + WebEntries.form(
            muted ? "/web/unmute" : "/web/mute",
            "identity",
            identity,
            back,
            muted ? "Unmute" : "Mute")
        + WebEntries.form(
            blocked ? "/web/unblock" : "/web/block",
            "identity",
            identity,
            back,
            blocked ? "Unblock" : "Block")
        + "</div>\n";
  }

  private String search(ApiRequest q) {
    q.onlyQuery("q");
    String query = q.queryParam("q");
    StringBuilder b =
        new StringBuilder(
                "<h1>Search</h1>\n<form role=\"search\" method=\"get\" action=\"/search\">\n")
            .append("<label for=\"q\">Words, #tags, from:name</label>\n")
            .append("<input id=\"q\" name=\"q\" type=\"search\" value=\"")
            .append(query == null ? "" : WebGuard.escape(query))
            .append("\">\n<button type=\"submit\">Search</button>\n</form>\n");
    if (query != null && !query.isBlank()) {
      JsonNode r = api.get("/v1/search", "q", query, "limit", "30");
      b.append(
          "<section aria-labelledby=\"people-h\"><h2 id=\"people-h\">People</h2>\n<ul class=\"plain\">\n");
      for (JsonNode p : r.path("profiles")) {
        String name = p.path("name").asText();
        b.append("<li>")
            .append(WebEntries.person(p.path("identity").asText(), name.isEmpty() ? null : name))
            .append(
                p.path("bio").asText().isEmpty()
                    ? ""
                    : " — " + WebGuard.escape(p.path("bio").asText()))
            .append("</li>\n");
      }
      if (r.path("profiles").isEmpty()) {
        b.append("<li class=\"empty\">No one.</li>\n");
      }
      b.append(
              "</ul></section>\n<section aria-labelledby=\"posts-h\"><h2 id=\"posts-h\">Posts</h2>\n")
          .append("<div class=\"feed\">\n");
      String back = "/search?q=" + java.net.URLEncoder.encode(query, UTF_8);
      for (JsonNode e : r.path("entries")) {
        b.append(WebEntries.article(e, back));
      }
      if (r.path("entries").isEmpty()) {
        b.append("<p class=\"empty\">No posts found.</p>\n");
      }
      b.append("</div></section>\n");
    }
    return page("Search", "/search", b.toString());
  }
}
