package org.grapevine.node.feeds;

import dev.cel.common.types.CelType;
import dev.cel.common.types.ListType;
import dev.cel.common.types.SimpleType;
import java.util.HashMap;
import java.util.Map;

/**
 * The read-only view a feed's expressions see of one candidate post: every name they may use, its
 * CEL type and meaning. docs/FEEDS.md lists the same (a test checks the two agree). Identities are
 * their {@code gv1...} strings, times milliseconds since 1970 (UTC), lists at most {@link
 * #LIST_CAP} long.
 */
enum ViewField {
  POST_ID("post.id", SimpleType.STRING, "the entry id, 64 hex digits"),
  POST_AUTHOR("post.author", SimpleType.STRING, "the identity that wrote it"),
  POST_TIME("post.time", SimpleType.INT, "when it was written (its timestamp)"),
  POST_AGE_HOURS("post.age_hours", SimpleType.DOUBLE, "(now - post.time) in hours"),
  POST_KIND("post.kind", SimpleType.STRING, "\"post\", \"reply\", \"quote\" or \"repost\""),
  POST_TEXT("post.text", SimpleType.STRING, "the text; for a repost, the original's if held"),
  POST_LANGUAGE(
      "post.language",
      SimpleType.STRING,
      "a guess from the text: an ISO 639-1 code (\"en\", \"de\", \"ja\"...) or \"und\""),
  POST_HASHTAGS(
      "post.hashtags", ListType.create(SimpleType.STRING), "hashtags, lower case, without #"),
  POST_MENTIONS("post.mentions", ListType.create(SimpleType.STRING), "identities mentioned"),
  POST_IS_REPLY("post.is_reply", SimpleType.BOOL, "it answers a post"),
  POST_IS_QUOTE("post.is_quote", SimpleType.BOOL, "it quotes an entry"),
  POST_IS_REPOST("post.is_repost", SimpleType.BOOL, "it reposts an entry"),
  POST_REPLY_ROOT_AUTHOR(
      "post.reply_root_author", SimpleType.STRING, "who wrote the thread's first post, or \"\""),
  POST_REPLY_PARENT_AUTHOR(
      "post.reply_parent_author", SimpleType.STRING, "who wrote the post answered, or \"\""),
  POST_QUOTED_AUTHOR(
      "post.quoted_author", SimpleType.STRING, "who wrote the quoted entry, or \"\""),
  POST_REPOSTED_AUTHOR(
      "post.reposted_author", SimpleType.STRING, "who wrote the reposted entry, or \"\""),
  POST_HAS_CONTENT_WARNING(
      "post.has_content_warning", SimpleType.BOOL, "it is folded behind a content warning"),
  STATS_REACTIONS("stats.reactions", SimpleType.INT, "reactions to it"),
  STATS_REPLIES("stats.replies", SimpleType.INT, "direct replies to it"),
  STATS_REPOSTS("stats.reposts", SimpleType.INT, "reposts of it"),
  STATS_QUOTES("stats.quotes", SimpleType.INT, "posts quoting it"),
  STATS_REACTIONS_FROM_FOLLOWS(
      "stats.reactions_from_follows", SimpleType.INT, "reactions by people you follow"),
  STATS_REPLIES_FROM_FOLLOWS(
      "stats.replies_from_follows", SimpleType.INT, "direct replies by people you follow"),
  STATS_REPOSTS_FROM_FOLLOWS(
      "stats.reposts_from_follows", SimpleType.INT, "reposts by people you follow"),
  STATS_THREAD_REPLIES(
      "stats.thread_replies", SimpleType.INT, "replies anywhere in the thread it starts"),
  STATS_THREAD_FOLLOWS(
      "stats.thread_follows",
      SimpleType.INT,
      "people you follow who replied in the thread it starts"),
  STATS_LAST_REPLY_TIME(
      "stats.last_reply_time", SimpleType.INT, "the newest reply in that thread, or 0"),
  GRAPH_FOLLOWS_AUTHOR("graph.follows_author", SimpleType.BOOL, "you follow the author"),
  GRAPH_IS_ME("graph.is_me", SimpleType.BOOL, "you wrote it"),
  GRAPH_AUTHOR_HOPS(
      "graph.author_hops",
      SimpleType.INT,
      "0 you, 1 someone you follow, 2 someone they follow, 3 anyone else"),
  GRAPH_FOLLOWS_FOLLOWING_AUTHOR(
      "graph.follows_following_author",
      SimpleType.INT,
      "how many of the people you follow follow the author"),
  GRAPH_MENTIONS_ME("graph.mentions_me", SimpleType.BOOL, "it mentions you"),
  GRAPH_REPLIES_TO_ME("graph.replies_to_me", SimpleType.BOOL, "it answers a post of yours"),
  ME("me", SimpleType.STRING, "your identity"),
  NOW("now", SimpleType.INT, "when the ranking was made, in whole minutes");

  /** The longest list the view gives (hashtags and mentions beyond it are left out). */
  static final int LIST_CAP = 50;

  private static final Map<String, ViewField> BY_NAME = new HashMap<>();

  static {
    for (ViewField f : values()) {
      BY_NAME.put(f.name, f);
    }
  }

  final String name;
  final CelType type;
  final String meaning;

  ViewField(String name, CelType type, String meaning) {
    this.name = name;
    this.type = type;
    this.meaning = meaning;
  }

  /** The field of a name, or null. */
  static ViewField named(String name) {
    return BY_NAME.get(name);
  }
}
