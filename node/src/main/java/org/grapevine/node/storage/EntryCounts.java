package org.grapevine.node.storage;

import java.util.Collections;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * How many held entries answer one entry ({@link PostStore#counts}): replies (direct ones: posts
 * whose reply_to.parent names it), reposts, and reactions per emoji. Only entries held with their
 * content count, so a deleted reply, repost or reaction does not (its delete took the row).
 *
 * @param reactions emoji to count, in emoji order; emojis with no reaction are absent
 */
public record EntryCounts(long replies, long reposts, SortedMap<String, Long> reactions) {
  public static final EntryCounts NONE = new EntryCounts(0, 0, new TreeMap<>());

  public EntryCounts {
    reactions = Collections.unmodifiableSortedMap(new TreeMap<>(reactions));
  }

  /** Every reaction, whatever its emoji. */
  public long reactionTotal() {
    return reactions.values().stream().mapToLong(Long::longValue).sum();
  }
}
