package org.grapevine.node.storage;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Function;
import org.grapevine.protocol.entry.EntryHeader;
import org.grapevine.protocol.entry.EntryId;
import org.grapevine.protocol.entry.LogEntry;
import org.grapevine.protocol.entry.SignedEntry;
import org.grapevine.protocol.identity.AuthorKey;
import org.grapevine.protocol.identity.Identity;
import org.grapevine.protocol.proto.Content;
import org.grapevine.protocol.validation.DeviceStatus;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * Recomputes the derived families (heads, devices, indexes) from entries and content: drops them,
 * then walks every log in (author, seq) order, which is the order the live path applied them in, so
 * root-log folds come out the same. Not atomic as a whole (a big store does not fit one batch); run
 * it while nothing else writes. Heads, devices and byte counts are kept in memory until the end:
 * one row per author, device and identity, the entries held without content (a MISSING row each
 * unless a held delete of the same identity names it) and the targets of held deletes (TOMBSTONE
 * rows).
 */
final class IndexRebuilder {
  private final RocksDB db;
  private final ColumnFamilies f;
  private final WriteOptions options;
  private final int batchEntries;
  private final Function<SignedEntry, LogEntry> withContent;
  private final Map<AuthorKey, LogEntry> heads = new HashMap<>();
  private final Map<String, DeviceRow> devices = new HashMap<>();
  private final Map<Identity, Long> storedBytes = new HashMap<>();

  /**
   * Targets of held deletes, each with the delete's identity, to the ids of those deletes: the
   * TOMBSTONE rows; a bare target of that identity is deleted, not missing.
   */
  private final Map<DeleteOf, TreeSet<EntryId>> tombstones = new HashMap<>();

  private record DeleteOf(EntryId target, Identity identity) {}

  /** Entries held without content; missing unless a held delete names them. */
  private final List<LogEntry> bare = new ArrayList<>();

  private record DeviceRow(Identity identity, AuthorKey device, DeviceStatus status) {}

  IndexRebuilder(
      RocksDB db,
      ColumnFamilies f,
      WriteOptions options,
      int batchEntries,
      Function<SignedEntry, LogEntry> withContent) {
    this.db = db;
    this.f = f;
    this.options = options;
    this.batchEntries = batchEntries;
    this.withContent = withContent;
  }

  /**
   * Recomputes every derived family of an open database, outside a store (a schema migration that
   * adds a derived record). Nothing else may write meanwhile.
   */
  static void rebuildOutsideStore(RocksDB db, ColumnFamilies f, int batchEntries)
      throws RocksDBException {
    try (WriteOptions options = new WriteOptions()) {
      new IndexRebuilder(
              db,
              f,
              options,
              batchEntries,
              signed -> {
                byte[] bytes;
                try {
                  bytes =
                      db.get(f.content(), Keys.content(signed.header().contentHash(), signed.id()));
                } catch (RocksDBException e) {
                  throw new IllegalStateException("store read failed: " + e.getMessage(), e);
                }
                return LogEntry.of(
                    signed, bytes, bytes == null ? null : Values.content(signed.header(), bytes));
              })
          .run();
    }
  }

  void run() throws RocksDBException {
    try (WriteBatch clear = new WriteBatch()) {
      for (ColumnFamilyHandle family : f.derived()) {
        clear.deleteRange(family, new byte[] {0}, new byte[] {(byte) 0xff, (byte) 0xff});
      }
      db.write(options, clear);
    }
    byte[] prefix = Keys.prefixOnly(KeyPrefix.ENTRY);
    WriteBatch batch = new WriteBatch();
    try (RocksIterator it = db.newIterator(f.entries())) {
      int n = 0;
      for (it.seek(prefix);
          it.isValid() && RocksPostStore.startsWith(it.key(), prefix);
          it.next()) {
        onEntry(batch, withContent.apply(Values.entry(it.value())));
        if (++n % batchEntries == 0) {
          db.write(options, batch);
          batch.close();
          batch = new WriteBatch();
        }
      }
      looseRows(batch);
      writeTotals(batch);
      db.write(options, batch);
    } finally {
      batch.close();
    }
  }

  /**
   * The index rows of every loose entry (issue 15) whose place the chains do not reach (one they
   * reach cannot be left by the store's writes; it is skipped, the chained entry's rows stand).
   */
  private void looseRows(WriteBatch batch) throws RocksDBException {
    byte[] prefix = Keys.prefixOnly(KeyPrefix.LOOSE);
    try (RocksIterator it = db.newIterator(f.entries())) {
      for (it.seek(prefix);
          it.isValid() && RocksPostStore.startsWith(it.key(), prefix);
          it.next()) {
        SignedEntry s = Values.entry(it.value());
        LogEntry head = heads.get(s.header().author());
        if (head == null || head.header().seq() < s.header().seq()) {
          EntryIndexer.put(batch, f, withContent.apply(s));
        }
      }
    }
  }

  private void onEntry(WriteBatch batch, LogEntry e) throws RocksDBException {
    EntryHeader h = e.header();
    LogEntry last = heads.get(h.author());
    if (last == null ? h.seq() != 1 : h.seq() != last.header().seq() + 1) {
      return; // Beyond a hole (cannot happen through apply): not part of the contiguous log.
    }
    heads.put(h.author(), e);
    EntryIndexer.put(batch, f, e);
    if (e.hasContent()) {
      storedBytes.merge(h.identity(), h.contentSize(), Long::sum);
    } else {
      bare.add(e);
    }
    EntryId target = e.content().map(EntryIndexer::deleteTarget).orElse(null);
    if (target != null) {
      tombstones
          .computeIfAbsent(new DeleteOf(target, h.identity()), k -> new TreeSet<>())
          .add(e.id());
    }
    if (h.inRootLog() && e.content().isPresent()) {
      Content c = e.content().get();
      AuthorKey device = EntryIndexer.device(c);
      if (device != null) {
        String key = h.identity().root().toHex() + device.toHex();
        DeviceRow old = devices.get(key);
        DeviceStatus next =
            EntryIndexer.foldDevice(old == null ? DeviceStatus.UNKNOWN : old.status(), c);
        devices.put(key, new DeviceRow(h.identity(), device, next));
      }
    }
  }

  private void writeTotals(WriteBatch batch) throws RocksDBException {
    for (Map.Entry<AuthorKey, LogEntry> head : heads.entrySet()) {
      LogEntry e = head.getValue();
      batch.put(f.heads(), Keys.head(head.getKey()), Values.head(e.header().seq(), e.id()));
    }
    for (DeviceRow row : devices.values()) {
      batch.put(
          f.devices(), Keys.device(row.identity(), row.device()), Values.device(row.status()));
    }
    for (LogEntry e : bare) {
      EntryHeader h = e.header();
      boolean deleted =
          EntryIndexer.deletable(h) && tombstones.containsKey(new DeleteOf(e.id(), h.identity()));
      if (!deleted) {
        batch.put(
            f.indexes(), Keys.missing(h.identity(), h.contentHash(), e.id()), Values.missing(h));
      }
    }
    for (Map.Entry<DeleteOf, TreeSet<EntryId>> t : tombstones.entrySet()) {
      batch.put(
          f.indexes(),
          Keys.tombstone(t.getKey().target(), t.getKey().identity()),
          Values.tombstone(t.getValue()));
    }
    for (Map.Entry<Identity, Long> bytes : storedBytes.entrySet()) {
      batch.put(f.indexes(), Keys.storedBytes(bytes.getKey()), Values.longValue(bytes.getValue()));
    }
  }
}
