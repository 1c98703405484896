package org.grapevine.node.engine;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.grapevine.protocol.entry.LogEntry;
import org.grapevine.protocol.identity.AuthorKey;

/**
 * Verified entries that arrived ahead of a gap in their author's log, kept until the gap closes
 * (never applied out of order, never lost while there is room). Bounded per author and in total; a
 * full buffer refuses new entries, which sync fetches again later. Not thread-safe.
 */
final class GapBuffer {
  private final int maxPerAuthor;
  private final int maxTotal;

  /** Null until the first entry kept (a simulation's nodes mostly never have a gap). */
  private Map<AuthorKey, TreeMap<Long, LogEntry>> byAuthor;

  private int size;

  GapBuffer(int maxPerAuthor, int maxTotal) {
    this.maxPerAuthor = maxPerAuthor;
    this.maxTotal = maxTotal;
  }

  /** Keeps {@code entry}; false if there is no room (or an entry at that seq is already kept). */
  boolean add(LogEntry entry) {
    if (byAuthor == null) {
      byAuthor = new HashMap<>();
    }
    TreeMap<Long, LogEntry> log =
        byAuthor.computeIfAbsent(entry.header().author(), a -> new TreeMap<>());
    if (size >= maxTotal || log.size() >= maxPerAuthor || log.containsKey(entry.header().seq())) {
      if (log.isEmpty()) {
        byAuthor.remove(entry.header().author());
      }
      return false;
    }
    log.put(entry.header().seq(), entry);
    size++;
    return true;
  }

  /**
   * Removes and returns the author's kept entries that follow {@code head} without a gap, in order.
   */
  List<LogEntry> takeContiguous(AuthorKey author, long head) {
    TreeMap<Long, LogEntry> log = byAuthor == null ? null : byAuthor.get(author);
    List<LogEntry> out = new ArrayList<>();
    if (log == null) {
      return out;
    }
    log.headMap(head, true).clear(); // Held already (sync or gossip filled them in).
    for (long next = head + 1; log.containsKey(next); next++) {
      out.add(log.remove(next));
    }
    if (log.isEmpty()) {
      byAuthor.remove(author);
    }
    size = byAuthor.values().stream().mapToInt(Map::size).sum();
    return out;
  }

  int size() {
    return size;
  }
}
