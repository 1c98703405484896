package org.grapevine.node.storage;

import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;
import org.grapevine.protocol.entry.EntryHeader;
import org.grapevine.protocol.entry.EntryId;
import org.grapevine.protocol.entry.LogEntry;
import org.grapevine.protocol.identity.AuthorKey;
import org.grapevine.protocol.identity.Identity;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;

/**
 * The removal of a revoked device's entries after its last valid seq from {@link RocksPostStore},
 * written into the batch of the revocation itself (issue 12, case 4): a stolen device's later posts
 * go with the revocation or not at all, never half. Each removed entry takes with it its content,
 * every row derived from it (by id, time, reply, reaction, missing, byte count) and, for a delete,
 * its share of the target's tombstone; the device's head goes back to the last valid seq. What is
 * left equals what {@code rebuildIndexes} computes from the entries that remain.
 *
 * <p>A target whose only same-identity deletes are removed is no longer deleted: its content, if it
 * was dropped, is missing again (the delete that dropped it was never valid), so it gets a MISSING
 * row and is fetched like any other missing content.
 *
 * <p>The store's reads do not see the batch, so the tombstones changed here are tracked in a map.
 */
final class RevocationPurge {
  /** One tombstone row as this purge leaves it. */
  private record Tombstone(EntryId target, Identity identity, SortedSet<EntryId> deletes) {}

  private final WriteBatch b;
  private final RocksPostStore store;
  private final ColumnFamilies f;
  private final AuthorKey device;
  private final long lastValidSeq;
  private final Map<ByteBuffer, Tombstone> tombstones = new LinkedHashMap<>();

  private RevocationPurge(WriteBatch b, RocksPostStore store, AuthorKey device, long lastValidSeq) {
    this.b = b;
    this.store = store;
    this.f = store.families();
    this.device = device;
    this.lastValidSeq = lastValidSeq;
  }

  /**
   * Writes into {@code b} the removal of every held entry of {@code device}'s log after {@code
   * lastValidSeq}, except its head row (the caller sets it, with its cache); adds the content bytes
   * freed per identity to {@code bytesDelta} (negative). Returns how many entries are removed.
   */
  static int write(
      WriteBatch b,
      RocksPostStore store,
      AuthorKey device,
      long lastValidSeq,
      Map<Identity, Long> bytesDelta)
      throws RocksDBException {
    return new RevocationPurge(b, store, device, lastValidSeq).run(bytesDelta);
  }

  private int run(Map<Identity, Long> bytesDelta) throws RocksDBException {
    long head = store.contiguousHead(device);
    int purged = 0;
    for (long seq = lastValidSeq + 1; seq <= head; seq++) {
      LogEntry e =
          store
              .logEntry(device, seq)
              .orElseThrow(() -> new IllegalStateException("no entry below the held head"));
      remove(e, bytesDelta);
      purged++;
    }
    for (Tombstone t : tombstones.values()) {
      byte[] key = Keys.tombstone(t.target(), t.identity());
      if (!t.deletes().isEmpty()) {
        b.put(f.indexes(), key, Values.tombstone(t.deletes()));
      } else {
        b.delete(f.indexes(), key);
        missingAgain(t.target(), t.identity());
      }
    }
    return purged;
  }

  private void remove(LogEntry e, Map<Identity, Long> bytesDelta) throws RocksDBException {
    EntryHeader h = e.header();
    b.delete(f.entries(), Keys.entry(h.author(), h.seq()));
    EntryIndexer.delete(b, f, e);
    if (e.hasContent()) {
      b.delete(f.content(), Keys.content(h.contentHash(), e.id()));
      bytesDelta.merge(h.identity(), -h.contentSize(), Long::sum);
      EntryId target = e.content().map(EntryIndexer::deleteTarget).orElse(null);
      if (target != null) {
        byte[] key = Keys.tombstone(target, h.identity());
        tombstones
            .computeIfAbsent(
                ByteBuffer.wrap(key),
                k ->
                    new Tombstone(
                        target, h.identity(), Values.tombstone(store.read(f.indexes(), key))))
            .deletes()
            .remove(e.id());
      }
    } else {
      b.delete(f.indexes(), Keys.missing(h.identity(), h.contentHash(), e.id()));
    }
  }

  /** A held target that no held delete names any more: its dropped content is missing again. */
  private void missingAgain(EntryId target, Identity identity) throws RocksDBException {
    Optional<LogEntry> held = store.entryById(target);
    if (held.isEmpty() || held.get().hasContent()) {
      return;
    }
    EntryHeader t = held.get().header();
    boolean removedHere = t.author().equals(device) && t.seq() > lastValidSeq;
    if (removedHere || !EntryIndexer.deletable(t) || !t.identity().equals(identity)) {
      return;
    }
    b.put(f.indexes(), Keys.missing(identity, t.contentHash(), target), Values.missing(t));
  }
}
