package org.grapevine.node.storage;

import java.util.Collections;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * How many held entries answer one entry ({@link PostStore#counts}): replies (direct ones: posts
 * whose reply_to.parent names it), reposts, quotes (posts whose quote names it) and reactions per
 * emoji. Only entries held with their content count, so a deleted reply, repost, quote or reaction
 * does not (its delete took the row).
 *
 * @param reactions emoji to count, in emoji order; emojis with no reaction are absent
 */
public record EntryCounts(
    long replies, long reposts, long quotes, SortedMap<String, Long> reactions) {
  public static final EntryCounts NONE = new EntryCounts(0, 0, 0, new TreeMap<>());

  public EntryCounts {
    reactions = Collections.unmodifiableSortedMap(new TreeMap<>(reactions));
  }

  /** Counts without quotes (as before quote posts, issue 15). */
  public EntryCounts(long replies, long reposts, SortedMap<String, Long> reactions) {
    this(replies, reposts, 0, reactions);
  }

  /** Every reaction, whatever its emoji. */
  public long reactionTotal() {
    return reactions.values().stream().mapToLong(Long::longValue).sum();
  }
}
