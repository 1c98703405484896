package org.grapevine.node.storage;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.grapevine.protocol.entry.EntryHeader;
import org.grapevine.protocol.entry.LogEntry;
import org.grapevine.protocol.entry.SignedEntry;
import org.grapevine.protocol.identity.AuthorKey;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;

/**
 * The loose entries of {@link RocksPostStore} (issue 15): addressed entries of identities whose
 * logs this node does not hold, kept outside the chains ({@link KeyPrefix#LOOSE} rows, laid out as
 * entry rows) with their content and the rows {@link EntryIndexer} derives from them, so that
 * threads, counts and lookups by id see them while the chain rules and sync do not.
 *
 * <p>Rules:
 *
 * <ol>
 *   <li>A loose entry is stored only if no entry with its id is held and its author's chain does
 *       not reach its seq (the caller checks, under the store's write lock).
 *   <li>When the chain reaches it ({@link #chained}, at the start of the batch of that apply), the
 *       loose row goes with its content and index rows; the apply then writes what the chained
 *       entry has (later writes of a batch win). So a chained entry stored without its content (a
 *       delete of it is held, or its identity is at its quota) does not keep the loose content, and
 *       another entry at that place (the device forked) does not inherit the loose entry's rows,
 *       which name the place, not the id.
 *   <li>A revocation removes the revoked device's loose entries after its last valid seq with the
 *       chained ones ({@link #purge}).
 * </ol>
 *
 * Which authors have loose rows is kept in memory (loaded at open), so an apply of an author
 * without any costs no read.
 */
final class LooseRows {
  private final RocksDB db;
  private final ColumnFamilies f;
  private final Set<AuthorKey> authors = ConcurrentHashMap.newKeySet();

  /** {@link PostStore#looseBytes}: counted at open, then kept as rows are put and removed. */
  private final AtomicLong bytes = new AtomicLong();

  LooseRows(RocksDB db, ColumnFamilies f) {
    this.db = db;
    this.f = f;
    byte[] prefix = Keys.prefixOnly(KeyPrefix.LOOSE);
    try (RocksIterator it = db.newIterator(f.entries())) {
      for (it.seek(prefix);
          it.isValid() && RocksPostStore.startsWith(it.key(), prefix);
          it.next()) {
        SignedEntry s = Values.entry(it.value());
        authors.add(s.header().author());
        bytes.addAndGet(PostStore.looseSize(s));
      }
    }
  }

  /** The loose entry at this place, without its content; empty if none. */
  Optional<SignedEntry> read(AuthorKey author, long seq) {
    if (!authors.contains(author)) {
      return Optional.empty();
    }
    byte[] v = get(Keys.loose(author, seq));
    return v == null ? Optional.empty() : Optional.of(Values.entry(v));
  }

  /** Writes {@code e} (with its content) as a loose entry into {@code b}, and its index rows. */
  void put(WriteBatch b, LogEntry e) throws RocksDBException {
    EntryHeader h = e.header();
    b.put(f.entries(), Keys.loose(h.author(), h.seq()), Values.entry(e.signed()));
    byte[] content = e.contentBytes().orElseThrow();
    b.put(f.content(), Keys.content(h.contentHash(), e.id()), content);
    EntryIndexer.put(b, f, e);
  }

  /** After the batch of {@link #put} is written. */
  void written(LogEntry e) {
    authors.add(e.header().author());
    bytes.addAndGet(PostStore.looseSize(e.signed()));
  }

  long bytes() {
    return bytes.get();
  }

  /**
   * Into {@code b}: removes the oldest loose entries ({@link LooseOrder}) until at most {@code
   * targetBytes} remain; returns them with their content. The count drops at once: a failed write
   * fails the store.
   */
  List<LogEntry> evict(
      WriteBatch b,
      long targetBytes,
      java.util.function.Function<SignedEntry, LogEntry> withContent)
      throws RocksDBException {
    List<LogEntry> removed = new ArrayList<>();
    if (bytes.get() <= targetBytes) {
      return removed;
    }
    List<SignedEntry> oldestFirst = all();
    oldestFirst.sort(LooseOrder.OLDEST_FIRST);
    for (SignedEntry s : oldestFirst) {
      if (bytes.get() <= targetBytes) {
        break;
      }
      LogEntry e = withContent.apply(s);
      b.delete(f.entries(), Keys.loose(s.header().author(), s.header().seq()));
      remove(b, e);
      removed.add(e);
    }
    return removed;
  }

  /**
   * Into the batch that chains {@code chained}, before its own rows: drops the loose entry at its
   * place with its content and rows. {@code withContent} reads a loose entry's content.
   */
  void chained(
      WriteBatch b,
      LogEntry chained,
      java.util.function.Function<SignedEntry, LogEntry> withContent)
      throws RocksDBException {
    EntryHeader h = chained.header();
    Optional<SignedEntry> loose = read(h.author(), h.seq());
    if (loose.isEmpty()) {
      return;
    }
    b.delete(f.entries(), Keys.loose(h.author(), h.seq()));
    remove(b, withContent.apply(loose.get()));
  }

  /**
   * Into {@code b}: removes the device's loose entries after {@code lastValidSeq} with their
   * content and rows.
   */
  void purge(
      WriteBatch b,
      AuthorKey device,
      long lastValidSeq,
      java.util.function.Function<SignedEntry, LogEntry> withContent)
      throws RocksDBException {
    if (!authors.contains(device)) {
      return;
    }
    for (SignedEntry s : of(device)) {
      if (s.header().seq() > lastValidSeq) {
        b.delete(f.entries(), Keys.loose(device, s.header().seq()));
        remove(b, withContent.apply(s));
      }
    }
  }

  /** Every loose entry of {@code author}, in seq order. */
  List<SignedEntry> of(AuthorKey author) {
    List<SignedEntry> out = new ArrayList<>();
    byte[] prefix = Keys.loosePrefix(author);
    try (RocksIterator it = db.newIterator(f.entries())) {
      for (it.seek(prefix);
          it.isValid() && RocksPostStore.startsWith(it.key(), prefix);
          it.next()) {
        out.add(Values.entry(it.value()));
      }
    }
    return out;
  }

  /** Every loose entry held, in (author, seq) order: for a rebuild and for counting. */
  List<SignedEntry> all() {
    List<SignedEntry> out = new ArrayList<>();
    for (AuthorKey a : new java.util.TreeSet<>(authors)) {
      out.addAll(of(a));
    }
    return out;
  }

  private void remove(WriteBatch b, LogEntry e) throws RocksDBException {
    bytes.addAndGet(-PostStore.looseSize(e.signed()));
    b.delete(f.content(), Keys.content(e.header().contentHash(), e.id()));
    EntryIndexer.delete(b, f, e);
  }

  private byte[] get(byte[] key) {
    try {
      return db.get(f.entries(), key);
    } catch (RocksDBException e) {
      throw new IllegalStateException("store read of a loose entry failed: " + e.getMessage(), e);
    }
  }
}
