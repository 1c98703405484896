package org.grapevine.protocol.log;

import org.grapevine.protocol.entry.EntryId;
import org.grapevine.protocol.entry.SignedEntry;

/**
 * The last entry of a log, as its writer needs it to append: seq, id and timestamp.
 *
 * @param id null for an empty log
 */
public record LogHead(long seq, EntryId id, long timestampMillis) {
  public static final LogHead EMPTY = new LogHead(0, null, 0);

  public static LogHead of(SignedEntry last) {
    return new LogHead(last.header().seq(), last.id(), last.header().timestampMillis());
  }
}
