package org.grapevine.node.api;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * An entry as the web app shows it, from the API's entry JSON (docs/API.md "The entry object"): the
 * writer's name (or, with none held, a prefix of the identity) linked to the profile, the time
 * linked to the thread, the text (folded under its content warning), a quote or a repost's original
 * resolved in place, counts, and the actions as forms. Every string from an entry is hostile input
 * and goes through {@link WebGuard#escape}.
 */
final class WebEntries {
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'").withZone(ZoneOffset.UTC);

  private WebEntries() {}

  /**
   * An entry with its actions.
   *
   * @param back the page the actions' forms return to
   */
  static String article(JsonNode e, String back) {
    String id = e.path("id").asText();
    StringBuilder out =
        new StringBuilder("<article class=\"entry\" id=\"e-")
            .append(id)
            .append("\" data-id=\"")
            .append(id)
            .append("\">\n");
    if (e.path("kind").asText().equals("repost")) {
      out.append("<p class=\"by\">").append(who(e)).append(" reposted</p>\n");
      JsonNode original = e.path("original");
      if (original.isObject()) {
        out.append(article(original, back));
      } else {
        out.append("<p class=\"gone\">The reposted post is not held here yet.</p>\n");
      }
      return out.append("</article>\n").toString();
    }
    out.append(header(e));
    out.append(body(e));
    JsonNode quote = e.path("quote");
    if (quote.isObject()) {
      out.append("<blockquote class=\"quote\">\n")
          .append(header(quote))
          .append(body(quote))
          .append("</blockquote>\n");
    } else if (e.has("quote_held")) {
      out.append("<p class=\"gone\">The quoted post is not held here yet.</p>\n");
    }
    if (e.path("kind").asText().equals("post") && !e.path("deleted").asBoolean()) {
      out.append(actions(e, back));
    }
    return out.append("</article>\n").toString();
  }

  /** The writer and the time, each a link (profile, thread). */
  static String header(JsonNode e) {
    String id = e.path("id").asText();
    long ts = e.path("timestamp").asLong();
    StringBuilder h = new StringBuilder("<p class=\"meta\">").append(who(e));
    if (e.path("identity_forked").asBoolean()) {
      h.append(" <span class=\"warn\">forked identity</span>");
    }
    JsonNode replyTo = e.path("content").path("reply_to");
    if (replyTo.isObject()) {
      h.append(" <span class=\"muted\">replied</span>");
    }
    return h.append(" · <a href=\"/thread/")
        .append(id)
        .append("\"><time datetime=\"")
        .append(Instant.ofEpochMilli(ts))
        .append("\">")
        .append(TIME.format(Instant.ofEpochMilli(ts)))
        .append("</time></a></p>\n")
        .toString();
  }

  /** The writer's name linked to the profile, and a prefix of the identity (names repeat). */
  static String who(JsonNode e) {
    String identity = e.path("identity").asText();
    JsonNode name = e.path("author_name");
    return person(identity, name.isTextual() ? name.asText() : null);
  }

  /** A person's name (or "(no name)") linked to the profile, with a prefix of the identity. */
  static String person(String identity, String name) {
    return "<a class=\"name\" href=\"/people/"
        + WebGuard.escape(identity)
        + "\">"
        + (name == null ? "(no name)" : WebGuard.escape(name))
        + "</a> <span class=\"ident\">"
        + WebGuard.escape(shortId(identity))
        + "</span>";
  }

  static String shortId(String identity) {
    return identity.length() > 14 ? identity.substring(0, 14) + "…" : identity;
  }

  /** The text, folded under its content warning; or why there is none. */
  static String body(JsonNode e) {
    if (e.path("deleted").asBoolean()) {
      return "<p class=\"gone\">Deleted by its author.</p>\n";
    }
    String missing = e.path("missing").asText(null);
    if (missing != null) {
      return "<p class=\"gone\">"
          + (missing.equals("over_quota")
              ? "Not fetched: this identity is over this node's storage budget."
              : "The content has not arrived yet.")
          + "</p>\n";
    }
    JsonNode c = e.path("content");
    if (!c.isObject() || !c.has("text")) {
      return "";
    }
    String text = "<p class=\"text\">" + linked(c.path("text").asText()) + "</p>\n";
    JsonNode warning = c.path("content_warning");
    if (warning.isTextual() && !warning.asText().isEmpty()) {
      return "<details class=\"cw\"><summary>Content warning: "
          + WebGuard.escape(warning.asText())
          + "</summary>\n"
          + text
          + "</details>\n";
    }
    return text;
  }

  private static String actions(JsonNode e, String back) {
    String id = e.path("id").asText();
    JsonNode counts = e.path("counts");
    long likes = 0;
    for (JsonNode n : counts.path("reactions")) { // Every emoji counts as a like here.
      likes += n.asLong();
    }
    return "<div class=\"actions\">\n<a href=\"/compose?reply="
        + id
        + "\">Reply <span class=\"count\">"
        + counts.path("replies").asLong()
        + "</span></a>\n<a href=\"/compose?quote="
        + id
        + "\">Quote <span class=\"count\">"
        + counts.path("quotes").asLong()
        + "</span></a>\n"
        + form("/web/repost", "target", id, back, "Repost", counts.path("reposts").asLong())
        + form("/web/react", "target", id, back, "Like", likes)
        + "</div>\n";
  }

  /** A one-button form that posts {@code field=value} and returns to {@code back}. */
  static String form(String action, String field, String value, String back, String label) {
    return "<form class=\"inline\" method=\"post\" action=\""
        + action
        + "\">"
        + hidden(field, value)
        + hidden("back", back)
        + "<button type=\"submit\">"
        + label
        + "</button></form>\n";
  }

  private static String form(
      String action, String field, String value, String back, String label, long count) {
    return form(action, field, value, back, label + " <span class=\"count\">" + count + "</span>");
  }

  static String hidden(String name, String value) {
    return "<input type=\"hidden\" name=\"" + name + "\" value=\"" + WebGuard.escape(value) + "\">";
  }

  /** A hashtag as the search index reads one: not glued to a word before it. */
  private static final java.util.regex.Pattern HASHTAG =
      java.util.regex.Pattern.compile("(?<![\\p{L}\\p{N}_])#[\\p{L}\\p{N}_]{1,64}");

  /** The text escaped, with each hashtag a link to its search. */
  static String linked(String text) {
    StringBuilder out = new StringBuilder();
    java.util.regex.Matcher m = HASHTAG.matcher(text);
    int at = 0;
    while (m.find()) {
      out.append(WebGuard.escape(text.substring(at, m.start())))
          .append("<a href=\"/search?q=")
          .append(
              WebGuard.escape(
                  java.net.URLEncoder.encode(m.group(), java.nio.charset.StandardCharsets.UTF_8)))
          .append("\">")
          .append(WebGuard.escape(m.group()))
          .append("</a>");
      at = m.end();
    }
    return out.append(WebGuard.escape(text.substring(at))).toString();
  }
}
