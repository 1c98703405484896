package org.grapevine.cli.social;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;

/**
 * Entries as one line for people, like {@code git log --oneline}:
 *
 * <pre>
 * 1a2b3c4d  Alice (gv1qy3k9xw2…)  2m ago    hello world  (2 replies, 1 repost, ❤ 3)
 * 5e6f7a8b  Bob (gv1m4t7p0d8…)    just now  reposted Alice (gv1qy3k9xw2…): hello world
 * 9c0d1e2f  Bob (gv1m4t7p0d8…)    just now  so true  ❝Alice (gv1qy3k9xw2…): hello world❞
 * 3a4b5c6d  Bob (gv1m4t7p0d8…)    just now  ⚠ spoilers  [content hidden: 17 chars, --show to unfold]
 * </pre>
 *
 * Ids are cut to {@link #SHORT_ID} hex digits and identities to {@link #SHORT_IDENTITY} characters;
 * both are accepted back as prefixes by every command. An identity shows as its display name (from
 * the profile the node holds, the API's {@code author_name}) followed by that prefix, which tells
 * two equal names apart; without a name, as the prefix alone. Counts at zero are left out; a repost
 * shows its original (author and text) and the original's counts; a quote post shows the quoted
 * post (author and text) after its own text. A post with a content warning shows the warning and is
 * folded (its text and quote hidden, their length said) unless the command was asked to {@code
 * --show} it.
 */
final class Format {
  static final int SHORT_ID = 8;
  static final int SHORT_IDENTITY = 12;

  /** Text longer than this is cut on the one-line form; {@code --json} has it whole. */
  static final int MAX_LINE_TEXT = 160;

  private static final DateTimeFormatter DATE =
      DateTimeFormatter.ofPattern("yyyy-MM-dd").withZone(ZoneId.systemDefault());

  private Format() {}

  static String shortId(String id) {
    return id.length() > SHORT_ID ? id.substring(0, SHORT_ID) : id;
  }

  static String shortIdentity(String identity) {
    return identity.length() > SHORT_IDENTITY
        ? identity.substring(0, SHORT_IDENTITY) + "…"
        : identity;
  }

  /** "just now", "42s ago", "5m ago", "3h ago", "6d ago", then the date. */
  static String age(long timestampMillis, long nowMillis) {
    long s = Math.max(0, (nowMillis - timestampMillis) / 1000);
    if (s < 5) {
      return "just now";
    }
    if (s < 60) {
      return s + "s ago";
    }
    if (s < 3600) {
      return s / 60 + "m ago";
    }
    if (s < 86_400) {
      return s / 3600 + "h ago";
    }
    if (s < 30 * 86_400) {
      return s / 86_400 + "d ago";
    }
    return DATE.format(Instant.ofEpochMilli(timestampMillis));
  }

  /**
   * The mark of a forked identity's posts: it signed two histories, so which of them is its own
   * cannot be told (`grapevine profile IDENTITY` shows the evidence).
   */
  static final String FORKED = "[FORKED]";

  /** One entry on one line. */
  static String line(JsonNode e, long nowMillis) {
    return line(e, nowMillis, true);
  }

  /**
   * One entry on one line; {@code showParent} false leaves out the "↳ parent" of a reply (a tree
   * shows it).
   */
  static String line(JsonNode e, long nowMillis, boolean showParent) {
    return line(e, nowMillis, showParent, false);
  }

  /**
   * One entry on one line; {@code unfold} true shows the text of a post with a content warning
   * after the warning instead of folding it.
   */
  static String line(JsonNode e, long nowMillis, boolean showParent, boolean unfold) {
    return shortId(e.path("id").asText())
        + "  "
        + who(e)
        + (e.path("identity_forked").asBoolean() ? " " + FORKED : "")
        + "  "
        + String.format("%-8s", age(e.path("timestamp").asLong(), nowMillis))
        + "  "
        + summary(e, showParent, unfold)
        + counts(e);
  }

  /** Names longer than this are cut on the one-line form. */
  static final int MAX_NAME = 32;

  /**
   * The author of an entry: "name (prefix…)" when the node holds a profile with a name, else the
   * identity's prefix alone.
   */
  static String who(JsonNode e) {
    String prefix = shortIdentity(e.path("identity").asText());
    String name = e.path("author_name").asText("");
    if (name.isBlank()) {
      return prefix;
    }
    String cut = name.replaceAll("[\\p{Cntrl}]+", " ").strip();
    if (cut.length() > MAX_NAME) {
      cut = cut.substring(0, MAX_NAME - 1) + "…";
    }
    return cut + " (" + prefix + ")";
  }

