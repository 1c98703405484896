package org.grapevine.node.storage;

import org.grapevine.protocol.entry.EntryId;
import org.grapevine.protocol.entry.LogEntry;

/**
 * A position in a timeline, exclusive: the next page holds entries strictly older than it, in
 * (timestamp, entry id) order. Paging by timestamp alone would skip or repeat entries that share a
 * millisecond across a page boundary.
 *
 * @param id null means "everything at {@code timestampMillis} and later is excluded"
 */
public record TimelineCursor(long timestampMillis, EntryId id) {
  /** Before everything at or after {@code beforeMillis}. */
  public static TimelineCursor before(long beforeMillis) {
    return new TimelineCursor(beforeMillis, null);
  }

  /** The cursor for the page after the one ending with {@code last}. */
  public static TimelineCursor after(LogEntry last) {
    return new TimelineCursor(last.header().timestampMillis(), last.id());
  }
}
