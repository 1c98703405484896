package org.grapevine.cli.social;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * One line per notification group of {@code GET /v1/notifications} ("3 people reacted to your
 * post"): a mark for unread, the age, who (the first name with "and N others"), what they did, and
 * for a reply or a mention its text.
 */
final class NotificationFormat {
  private NotificationFormat() {}

  /**
   * The line of {@code group}; {@code entries} maps entry ids to the entries of the page's
   * notifications (for names, emoji and text).
   */
  static String line(JsonNode group, Map<String, JsonNode> entries, long nowMillis) {
    String mark = group.path("unread").asBoolean() ? "● " : "  ";
    String age = Format.age(group.path("timestamp").asLong(), nowMillis);
    JsonNode first = entries.get(group.path("entries").path(0).asText());
    String who = first == null ? "someone" : Format.who(first);
    int people = group.path("identities").size();
    if (people > 1) {
      who += " and " + (people - 1) + (people == 2 ? " other" : " others");
    }
    String about =
        group.path("about").isTextual() ? " " + Format.shortId(group.path("about").asText()) : "";
    String what =
        switch (group.path("type").asText()) {
          case "reply" -> "replied to your post" + about + ": " + text(first);
          case "quote" -> "quoted your post" + about + ": " + text(first);
          case "mention" -> "mentioned you: " + text(first);
          case "reaction" -> "reacted " + emoji(group, entries) + " to your post" + about;
          case "repost" -> "reposted your post" + about;
          case "follow" -> "followed you";
          case "unfollow" -> "unfollowed you";
          default -> group.path("type").asText();
        };
    return mark + age + "  " + who + " " + what;
  }

  private static String text(JsonNode e) {
    return e == null ? "" : Format.oneLine(e.path("content").path("text").asText(""));
  }

  private static String emoji(JsonNode group, Map<String, JsonNode> entries) {
    Set<String> all = new LinkedHashSet<>();
    for (JsonNode id : group.path("entries")) {
      JsonNode e = entries.get(id.asText());
      if (e != null) {
        all.add(e.path("content").path("emoji").asText());
      }
    }
    return String.join(" ", all);
  }
}
