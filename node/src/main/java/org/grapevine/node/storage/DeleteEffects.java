package org.grapevine.node.storage;

import java.util.Optional;
import java.util.SortedSet;
import org.grapevine.protocol.entry.ContentKind;
import org.grapevine.protocol.entry.EntryHeader;
import org.grapevine.protocol.entry.EntryId;
import org.grapevine.protocol.entry.LogEntry;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;

/**
 * What a delete entry (held with its content) does to {@link RocksPostStore}, written into the
 * batch that applies or fills it, so a crash never leaves the delete held without its effect
 * (nothing would ever carry it out later):
 *
 * <ol>
 *   <li>its target gets a tombstone row ({@link Keys#tombstone}) under the delete's identity, held
 *       or not: a target that arrives later is stored without its content;
 *   <li>a held target of the same identity loses its content and the rows derived from it, if
 *       {@link EntryIndexer#deletable} (nobody deletes another identity's entries, root-log content
 *       defines the devices, and a delete's content keeps its own target deleted); a target whose
 *       content was missing is deleted instead, never fetched.
 * </ol>
 */
final class DeleteEffects {
  private DeleteEffects() {}

  /** Writes the effects of {@code delete} into {@code b}; returns the content bytes freed. */
  static long write(WriteBatch b, RocksPostStore store, LogEntry delete) throws RocksDBException {
    if (delete.header().kind() != ContentKind.DELETE || delete.content().isEmpty()) {
      return 0;
    }
    EntryId target = EntryIndexer.deleteTarget(delete.content().get());
    if (target == null) {
      return 0;
    }
    ColumnFamilies f = store.families();
    byte[] key = Keys.tombstone(target, delete.header().identity());
    SortedSet<EntryId> deletes = Values.tombstone(store.read(f.indexes(), key));
    deletes.add(delete.id());
    b.put(f.indexes(), key, Values.tombstone(deletes));

    Optional<LogEntry> held = store.entryById(target);
    if (held.isEmpty()) {
      store.awaitTarget(delete.header().identity());
      return 0;
    }
    EntryHeader t = held.get().header();
    if (!t.identity().equals(delete.header().identity()) || !EntryIndexer.deletable(t)) {
      return 0;
    }
    if (!held.get().hasContent()) {
      // Its content was missing: now it is deleted, and never fetched.
      b.delete(f.indexes(), Keys.missing(t.identity(), t.contentHash(), target));
      return 0;
    }
    b.delete(f.content(), Keys.content(t.contentHash(), target));
    EntryIndexer.deleteContentRows(b, f, held.get());
    return t.contentSize();
  }
}
