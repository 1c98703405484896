package org.grapevine.node.storage;

import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;
import org.grapevine.protocol.entry.EntryHeader;
import org.grapevine.protocol.entry.EntryId;
import org.grapevine.protocol.entry.LogEntry;
import org.grapevine.protocol.entry.SignedEntry;
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
 * Every row written belongs to the revoking identity, as the store's rule for WAL-less writes needs
 * ({@link RocksPostStore}: one identity's rows per batch).
 */
final class RevocationPurge {
  /** One tombstone row as this purge leaves it. */
  private record Tombstone(EntryId target, Identity identity, SortedSet<EntryId> deletes) {}

  private final WriteBatch b;
  private final RocksPostStore store;
  private final ColumnFamilies f;
  private final Identity identity;
  private final AuthorKey device;
  private final long lastValidSeq;
  private final Map<ByteBuffer, Tombstone> tombstones = new LinkedHashMap<>();
  private long newHeadSeq;
  private long freedBytes;
  private RowCache.Head newHead = RowCache.Head.EMPTY;

  /**
   * A purge, written into {@code b}, of {@code identity}'s revoked {@code device}'s entries after
   * {@code lastValidSeq}.
   */
  RevocationPurge(
      WriteBatch b, RocksPostStore store, Identity identity, AuthorKey device, long lastValidSeq) {
    this.b = b;
    this.store = store;
    this.f = store.families();
    this.identity = identity;
    this.device = device;
    this.lastValidSeq = lastValidSeq;
  }

  /**
   * Writes the removal of every held entry of the device's log after the last valid seq, and its
   * new head row. Returns how many entries are removed; {@link #freedBytes} says how much content
   * went with them (all of it the revoking identity's, see {@link #cut}).
   */
  int write() throws RocksDBException {
    long head = store.contiguousHead(device);
    newHeadSeq = cut(head);
    for (long seq = newHeadSeq + 1; seq <= head; seq++) {
      remove(entryAt(seq));
    }
    if (newHeadSeq == head) {
      return 0;
    }
    if (newHeadSeq == 0) {
      b.delete(f.heads(), Keys.head(device));
    } else {
      SignedEntry last = entryAt(newHeadSeq).signed();
      b.put(f.heads(), Keys.head(device), Values.head(newHeadSeq, last.id()));
      newHead = new RowCache.Head(newHeadSeq, last.id(), last);
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
    return (int) (head - newHeadSeq);
  }

  /** The content bytes of the entries {@link #write} removed. */
  long freedBytes() {
    return freedBytes;
  }

  /** The device's head once {@link #write} is applied, for the store's row cache. */
  RowCache.Head newHead() {
    return newHead;
  }

  /**
   * The seq the log is cut back to: the last valid seq, or, above it, the last entry of another
   * identity. A device key that two identities delegated writes one log for both; an entry of the
   * other identity is not this revocation's to remove, and the log must stay contiguous, so the
   * purge takes only the suffix above it. (Pathological: nothing delegates one device twice.)
   */
  private long cut(long head) {
    for (long seq = head; seq > lastValidSeq; seq--) {
      if (!entryAt(seq).header().identity().equals(identity)) {
        return seq;
      }
    }
    return Math.min(head, lastValidSeq);
  }

  private LogEntry entryAt(long seq) {
    return store
        .logEntry(device, seq)
        .orElseThrow(() -> new IllegalStateException("no entry below the held head"));
  }

  private void remove(LogEntry e) throws RocksDBException {
    EntryHeader h = e.header();
    b.delete(f.entries(), Keys.entry(h.author(), h.seq()));
    EntryIndexer.delete(b, f, e);
    if (e.hasContent()) {
      b.delete(f.content(), Keys.content(h.contentHash(), e.id()));
      freedBytes += h.contentSize();
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
    boolean removedHere = t.author().equals(device) && t.seq() > newHeadSeq;
    if (removedHere || !EntryIndexer.deletable(t) || !t.identity().equals(identity)) {
      return;
    }
    b.put(f.indexes(), Keys.missing(identity, t.contentHash(), target), Values.missing(t));
  }
}
