package org.grapevine.node.storage;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.grapevine.node.storage.migrations.SchemaMigrator;
import org.grapevine.protocol.entry.ContentHash;
import org.grapevine.protocol.entry.EntryHeader;
import org.grapevine.protocol.entry.EntryId;
import org.grapevine.protocol.entry.LogEntry;
import org.grapevine.protocol.entry.SignedEntry;
import org.grapevine.protocol.identity.AuthorKey;
import org.grapevine.protocol.identity.Identity;
import org.grapevine.protocol.proto.Content;
import org.grapevine.protocol.validation.DeviceStatus;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.FlushOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * {@link PostStore} over RocksDB: column families and key layouts in {@link ColumnFamilies} and
 * {@link Keys}, value layouts in {@link Values}.
 *
 * <p>Rules:
 *
 * <ol>
 *   <li>Every write is one {@link WriteBatch}; a batch is all or nothing.
 *   <li>Writes are serialised on one lock, because a write reads what it updates (head, device row,
 *       byte count). Reads take no lock; each is a consistent point read or snapshot scan.
 *   <li>Own entries ({@code durable}) are synced to disk before {@link #apply} returns.
 *   <li>A store opened for a node's identity ({@link #open(Path, StoreConfig, Identity)}) writes
 *       the entries of every other identity without RocksDB's write-ahead log: that log was a
 *       quarter of an ingested entry's store cost ({@code IngestionHarness}), and such entries can
 *       be fetched again from peers. A killed process loses those written since the last flush of
 *       the memtables ({@link #persistUnlogged}, which the node calls periodically, and {@link
 *       #close}). What survives is a prefix of each identity's writes: every batch touches the rows
 *       of one identity only, the WAL-less ones never share a row with a logged one (the node's own
 *       identity is always logged), and flushes are atomic across the column families. Everything
 *       else (follows, mutes, metadata, fork evidence, peers, rebuilds) is logged as before.
 *   <li>The rows every ingested entry reads (heads with their entries, devices, byte counts, mutes)
 *       are also kept in a {@link RowCache}, which every write of them updates.
 * </ol>
 *
 * Thread-safe.
 */
public final class RocksPostStore implements PostStore {
  private static final int REBUILD_BATCH_ENTRIES = 1000;

  private final Path directory;
  private final StoreConfig config;
  private final RocksResources resources;
  private final RocksDB db;
  private final ColumnFamilies f;
  private final WriteOptions normal = new WriteOptions();
  private final WriteOptions sync = new WriteOptions().setSync(true);
  private final WriteOptions unlogged = new WriteOptions().setDisableWAL(true);

  /** Entries of this identity are logged; those of others are not. Null: everything is logged. */
  private final Identity logged;

  /** Whether a WAL-less write was made since the last memtable flush; under the write lock. */
  private boolean unpersisted;

  private final Object writeLock = new Object();

  /**
   * The batch of {@link #apply} and {@link #deleteContent}, cleared before each use under the write
   * lock.
   */
  private final WriteBatch batch = new WriteBatch();

  private final RowCache cache;
  private final AwaitedTargets awaited = new AwaitedTargets();
  private final LooseRows loose;
  private int peerCount;

  private RocksPostStore(
      Path directory, StoreConfig config, RocksResources resources, Identity logged) {
    this.directory = directory;
    this.logged = logged;
    this.config = config;
    this.resources = resources;
    this.db = resources.db();
    this.f = resources.families();
    this.cache = new RowCache(rowCacheCapacity(config));
    this.loose = new LooseRows(db, f);
  }

  /**
   * Rows kept by the {@link RowCache}: one per 2 KiB of block cache (8,192 by default: five rows
   * per followed identity for 1,600 identities; a head row with its entry takes about 800 bytes).
   */
  static int rowCacheCapacity(StoreConfig config) {
    return (int) Math.max(256, Math.min(1 << 16, config.blockCacheBytes() / 2048));
  }

  /** Opens the store in {@code directory}, creating it if missing, and migrates its schema. */
  public static RocksPostStore open(Path directory) {
    return open(directory, StoreConfig.DEFAULT);
  }

  /**
   * Opens (or creates) the store in {@code directory}.
   *
   * @throws IllegalStateException naming the directory if another process holds it, or if it was
   *     written by a newer version of Grapevine
   */
  public static RocksPostStore open(Path directory, StoreConfig config) {
    return open(directory, config, null);
  }

  /**
   * Opens (or creates) the store of a node whose identity is {@code own}: the entries of every
   * other identity are written without the write-ahead log (see the class comment).
   */
  public static RocksPostStore open(Path directory, StoreConfig config, Identity own) {
    RocksResources resources = RocksResources.open(directory, config);
    try {
      new SchemaMigrator(SchemaMigrator.ALL)
          .migrate(resources.db(), resources.families(), Keys.schemaVersion(), directory);
      RocksPostStore store = new RocksPostStore(directory, config, resources, own);
      store.peerCount =
          store.scan(store.f.local(), Keys.prefixOnly(KeyPrefix.PEER), (k, v) -> k).size();
      store.recomputeAwaited();
      return store;
    } catch (RocksDBException | RuntimeException e) {
      resources.close();
      throw e instanceof RuntimeException re
          ? re
          : storageFailure("open", directory, (RocksDBException) e);
    }
  }

  public Path directory() {
    return directory;
  }

  /** The schema version on disk. */
  public int schemaVersion() {
    byte[] v = get(f.meta(), Keys.schemaVersion());
    return v == null ? 0 : java.nio.ByteBuffer.wrap(v).getInt();
  }

  // ---- Logs ----

  @Override
  public Applied apply(LogEntry entry, boolean durable) {
    EntryHeader h = entry.header();
    synchronized (writeLock) {
      RowCache.Head head = head(h.author());
      if (h.seq() != head.seq() + 1) {
        throw new IllegalStateException(
            "apply of " + h.author() + "#" + h.seq() + " to a log whose head is " + head.seq());
      }
      if (h.seq() > 1 && !h.prev().equals(head.id())) {
        throw new IllegalStateException(
            "apply of " + h.author() + "#" + h.seq() + " whose prev is not the held head");
      }
      // A target that arrives after its delete (from another device of the identity, by sync)
      // keeps its place in the chain but never its content (issue 12).
      boolean deleted = awaited.mayBeAwaited(h.identity()) && deleted(h, entry.id());
      LogEntry stored = deleted ? entry.withoutContent() : entry;
      // The rows this entry changes elsewhere (a device row, a purged device's head, stored bytes)
      // reach the cache with its head, at once: a reader on another thread that sees one new
      // value sees all (DeletionSyncIT once read a revocation's head with the purged device's old
      // head; DeviceDelegationIT a delegated device with its root log's old head).
      RowCache.Write rows = new RowCache.Write();
      int purged;
      try {
        WriteBatch b = clearedBatch();
        purged = writeApply(b, stored, deleted, rows);
        rows.put(RowCache.head(h.author()), new RowCache.Head(h.seq(), entry.id(), entry.signed()));
        write(durable ? sync : writeOptions(h.identity()), b, rows);
      } catch (RocksDBException e) {
        throw storageFailure("apply", directory, e);
      }
      if (purged > 0) {
        awaited.add(h.identity()); // A purged entry may be the target of a delete still held.
      }
      return new Applied(deleted && entry.hasContent(), purged);
    }
  }

  /** The rows of {@link #apply} into {@code b}; returns the entries a revocation purged. */
  private int writeApply(WriteBatch b, LogEntry entry, boolean deleted, RowCache.Write rows)
      throws RocksDBException {
    EntryHeader h = entry.header();
    loose.chained(b, entry, this::withContent); // First: the rows below win over its deletes.
    b.put(f.entries(), Keys.entry(h.author(), h.seq()), Values.entry(entry.signed()));
    b.put(f.heads(), Keys.head(h.author()), Values.head(h.seq(), entry.id()));
    entry
        .contentBytes()
        .ifPresent(bytes -> put(b, f.content(), Keys.content(h.contentHash(), entry.id()), bytes));
    if (!entry.hasContent() && !deleted) {
      // No held delete names it: its content is missing, to be fetched (issue 12).
      b.put(
          f.indexes(), Keys.missing(h.identity(), h.contentHash(), entry.id()), Values.missing(h));
    }
    // Every byte count this batch changes is the entry's identity's: a delete names only its own
    // identity's entries, and a purge removes only the revoking identity's.
    long bytesDelta = entry.hasContent() ? h.contentSize() : 0;
    // A delete takes effect in the same batch: a crash never leaves it held with its target's
    // content still there (nothing would ever carry it out later).
    bytesDelta -= DeleteEffects.write(b, this, entry);
    int purged = 0;
    if (h.inRootLog() && entry.content().isPresent()) {
      DeviceStatus folded = foldDevice(b, h.identity(), entry.content().get(), rows);
      if (folded != null && folded.state() == DeviceStatus.State.REVOKED) {
        AuthorKey device = EntryIndexer.device(entry.content().get());
        RevocationPurge purge =
            new RevocationPurge(b, this, h.identity(), device, folded.lastValidSeq());
        purged = purge.write();
        loose.purge(b, device, folded.lastValidSeq(), this::withContent);
        if (purged > 0) {
          rows.put(RowCache.head(device), purge.newHead());
          bytesDelta -= purge.freedBytes();
        }
      }
    }
    if (bytesDelta != 0) {
      addStoredBytes(b, h.identity(), bytesDelta, rows);
    }
    EntryIndexer.put(b, f, entry);
    return purged;
  }

  /**
   * Writes {@code b}, its cached {@code rows} hidden from readers until it landed and then put at
   * once ({@link RowCache.Write}); on a failure they stay out of the cache.
   */
  private void write(WriteOptions options, WriteBatch b, RowCache.Write rows)
      throws RocksDBException {
    cache.begin(rows);
    boolean landed = false;
    try {
      db.write(options, b);
      landed = true;
    } finally {
      if (landed) {
        cache.end(rows);
      } else {
        cache.abort(rows);
      }
    }
  }

  /** The options of a batch that writes {@code identity}'s rows (see the class comment). */
  private WriteOptions writeOptions(Identity identity) {
    if (logged == null || logged.equals(identity)) {
      return normal;
    }
    unpersisted = true;
    return unlogged;
  }

  /**
   * Flushes the memtables if a write since the last flush skipped the write-ahead log, so that a
   * crash after this loses none of it. Waits for the flush.
   */
  public void persistUnlogged() {
    synchronized (writeLock) {
      if (!unpersisted) {
        return;
      }
      try (FlushOptions options = new FlushOptions().setWaitForFlush(true)) {
        db.flush(options, f.all());
        unpersisted = false;
      } catch (RocksDBException e) {
        throw storageFailure("flush", directory, e);
      }
    }
  }

  private WriteBatch clearedBatch() {
    batch.clear();
    return batch;
  }

  @Override
  public boolean deleted(LogEntry e) {
    return deleted(e.header(), e.id());
  }

  private boolean deleted(EntryHeader h, EntryId id) {
    return EntryIndexer.deletable(h) && get(f.indexes(), Keys.tombstone(id, h.identity())) != null;
  }

  /**
   * Folds a root-log content into its device row in {@code b}; the cache learns it from {@code
   * rows}. Returns the folded status, or null when the content names no device.
   */
  private DeviceStatus foldDevice(WriteBatch b, Identity identity, Content c, RowCache.Write rows) {
    AuthorKey device = EntryIndexer.device(c);
    if (device == null) {
      return null;
    }
    DeviceStatus next = EntryIndexer.foldDevice(deviceStatus(identity, device), c);
    put(b, f.devices(), Keys.device(identity, device), Values.device(next));
    rows.put(RowCache.device(identity, device), next);
    return next;
  }

  /**
   * Adds {@code delta} to the identity's byte count in {@code b}; the cache learns it from {@code
   * rows}.
   */
  private void addStoredBytes(WriteBatch b, Identity identity, long delta, RowCache.Write rows) {
    byte[] key = Keys.storedBytes(identity);
    long total = storedBytes(identity) + delta;
    if (total == 0) {
      // No row for zero, as a rebuild writes none for an identity without content.
      delete(b, f.indexes(), key);
    } else {
      put(b, f.indexes(), key, Values.longValue(total));
    }
    rows.put(RowCache.storedBytes(identity), total);
  }

  @Override
  public long contiguousHead(AuthorKey author) {
    return head(author).seq();
  }

  private RowCache.Head head(AuthorKey author) {
    return cached(
        RowCache.head(author),
        () -> {
          byte[] v = get(f.heads(), Keys.head(author));
          return v == null
              ? RowCache.Head.EMPTY
              : new RowCache.Head(Values.headSeq(v), Values.headId(v), null);
        });
  }

  /** The cached row, or else what {@code read} reads from the store, offered to the cache. */
  private <V> V cached(RowCache.Key<V> key, java.util.function.Supplier<V> read) {
    V value = cache.get(key);
    if (value == null) {
      long generation = cache.generation();
      value = read.get();
      cache.fill(key, value, generation);
    }
    return value;
  }

  @Override
  public Optional<SignedEntry> entry(AuthorKey author, long seq) {
    RowCache.Head head = cache.get(RowCache.head(author));
    // Only a head this store appended answers for the seqs above it: apply appends at head + 1
    // only, so nothing is held there. A head read from disk may be a damaged row (rebuilt by
    // rebuildIndexes), so the entries are read.
    if (head != null && head.entry() != null) {
      if (seq > head.seq()) {
        return Optional.empty();
      }
      if (seq == head.seq()) {
        return Optional.of(head.entry());
      }
    }
    byte[] v = get(f.entries(), Keys.entry(author, seq));
    return v == null ? Optional.empty() : Optional.of(Values.entry(v));
  }

  @Override
  public Optional<LogEntry> logEntry(AuthorKey author, long seq) {
    return entry(author, seq).map(this::withContent);
  }

  private LogEntry withContent(SignedEntry signed) {
    byte[] bytes = get(f.content(), Keys.content(signed.header().contentHash(), signed.id()));
    return LogEntry.of(
        signed, bytes, bytes == null ? null : Values.content(signed.header(), bytes));
  }

  @Override
  public Optional<LogEntry> entryById(EntryId id) {
    byte[] location = get(f.indexes(), Keys.entryById(id));
    return location == null ? Optional.empty() : atLocation(location);
  }

  /** The entry an index row points at: in its author's chain, or else a loose one. */
  private Optional<LogEntry> atLocation(byte[] location) {
    AuthorKey author = Values.locationAuthor(location);
    long seq = Values.locationSeq(location);
    Optional<LogEntry> chained = logEntry(author, seq);
    return chained.isPresent() ? chained : loose.read(author, seq).map(this::withContent);
  }

  @Override
  public boolean applyLoose(LogEntry entry) {
    EntryHeader h = entry.header();
    if (!entry.hasContent() || h.inRootLog()) {
      throw new IllegalArgumentException("a loose entry is a device-log entry with its content");
    }
    synchronized (writeLock) {
      if (h.seq() <= contiguousHead(h.author())
          || get(f.indexes(), Keys.entryById(entry.id())) != null
          || loose.read(h.author(), h.seq()).isPresent()) {
        return false;
      }
      try {
        WriteBatch b = clearedBatch();
        loose.put(b, entry);
        db.write(writeOptions(h.identity()), b);
      } catch (RocksDBException e) {
        throw storageFailure("applyLoose", directory, e);
      }
      loose.written(entry);
      return true;
    }
  }

  @Override
  public long looseBytes() {
    return loose.bytes();
  }

  @Override
  public List<LogEntry> evictLoose(long targetBytes) {
    synchronized (writeLock) {
      if (loose.bytes() <= targetBytes) {
        return List.of();
      }
      try {
        WriteBatch b = clearedBatch();
        List<LogEntry> removed = loose.evict(b, targetBytes, this::withContent);
        db.write(writeOptions(null), b);
        return removed;
      } catch (RocksDBException e) {
        throw storageFailure("evictLoose", directory, e);
      }
    }
  }

  @Override
  public List<LogEntry> looseEntries() {
    List<LogEntry> out = new ArrayList<>();
    for (SignedEntry s : loose.all()) {
      out.add(withContent(s));
    }
    return out;
  }

  @Override
  public DeviceStatus deviceStatus(Identity identity, AuthorKey device) {
    return cached(
        RowCache.device(identity, device),
        () -> Values.device(get(f.devices(), Keys.device(identity, device))));
  }

  @Override
  public java.util.SortedMap<AuthorKey, DeviceStatus> devices(Identity identity) {
    java.util.SortedMap<AuthorKey, DeviceStatus> out = new java.util.TreeMap<>();
    byte[] prefix = Keys.devicePrefix(identity);
    for (java.util.Map.Entry<AuthorKey, DeviceStatus> e :
        scan(
            f.devices(),
            prefix,
            (k, v) ->
                java.util.Map.entry(
                    AuthorKey.of(java.util.Arrays.copyOfRange(k, prefix.length, k.length)),
                    Values.device(v)))) {
      out.put(e.getKey(), e.getValue());
    }
    return out;
  }

  @Override
  public boolean deleteContent(EntryId target) {
    synchronized (writeLock) {
      Optional<LogEntry> held = entryById(target);
      if (held.isEmpty() || !held.get().hasContent()) {
        return false;
      }
      EntryHeader h = held.get().header();
      if (h.inRootLog()) {
        throw new IllegalArgumentException(
            "root-log entry " + target + " defines devices; its content cannot be deleted");
      }
      RowCache.Write rows = new RowCache.Write();
      try {
        WriteBatch b = clearedBatch();
        b.delete(f.content(), Keys.content(h.contentHash(), target));
        EntryIndexer.deleteContentRows(b, f, held.get());
        addStoredBytes(b, h.identity(), -h.contentSize(), rows);
        write(writeOptions(h.identity()), b, rows);
      } catch (RocksDBException e) {
        throw storageFailure("deleteContent", directory, e);
      }
      return true;
    }
  }

  @Override
  public boolean contentMissing(LogEntry e) {
    return missingRowHeld(e.header(), e.id());
  }

  private boolean missingRowHeld(EntryHeader h, EntryId id) {
    return get(f.indexes(), Keys.missing(h.identity(), h.contentHash(), id)) != null;
  }

  @Override
  public List<MissingContent> missingContent(Identity identity, int max) {
    List<MissingContent> out = new ArrayList<>();
    byte[] prefix = Keys.missingPrefix(identity);
    try (RocksIterator it = db.newIterator(f.indexes())) {
      for (it.seek(prefix);
          it.isValid() && startsWith(it.key(), prefix) && out.size() < max;
          it.next()) {
        out.add(Values.missing(it.key(), it.value()));
      }
    }
    return out;
  }

  @Override
  public List<MissingContent> missingContent(Identity identity, ContentHash hash) {
    return scan(f.indexes(), Keys.missingPrefix(identity, hash), Values::missing);
  }

  @Override
  public Optional<byte[]> contentByHash(ContentHash hash) {
    byte[] prefix = Keys.contentPrefix(hash);
    try (RocksIterator it = db.newIterator(f.content())) {
      it.seek(prefix);
      return it.isValid() && startsWith(it.key(), prefix)
          ? Optional.of(it.value())
          : Optional.empty();
    }
  }

  @Override
  public boolean fillContent(LogEntry full) {
    if (!full.hasContent()) {
      throw new IllegalArgumentException("filling " + full.id() + " without content");
    }
    EntryHeader h = full.header();
    synchronized (writeLock) {
      Optional<SignedEntry> held = entry(h.author(), h.seq());
      if (held.isEmpty() || !held.get().id().equals(full.id()) || !missingRowHeld(h, full.id())) {
        return false;
      }
      RowCache.Write rows = new RowCache.Write();
      try {
        WriteBatch b = clearedBatch();
        put(b, f.content(), Keys.content(h.contentHash(), full.id()), full.contentBytes().get());
        b.delete(f.indexes(), Keys.missing(h.identity(), h.contentHash(), full.id()));
        addStoredBytes(b, h.identity(), h.contentSize() - DeleteEffects.write(b, this, full), rows);
        EntryIndexer.putContentRows(b, f, full);
        write(writeOptions(h.identity()), b, rows);
      } catch (RocksDBException e) {
        throw storageFailure("fillContent", directory, e);
      }
      return true;
    }
  }

  @Override
  public void recordFork(SignedEntry held, SignedEntry incoming) {
    EntryHeader h = incoming.header();
    byte[] key = Keys.fork(h.identity(), h.author(), h.seq(), incoming.id());
    synchronized (writeLock) {
      putNow(f.entries(), key, Values.fork(held, incoming), sync);
    }
  }

  @Override
  public List<ForkEvidence> forks(Identity identity) {
    return scan(f.entries(), Keys.forkPrefix(identity), (k, v) -> Values.fork(v));
  }

  @Override
  public Set<Identity> forkedIdentities() {
    Set<Identity> out = new java.util.TreeSet<>();
    for (byte[] root : scan(f.entries(), Keys.allForks(), (k, v) -> Keys.forkIdentityRoot(k))) {
      out.add(Identity.of(root));
    }
    return out;
  }

  // ---- Indexes ----

  @Override
  public List<LogEntry> timeline(Set<Identity> identities, TimelineCursor before, int limit) {
    List<byte[]> locations = TimelineQuery.run(db, f.indexes(), identities, before, limit);
    List<LogEntry> out = new ArrayList<>(locations.size());
    for (byte[] location : locations) {
      atLocation(location).ifPresent(out::add);
    }
    return out;
  }

  @Override
  public List<LogEntry> addressedTo(Identity who, TimelineCursor before, int limit) {
    List<byte[]> locations =
        TimelineQuery.run(db, f.indexes(), KeyPrefix.NOTIFY, Set.of(who), before, limit);
    List<LogEntry> out = new ArrayList<>(locations.size());
    for (byte[] location : locations) {
      atLocation(location).ifPresent(out::add);
    }
    return out;
  }

  @Override
  public List<LogEntry> replies(EntryId parent) {
    return entriesAt(scan(f.indexes(), Keys.replyPrefix(parent), (k, v) -> v));
  }

  @Override
  public List<LogEntry> reactions(EntryId target) {
    return entriesAt(scan(f.indexes(), Keys.reactionPrefix(target), (k, v) -> v));
  }

  @Override
  public EntryCounts counts(EntryId id, Set<AuthorKey> except) {
    return KeyScans.counts(db, f, id, except);
  }

  private List<LogEntry> entriesAt(List<byte[]> locations) {
    List<LogEntry> out = new ArrayList<>(locations.size());
    for (byte[] location : locations) {
      atLocation(location).ifPresent(out::add);
    }
    return out;
  }

  @Override
  public List<EntryId> entryIdsWithPrefix(String hexPrefix, int max) {
    return KeyScans.entryIdsWithPrefix(db, f, hexPrefix, max);
  }

  @Override
  public Set<Identity> identities() {
    return KeyScans.identities(db, f);
  }

  @Override
  public long storedBytes(Identity identity) {
    return cached(
        RowCache.storedBytes(identity),
        () -> Values.longValue(get(f.indexes(), Keys.storedBytes(identity))));
  }

  // ---- Local state ----

  @Override
  public void follow(Identity identity) {
    putNow(f.local(), Keys.follow(identity), new byte[0], sync);
  }

  @Override
  public void unfollow(Identity identity) {
    deleteNow(f.local(), Keys.follow(identity));
  }

  @Override
  public Set<Identity> follows() {
    return new TreeSet<>(
        scan(f.local(), Keys.prefixOnly(KeyPrefix.FOLLOW), (k, v) -> identityAfterPrefix(k)));
  }

  @Override
  public void mute(Identity identity) {
    synchronized (writeLock) {
      putNow(f.local(), Keys.mute(identity), new byte[0], sync);
      cache.put(RowCache.muted(identity), true);
    }
  }

  @Override
  public void unmute(Identity identity) {
    synchronized (writeLock) {
      deleteNow(f.local(), Keys.mute(identity));
      cache.put(RowCache.muted(identity), false);
    }
  }

  @Override
  public boolean isMuted(Identity identity) {
    return cached(RowCache.muted(identity), () -> get(f.local(), Keys.mute(identity)) != null);
  }

  @Override
  public Set<Identity> mutes() {
    return new TreeSet<>(
        scan(f.local(), Keys.prefixOnly(KeyPrefix.MUTE), (k, v) -> identityAfterPrefix(k)));
  }

  @Override
  public void block(Identity identity) {
    synchronized (writeLock) {
      putNow(f.local(), Keys.block(identity), new byte[0], sync);
      cache.put(RowCache.blocked(identity), true);
    }
  }

  @Override
  public void unblock(Identity identity) {
    synchronized (writeLock) {
      deleteNow(f.local(), Keys.block(identity));
      cache.put(RowCache.blocked(identity), false);
    }
  }

  @Override
  public boolean isBlocked(Identity identity) {
    return cached(RowCache.blocked(identity), () -> get(f.local(), Keys.block(identity)) != null);
  }

  @Override
  public Set<Identity> blocks() {
    return new TreeSet<>(
        scan(f.local(), Keys.prefixOnly(KeyPrefix.BLOCK), (k, v) -> identityAfterPrefix(k)));
  }

  private static Identity identityAfterPrefix(byte[] key) {
    return Identity.of(Arrays.copyOfRange(key, 1, 1 + Keys.KEY_BYTES));
  }

  @Override
  public boolean putPeer(String peerId, String addresses) {
    byte[] key = Keys.peer(peerId);
    synchronized (writeLock) {
      boolean known = get(f.local(), key) != null;
      if (!known && peerCount >= config.maxPeers()) {
        return false;
      }
      putNow(f.local(), key, addresses.getBytes(StandardCharsets.UTF_8), normal);
      if (!known) {
        peerCount++;
      }
      return true;
    }
  }

  @Override
  public void removePeer(String peerId) {
    byte[] key = Keys.peer(peerId);
    synchronized (writeLock) {
      if (get(f.local(), key) != null) {
        deleteNow(f.local(), key);
        peerCount--;
      }
    }
  }

  @Override
  public Map<String, String> peers() {
    Map<String, String> out = new LinkedHashMap<>();
    scan(
        f.local(),
        Keys.prefixOnly(KeyPrefix.PEER),
        (k, v) ->
            out.put(
                new String(k, 1, k.length - 1, StandardCharsets.UTF_8),
                new String(v, StandardCharsets.UTF_8)));
    return out;
  }

  @Override
  public void putMetadata(String name, byte[] value) {
    putNow(f.meta(), Keys.metadata(name), value.clone(), sync);
  }

  @Override
  public Optional<byte[]> metadata(String name) {
    return Optional.ofNullable(get(f.meta(), Keys.metadata(name)));
  }

  // ---- Rebuild ----

  @Override
  public void rebuildIndexes() {
    synchronized (writeLock) {
      // The rebuild is logged and reads WAL-less rows: they must be on disk before a logged row
      // derived from them, or a crash could replay that row without them.
      persistUnlogged();
      try {
        new IndexRebuilder(db, f, normal, REBUILD_BATCH_ENTRIES, this::withContent).run();
      } catch (RocksDBException e) {
        throw storageFailure("rebuildIndexes", directory, e);
      } finally {
        cache.clear();
        recomputeAwaited();
      }
    }
  }

  private void recomputeAwaited() {
    awaited.recompute(db, f, id -> get(f.indexes(), Keys.entryById(id)) != null);
  }

  /** Called by {@link DeleteEffects} for a delete applied without its target. */
  void awaitTarget(Identity identity) {
    awaited.add(identity);
  }

  /**
   * Recomputes every derived family of an open database, outside a store: for a schema migration
   * that adds a derived record ({@code M002_MissingContent}). Nothing else may write meanwhile.
   */
  public static void rebuildDerived(RocksDB db, ColumnFamilies f) throws RocksDBException {
    IndexRebuilder.rebuildOutsideStore(db, f, REBUILD_BATCH_ENTRIES);
  }

  /** Every row of a column family as "key=value" hex lines, in key order: for tests. */
  List<String> dump(ColumnFamilyHandle family) {
    java.util.HexFormat hex = java.util.HexFormat.of();
    return scan(family, new byte[0], (k, v) -> hex.formatHex(k) + "=" + hex.formatHex(v));
  }

  /** Deletes one row outside every rule of the store: for tests that damage indexes. */
  void rawDelete(ColumnFamilyHandle family, byte[] key) {
    synchronized (writeLock) {
      deleteNow(family, key);
      cache.clear();
    }
  }

  ColumnFamilies families() {
    return f;
  }

  @Override
  public void close() {
    synchronized (writeLock) {
      persistUnlogged();
      batch.close();
      unlogged.close();
      normal.close();
      sync.close();
      resources.close();
    }
  }

  // ---- RocksDB helpers ----

  /**
   * A point read for the store's write helpers ({@link DeleteEffects}, {@link RevocationPurge}).
   */
  byte[] read(ColumnFamilyHandle family, byte[] key) {
    return get(family, key);
  }

  private byte[] get(ColumnFamilyHandle family, byte[] key) {
    try {
      return db.get(family, key);
    } catch (RocksDBException e) {
      throw storageFailure("get", directory, e);
    }
  }

  private static void put(WriteBatch b, ColumnFamilyHandle family, byte[] key, byte[] value) {
    try {
      b.put(family, key, value);
    } catch (RocksDBException e) {
      throw new IllegalStateException("write batch put failed: " + e.getMessage(), e);
    }
  }

  private static void delete(WriteBatch b, ColumnFamilyHandle family, byte[] key) {
    try {
      b.delete(family, key);
    } catch (RocksDBException e) {
      throw new IllegalStateException("write batch delete failed: " + e.getMessage(), e);
    }
  }

  private void putNow(ColumnFamilyHandle family, byte[] key, byte[] value, WriteOptions options) {
    try {
      db.put(family, options, key, value);
    } catch (RocksDBException e) {
      throw storageFailure("put", directory, e);
    }
  }

  private void deleteNow(ColumnFamilyHandle family, byte[] key) {
    try {
      db.delete(family, sync, key);
    } catch (RocksDBException e) {
      throw storageFailure("delete", directory, e);
    }
  }

  /** Rows whose key starts with {@code prefix}, in key order, mapped by {@code row}. */
  private <T> List<T> scan(
      ColumnFamilyHandle family,
      byte[] prefix,
      java.util.function.BiFunction<byte[], byte[], T> row) {
    List<T> out = new ArrayList<>();
    try (RocksIterator it = db.newIterator(family)) {
      for (it.seek(prefix); it.isValid() && startsWith(it.key(), prefix); it.next()) {
        out.add(row.apply(it.key(), it.value()));
      }
    }
    return out;
  }

  static boolean startsWith(byte[] key, byte[] prefix) {
    return key.length >= prefix.length
        && Arrays.equals(key, 0, prefix.length, prefix, 0, prefix.length);
  }

  static IllegalStateException storageFailure(
      String operation, Path directory, RocksDBException e) {
    return new IllegalStateException(
        "store " + operation + " failed in " + directory + ": " + e.getMessage(), e);
  }
}
