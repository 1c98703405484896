package org.grapevine.node.feeds;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The feeds every node has, written in the same language as anyone's (docs/FEEDS.md shows them).
 * Keys are their names in the API and the CLI.
 */
final class BuiltInFeeds {
  private BuiltInFeeds() {}

  static final Map<String, FeedDefinition> ALL = new LinkedHashMap<>();

  static {
    ALL.put(
        "following",
        new FeedDefinition(
            "Following",
            "Posts and reposts by the people you follow and by you, newest first: the timeline.",
            1,
            "graph.follows_author || graph.is_me",
            "double(post.time)"));
    ALL.put(
        "conversations",
        new FeedDefinition(
            "Conversations",
            "Threads that people you follow started or replied in, the most recently active first.",
            1,
            "post.kind != \"repost\" && !post.is_reply && stats.thread_replies > 0"
                + " && (graph.follows_author || graph.is_me || stats.thread_follows > 0)",
            "double(stats.last_reply_time)"));
    ALL.put(
        "popular",
        new FeedDefinition(
            "Popular with your follows",
            "Posts that people you follow reacted to or reposted; a repost weighs two reactions,"
                + " and a post's weight halves in about its first six hours, then keeps falling.",
            1,
            "post.kind != \"repost\" && !graph.is_me"
                + " && stats.reactions_from_follows + stats.reposts_from_follows > 0",
            "double(stats.reactions_from_follows + 2 * stats.reposts_from_follows)"
                + " / ((post.age_hours + 6.0) * (post.age_hours + 6.0))"));
    ALL.put(
        "friends-of-friends",
        new FeedDefinition(
            "Friends of friends",
            "Posts by people that two or more of the people you follow follow, and you do not:"
                + " newest first, each further follower worth six hours.",
            1,
            "post.kind != \"repost\" && !graph.follows_author && !graph.is_me"
                + " && graph.follows_following_author >= 2",
            "double(post.time) / 3600000.0 + 6.0 * double(graph.follows_following_author)"));
    ALL.put(
        "mentions",
        new FeedDefinition(
            "Mentions",
            "Posts that mention you, answer you or quote you, newest first.",
            1,
            "!graph.is_me && (graph.mentions_me || graph.replies_to_me || post.quoted_author == me)",
            "double(post.time)"));
  }
}
