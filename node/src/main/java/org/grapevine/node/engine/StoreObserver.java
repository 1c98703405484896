package org.grapevine.node.engine;

import java.util.List;
import org.grapevine.node.storage.Applied;
import org.grapevine.protocol.entry.LogEntry;

/**
 * Told of every change the {@link Engine} makes to the entries and content of its store, in the
 * order it makes them, on the engine's thread, right after the store's write returned: an index
 * kept outside the store (the search index) follows the store from here, so it sees exactly what
 * the store's own indexes see.
 *
 * <p>Calls:
 *
 * <ol>
 *   <li>{@link #onApplied} after {@code PostStore.apply}, with the entry as stored (without its
 *       content when the store dropped it: quota, or a held delete names it) and what else the
 *       write did ({@link Applied}: a revocation's purge). A delete's effect on its target and a
 *       revocation's purge are already in the store when this is called;
 *   <li>{@link #onContentFilled} after {@code PostStore.fillContent} stored content that arrived
 *       later (for a delete, with its effect on its target);
 *   <li>{@link #onLooseEvicted} after {@code PostStore.evictLoose} removed loose entries.
 * </ol>
 *
 * Must be quick and must not throw: the entry is stored whatever the observer does.
 */
public interface StoreObserver {
  /** Observes nothing. */
  StoreObserver NONE =
      new StoreObserver() {
        @Override
        public void onApplied(LogEntry stored, Applied applied) {}

        @Override
        public void onContentFilled(LogEntry full) {}
      };

  /** Tells {@code first}, then {@code second}, of every change. */
  static StoreObserver both(StoreObserver first, StoreObserver second) {
    return new StoreObserver() {
      @Override
      public void onApplied(LogEntry stored, Applied applied) {
        first.onApplied(stored, applied);
        second.onApplied(stored, applied);
      }

      @Override
      public void onContentFilled(LogEntry full) {
        first.onContentFilled(full);
        second.onContentFilled(full);
      }

      @Override
      public void onLooseEvicted(List<LogEntry> removed) {
        first.onLooseEvicted(removed);
        second.onLooseEvicted(removed);
      }
    };
  }

  void onApplied(LogEntry stored, Applied applied);

  void onContentFilled(LogEntry full);

  /**
   * The engine removed these loose entries from the store (over the total of addressed entries,
   * {@link LooseLimits.Config#totalBytes}), with their content and rows.
   */
  default void onLooseEvicted(List<LogEntry> removed) {}
}
