package org.grapevine.node.feeds;

import org.grapevine.protocol.proto.Feed;

/**
 * A feed as its author wrote it: a name and description for people, the author's version number,
 * and the algorithm: {@code filter} (CEL, a bool: is the candidate in the feed; empty: every one)
 * and {@code score} (CEL, a double: higher first; empty: newest first). docs/FEEDS.md documents the
 * language and the view of a candidate the expressions read.
 */
public record FeedDefinition(
    String name, String description, int version, String filter, String score) {

  /** The definition a Feed content carries. */
  public static FeedDefinition of(Feed f) {
    return new FeedDefinition(
        f.getName(), f.getDescription(), f.getVersion(), f.getFilter(), f.getScore());
  }

  /** The content body that publishes this definition. */
  public Feed toProto() {
    return Feed.newBuilder()
        .setName(name)
        .setDescription(description)
        .setVersion(version)
        .setFilter(filter)
        .setScore(score)
        .build();
  }
}
