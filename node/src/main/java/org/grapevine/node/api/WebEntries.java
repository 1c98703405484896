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
    String text =
        (c.path("text").asText().isEmpty()
                ? ""
                : "<p class=\"text\">" + linked(c.path("text").asText()) + "</p>\n")
            + attachments(c.path("attachments"));
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

  /**
   * A post's files: a picture as an image with its alt text (served from {@code /media/CID}, which
   * fetches it from peers when it is not held yet), anything else as a link; a file this node will
   * not fetch says why.
   */
  static String attachments(JsonNode list) {
    StringBuilder b = new StringBuilder();
    for (JsonNode a : list) {
      String cid = a.path("cid").asText(null);
      String state = a.path("state").asText("");
      String type = a.path("media_type").asText("");
      String alt = a.path("alt").asText("");
      if (cid == null || state.equals("unsupported")) {
        b.append("<p class=\"gone\">A file this version cannot fetch.</p>\n");
        continue;
      }
      String src = "/media/" + WebGuard.escape(cid);
      String why = notFetched(state);
      if (why != null) {
        b.append("<p class=\"gone media-missing\">")
            .append(type.startsWith("image/") ? "Picture" : "File")
            .append(" not shown: ")
            .append(why)
            .append(alt.isEmpty() ? "" : " Its description: " + WebGuard.escape(alt))
            .append("</p>\n");
      } else if (type.startsWith("image/")) {
        b.append("<figure class=\"media\"><a href=\"")
            .append(src)
            .append("\"><img src=\"")
            .append(src)
            .append("?wait=30\" alt=\"")
            .append(WebGuard.escape(alt))
            .append("\" loading=\"lazy\"></a>")
            .append(
                alt.isEmpty()
                    ? ""
                    : "<figcaption class=\"alt\">" + WebGuard.escape(alt) + "</figcaption>")
            .append("</figure>\n");
      } else {
        b.append("<p class=\"file\"><a href=\"")
            .append(src)
            .append("\" download>")
            .append(alt.isEmpty() ? "A file" : WebGuard.escape(alt))
            .append("</a> <span class=\"muted\">(")
            .append(WebGuard.escape(type))
            .append(", ")
            .append(a.path("size").asLong())
            .append(" bytes)</span></p>\n");
      }
    }
    return b.toString();
  }

  /** Why a file is not shown, or null when it is held or can be fetched on opening. */
  private static String notFetched(String state) {
    return switch (state) {
      case "over_budget" -> "it is over this node's media budget.";
      case "too_large" -> "it is over this node's size cap for one file.";
      case "bad_file" -> "its bytes do not match what the post says.";
      default -> null;
    };
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