  /**
   * " (2 replies, 1 repost, ❤ 3, 👍 1)" for a post, or for a repost its original's counts; empty
   * when all are zero or the entry carries none (a live event).
   */
  static String counts(JsonNode e) {
    JsonNode c =
        e.path("kind").asText().equals("repost")
            ? e.path("original").path("counts")
            : e.path("counts");
    if (!c.isObject()) {
      return "";
    }
    java.util.List<String> parts = new java.util.ArrayList<>();
    long replies = c.path("replies").asLong();
    if (replies > 0) {
      parts.add(replies + (replies == 1 ? " reply" : " replies"));
    }
    long reposts = c.path("reposts").asLong();
    if (reposts > 0) {
      parts.add(reposts + (reposts == 1 ? " repost" : " reposts"));
    }
    long quotes = c.path("quotes").asLong();
    if (quotes > 0) {
      parts.add(quotes + (quotes == 1 ? " quote" : " quotes"));
    }
    for (java.util.Map.Entry<String, JsonNode> r : c.path("reactions").properties()) {
      parts.add(r.getKey() + " " + r.getValue().asLong());
    }
    return parts.isEmpty() ? "" : "  (" + String.join(", ", parts) + ")";
  }

  /** What an entry says, by kind, on one line (a content warning folds the post). */
  static String summary(JsonNode e, boolean showParent) {
    return summary(e, showParent, false);
  }

  /** What an entry says, by kind, on one line; {@code unfold} shows a warned post's text. */
  static String summary(JsonNode e, boolean showParent, boolean unfold) {
    JsonNode c = e.path("content");
    String kind = e.path("kind").asText();
    if (e.path("deleted").asBoolean() || c.isNull() || c.isMissingNode()) {
      // Deleted (a delete entry is held) and missing (not here yet, or over this node's quota)
      // are different things: only the first is the author's doing.
      String missing = e.path("missing").asText("");
      if (e.path("deleted").asBoolean()) {
        return "(deleted)";
      } else if (missing.equals("over_quota")) {
        return "(" + kind + ", content not kept: its author is over this node's quota)";
      } else if (missing.equals("not_fetched")) {
        return "(" + kind + ", content not here yet: fetching it from peers)";
      }
      return "(" + kind + ", content not held)";
    }
    return switch (kind) {
      case "post" ->
          (showParent && c.path("reply_to").isObject()
                  ? "↳ " + shortId(c.path("reply_to").path("parent").path("entry").asText()) + "  "
                  : "")
              + post(e, unfold);
      case "reaction" ->
          c.path("emoji").asText() + " to " + shortId(c.path("target").path("entry").asText());
      case "repost" -> repost(e, unfold);
      case "follow" -> "followed " + shortIdentity(c.path("identity").asText());
      case "unfollow" -> "unfollowed " + shortIdentity(c.path("identity").asText());
      case "profile" -> "profile: " + oneLine(c.path("name").asText());
      case "delete" -> "deleted " + shortId(c.path("target").asText());
      case "delegate_device" -> "added device " + shortId(c.path("device").asText());
      case "revoke_device" -> "revoked device " + shortId(c.path("device").asText());
      default -> "(" + kind + ")";
    };
  }

  /** Marks a content warning. */
  static final String WARNING = "⚠";

  /**
   * A post's text and quote; behind its content warning, folded ("⚠ warning [content hidden: N
   * chars, --show to unfold]") unless {@code unfold}.
   */
  private static String post(JsonNode e, boolean unfold) {
    JsonNode c = e.path("content");
    String text = c.path("text").asText();
    String warning = c.path("content_warning").asText("");
    String warned = warning.isEmpty() ? "" : WARNING + " " + oneLine(warning) + "  ";
    if (!warning.isEmpty() && !unfold) {
      return warned
          + "[content hidden: "
          + text.codePointCount(0, text.length())
          + " chars"
          + (c.path("quote").isObject() ? " and a quote" : "")
          + ", --show to unfold]";
    }
    return warned + oneLine(text) + quote(e, unfold);
  }

  /**
   * " ❝NAME (prefix…): text❞" for a quote post when the node holds the quoted post (the API embeds
   * it), else says that it does not; a live event (without the field) shows the id; empty for a
   * post that quotes nothing.
   */
  private static String quote(JsonNode e, boolean unfold) {
    JsonNode ref = e.path("content").path("quote");
    if (!ref.isObject()) {
      return "";
    }
    String id = shortId(ref.path("entry").asText());
    JsonNode quoted = e.path("quote");
    if (quoted.isObject()) {
      return "  ❝" + who(quoted) + ": " + summary(quoted, true, unfold) + "❞";
    }
    if (e.has("quote_held")) {
      return "  ❝quoting " + id + " (not held here)❞";
    }
    return "  ❝quoting " + id + "❞";
  }

  /**
   * "reposted NAME (prefix…): text" when the node holds the original (the API embeds it), else says
   * that it does not; an entry without the field (a live event) shows the original's id.
   */
  private static String repost(JsonNode e, boolean unfold) {
    String id = shortId(e.path("content").path("target").path("entry").asText());
    JsonNode original = e.path("original");
    if (original.isObject()) {
      return "reposted " + who(original) + ": " + summary(original, true, unfold);
    }
    if (e.has("original_held")) {
      return "reposted " + id + " (the original is not held here)";
    }
    return "reposted " + id;
  }

  /** Newlines and tabs as spaces, cut to {@link #MAX_LINE_TEXT} characters. */
  static String oneLine(String text) {
    String s = text.replaceAll("[\\r\\n\\t]+", " ").strip();
    return s.length() > MAX_LINE_TEXT ? s.substring(0, MAX_LINE_TEXT - 1) + "…" : s;
  }
}
