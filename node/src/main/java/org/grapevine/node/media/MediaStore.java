package org.grapevine.node.media;

import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.grapevine.libp2p.bitswap.BlockSource;
import org.grapevine.libp2p.bitswap.Cid;
import org.grapevine.protocol.entry.EntryId;
import org.grapevine.protocol.identity.Identity;
import org.rocksdb.InfoLogLevel;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * Media blocks by hash (issue 18), kept apart from the entry store: block files under {@code
 * <dir>/blocks} ({@link BlockFiles}) and a small RocksDB index under {@code <dir>/index} ({@link
 * MediaKeys}) of which entries refer to which files, each author's bytes and the totals, so a
 * restart keeps all of it.
 *
 * <p>Rules:
 *
 * <ol>
 *   <li>A file is kept while an entry refers to it ({@link #addReference}); blocks are taken only
 *       for referenced files ({@link #putBlock} refuses others as UNWANTED), so a peer cannot push
 *       us blocks nobody asked for.
 *   <li>When the last reference goes ({@link #removeReferences}), the file's blocks go too, except
 *       blocks another referenced file still contains: a shared block is stored and counted once.
 *   <li>Budgets ({@link MediaBudgets}) refuse a peer's new reference, never our own user's, and
 *       count on declared sizes, checked when the blocks arrive (a root or raw block of another
 *       size is refused as SIZE_MISMATCH).
 *   <li>Crash order: a block file is written (fsync, rename) before its index row; index rows are
 *       deleted before their files. At open, files no index row names are deleted ({@link
 *       MediaUsage#sweptFiles}). Index writes go through the WAL without sync: losing the last ones
 *       in a power cut loses at most rows that a sweep and a refetch restore.
 * </ol>
 *
 * <p>Why files and not RocksDB's BlobDB ({@code MediaBlocksBench}, 2 cores, same disk, last of 2
 * rounds): 50 x 1 MiB written in 118 ms with fsync (2.3 ms a block) and read in 25 ms, against 171
 * ms (WAL, no sync) or 338 ms (sync) written and 63 ms read for BlobDB; 1,000 x 20 KiB in 675 ms
 * with fsync (BlobDB 72 ms without sync, 530 ms with) and read in 23 ms (BlobDB 28 ms). Most bytes
 * are large blocks, served to peers whole: files read 2.5 times faster, and a deleted file frees
 * its disk at once where BlobDB waits for blob garbage collection during compaction. BlobDB writes
 * many small blocks faster only by not syncing them.
 *
 * <p>Thread-safe: every method is synchronized (Bitswap's core calls {@link #has} and {@link #get}
 * from its thread, the node from others; calls are short, a block read at most).
 */
public final class MediaStore implements BlockSource, AutoCloseable {
  static {
    RocksDB.loadLibrary();
  }

  private final MediaBudgets budgets;
  private final BlockFiles files;
  private final Options options;
  private final WriteOptions writeOptions;
  private final RocksDB index;
  private final Map<PutOutcome, Long> puts = new EnumMap<>(PutOutcome.class);
  private final Map<ReferenceOutcome, Long> references = new EnumMap<>(ReferenceOutcome.class);
  private final long sweptFiles;
  private long referencedBytes;
  private long storedBytes;
  private long storedBlocks;

  private MediaStore(Path dir, MediaBudgets budgets) throws RocksDBException {
    this.budgets = budgets;
    this.files = new BlockFiles(dir.resolve("blocks"));
    // A small index (a few rows per file): small memtables, RocksDB's log at warnings only.
    this.options =
        new Options()
            .setCreateIfMissing(true)
            .setWriteBufferSize(4L << 20)
            .setMaxWriteBufferNumber(2)
            .setKeepLogFileNum(2)
            .setInfoLogLevel(InfoLogLevel.WARN_LEVEL);
    this.writeOptions = new WriteOptions();
    RocksDB db;
    try {
      db = RocksDB.open(options, dir.resolve("index").toString());
    } catch (RocksDBException e) {
      writeOptions.close();
      options.close();
      throw e;
    }
    this.index = db;
    byte[] totals = db.get(MediaKeys.totals());
    if (totals != null) {
      ByteBuffer b = ByteBuffer.wrap(totals);
      referencedBytes = b.getLong();
      storedBytes = b.getLong();
      storedBlocks = b.getLong();
    }
    this.sweptFiles = sweep();
  }

  /** Opens (or creates) the store in {@code dir}, the node's {@code <data>/media}. */
  public static MediaStore open(Path dir, MediaBudgets budgets) {
    try {
      Files.createDirectories(dir);
      return new MediaStore(dir, budgets);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the media directory " + dir, e);
    } catch (RocksDBException e) {
      throw new IllegalStateException("cannot open the media index in " + dir, e);
    }
  }

  /**
   * Records that {@code entry}, by {@code author}, attaches the file {@code root} of {@code
   * fileBytes} (as the attachment declares it). Budgets apply to {@link MediaOrigin#PEER} only.
   */
  public synchronized ReferenceOutcome addReference(
      EntryId entry, Identity author, Cid root, long fileBytes, MediaOrigin origin) {
    return count(references, reference(entry, author, root, fileBytes, origin));
  }

  private ReferenceOutcome reference(
      EntryId entry, Identity author, Cid root, long fileBytes, MediaOrigin origin) {
    checkStored(root);
    byte[] who = author.root().unsafeBytes();
    if (fileBytes < 0
        || fileBytes > UnixFsFile.MAX_FILE_BYTES
        || (root.codec() == Cid.RAW && fileBytes > UnixFsFile.LEAF_BYTES)) {
      return ReferenceOutcome.REFUSED_BAD_SIZE;
    }
    if (get(MediaKeys.refByRoot(root, entry)) != null) {
      return ReferenceOutcome.DUPLICATE;
    }
    byte[] declared = get(MediaKeys.root(root));
    if (declared != null && ByteBuffer.wrap(declared).getLong() != fileBytes) {
      return ReferenceOutcome.REFUSED_BAD_SIZE;
    }
    byte[] held = root.codec() == Cid.RAW ? get(MediaKeys.held(root)) : null;
    if (held != null && ByteBuffer.wrap(held).getInt() != fileBytes) {
      return ReferenceOutcome.REFUSED_BAD_SIZE; // held already, as a leaf of another file
    }
    byte[] authorRoot = get(MediaKeys.authorRoot(who, root));
    long authorBytes = longAt(get(MediaKeys.authorBytes(who)));
    if (origin == MediaOrigin.PEER) {
      if (authorRoot == null && authorBytes + fileBytes > budgets.perAuthorBytes()) {
        return ReferenceOutcome.REFUSED_AUTHOR_QUOTA;
      }
      if (declared == null && referencedBytes + fileBytes > budgets.totalBytes()) {
        return ReferenceOutcome.REFUSED_TOTAL_BUDGET;
      }
    }
    try (WriteBatch batch = new WriteBatch()) {
      batch.put(MediaKeys.refByRoot(root, entry), who);
      batch.put(MediaKeys.refByEntry(entry, root), who);
      int count = authorRoot == null ? 0 : ByteBuffer.wrap(authorRoot).getInt();
      batch.put(MediaKeys.authorRoot(who, root), ByteBuffer.allocate(4).putInt(count + 1).array());
      if (authorRoot == null) {
        batch.put(MediaKeys.authorBytes(who), longBytes(authorBytes + fileBytes));
      }
      if (declared == null) {
        batch.put(MediaKeys.root(root), longBytes(fileBytes));
        batch.put(MediaKeys.blockUse(root, root), new byte[0]);
        referencedBytes += fileBytes;
      }
      putTotals(batch);
      index.write(writeOptions, batch);
    } catch (RocksDBException e) {
      throw failure("adding a reference", e);
    }
    return ReferenceOutcome.ADDED;
  }

  /**
   * Drops every file reference of {@code entry} (deleted, revoked, or evicted), then the blocks no
   * referenced file contains. Returns how many references went.
   */
  public synchronized int removeReferences(EntryId entry) {
    List<Cid> roots = new ArrayList<>();
    List<byte[]> authors = new ArrayList<>();
    byte[] prefix = MediaKeys.key(MediaKeys.REF_BY_ENTRY, entry.unsafeBytes());
    scan(
        prefix,
        (k, v) -> {
          roots.add(cidAt(k, prefix.length));
          authors.add(v);
        });
    if (roots.isEmpty()) {
      return 0;
    }
    Set<Cid> deletedBlocks = new LinkedHashSet<>();
    long freedBytes = 0;
    try (WriteBatch batch = new WriteBatch()) {
      Set<ByteKey> deleted = new HashSet<>();
      // an author's bytes as this batch leaves them: several of the entry's files may be theirs,
      // and the batch's own writes are not visible to reads
      Map<ByteKey, Long> authorBytes = new HashMap<>();
      for (int i = 0; i < roots.size(); i++) {
        Cid root = roots.get(i);
        byte[] who = authors.get(i);
        long declared = longAt(get(MediaKeys.root(root)));
        delete(batch, deleted, MediaKeys.refByEntry(entry, root));
        delete(batch, deleted, MediaKeys.refByRoot(root, entry));
        byte[] authorRootKey = MediaKeys.authorRoot(who, root);
        int count = ByteBuffer.wrap(get(authorRootKey)).getInt() - 1;
        if (count > 0) {
          batch.put(authorRootKey, ByteBuffer.allocate(4).putInt(count).array());
        } else {
          delete(batch, deleted, authorRootKey);
          long left =
              authorBytes.computeIfAbsent(
                      new ByteKey(who), k -> longAt(get(MediaKeys.authorBytes(who))))
                  - declared;
          authorBytes.put(new ByteKey(who), left);
          batch.put(MediaKeys.authorBytes(who), longBytes(left));
        }
        if (!anyLeft(MediaKeys.key(MediaKeys.REF_BY_ROOT, root.bytes()), deleted)) {
          delete(batch, deleted, MediaKeys.root(root));
          referencedBytes -= declared;
          for (Cid block : blocksOf(root)) {
            delete(batch, deleted, MediaKeys.blockUse(block, root));
            if (!anyLeft(MediaKeys.key(MediaKeys.BLOCK_USE, block.bytes()), deleted)) {
              byte[] held = get(MediaKeys.held(block));
              if (held != null && deletedBlocks.add(block)) {
                delete(batch, deleted, MediaKeys.held(block));
                freedBytes += ByteBuffer.wrap(held).getInt();
              }
            }
          }
        }
      }
      storedBytes -= freedBytes;
      storedBlocks -= deletedBlocks.size();
      putTotals(batch);
      index.write(writeOptions, batch);
    } catch (RocksDBException e) {
      throw failure("removing references", e);
    }
    // after the index commit: a crash in between leaves files that the next open sweeps
    for (Cid block : deletedBlocks) {
      files.delete(block);
    }
    return roots.size();
  }

  /**
   * Takes a block a peer sent (or our import made). The hash is checked here, whatever the caller
   * checked; a root is decoded and its size compared with what the entries declared.
   */
  public synchronized PutOutcome putBlock(Cid cid, byte[] data) {
    return count(puts, put(cid, data));
  }

  private PutOutcome put(Cid cid, byte[] data) {
    if (data.length > UnixFsFile.LEAF_BYTES) {
      return PutOutcome.TOO_LARGE;
    }
    if (!Cid.sha256(cid.codec(), data).equals(cid)) {
      return PutOutcome.HASH_MISMATCH;
    }
    if (get(MediaKeys.held(cid)) != null) {
      return PutOutcome.DUPLICATE;
    }
    if (!anyLeft(MediaKeys.key(MediaKeys.BLOCK_USE, cid.bytes()), Set.of())) {
      return PutOutcome.UNWANTED;
    }
    byte[] declared = get(MediaKeys.root(cid));
    List<Cid> leaves = List.of();
    if (declared != null) {
      long fileBytes = ByteBuffer.wrap(declared).getLong();
      if (cid.codec() == MediaCids.DAG_PB) {
        FileRoot root;
        try {
          root = UnixFsFile.decodeRoot(data);
        } catch (MediaException e) {
          return PutOutcome.BAD_ROOT;
        }
        if (root.fileBytes() != fileBytes) {
          return PutOutcome.SIZE_MISMATCH;
        }
        leaves = root.leaves();
      } else if (data.length != fileBytes
          && !anyLeft(
              MediaKeys.key(MediaKeys.BLOCK_USE, cid.bytes()),
              Set.of(new ByteKey(MediaKeys.blockUse(cid, cid))))) {
        // Refused only when no other file wants it as a leaf: else one post declaring a wrong
        // size for a popular chunk would keep every file containing it from completing.
        return PutOutcome.SIZE_MISMATCH;
      }
    } else if (cid.codec() != Cid.RAW) {
      // a dag-pb block that is no referenced root: leaves are raw, so nobody wanted it
      return PutOutcome.UNWANTED;
    }
    files.write(cid, data);
    try (WriteBatch batch = new WriteBatch()) {
      batch.put(MediaKeys.held(cid), ByteBuffer.allocate(4).putInt(data.length).array());
      for (Cid leaf : new LinkedHashSet<>(leaves)) {
        batch.put(MediaKeys.blockUse(leaf, cid), new byte[0]);
      }
      storedBytes += data.length;
      storedBlocks++;
      putTotals(batch);
      index.write(writeOptions, batch);
    } catch (RocksDBException e) {
      throw failure("storing a block", e);
    }
    return PutOutcome.STORED;
  }

  @Override
  public synchronized boolean has(Cid cid) {
    return cid.length() == MediaCids.CID_BYTES && get(MediaKeys.held(cid)) != null;
  }

  @Override
  public synchronized Optional<byte[]> get(Cid cid) {
    return has(cid) ? Optional.of(files.read(cid)) : Optional.empty();
  }

  /**
   * What is still needed to read {@code root}: the root itself while it is not held, then the
   * leaves not held, in file order, each once. Empty when the file is whole.
   */
  public synchronized List<Cid> missing(Cid root) {
    checkStored(root);
    if (!has(root)) {
      return List.of(root);
    }
    List<Cid> out = new ArrayList<>();
    for (Cid leaf : new LinkedHashSet<>(leavesOf(root))) {
      if (!has(leaf)) {
        out.add(leaf);
      }
    }
    return out;
  }

  /** The whole file, if every block is held; streams block by block, never holding the file. */
  @SuppressWarnings("JdkObsolete") // SequenceInputStream takes an Enumeration: opens leaves lazily
  public synchronized Optional<InputStream> open(Cid root) {
    if (!missing(root).isEmpty()) {
      return Optional.empty();
    }
    List<Cid> leaves = leavesOf(root);
    Iterator<Cid> it = leaves.iterator();
    return Optional.of(
        new SequenceInputStream(
            new java.util.Enumeration<InputStream>() {
              @Override
              public boolean hasMoreElements() {
                return it.hasNext();
              }

              @Override
              public InputStream nextElement() {
                return files.stream(it.next());
              }
            }));
  }

  /**
   * The whole file in memory, if held; a file over {@code maxBytes} is FILE_TOO_LARGE (the caller's
   * limit, so the caller's fault).
   */
  public Optional<byte[]> readAll(Cid root, int maxBytes) throws MediaException {
    long size;
    synchronized (this) {
      byte[] declared = get(MediaKeys.root(root));
      size = declared != null ? ByteBuffer.wrap(declared).getLong() : -1;
    }
    if (size > maxBytes) {
      throw new MediaException(
          MediaError.FILE_TOO_LARGE, "file of " + size + " bytes, over " + maxBytes);
    }
    Optional<InputStream> in = open(root);
    if (in.isEmpty()) {
      return Optional.empty();
    }
    try (InputStream s = in.get()) {
      return Optional.of(s.readNBytes(maxBytes));
    } catch (IOException e) {
      throw new UncheckedIOException("reading " + root, e);
    }
  }

  /** Declared bytes of the distinct files {@code author}'s entries attach. */
  public synchronized long authorBytes(Identity author) {
    return longAt(get(MediaKeys.authorBytes(author.root().unsafeBytes())));
  }

  /** Whether any entry refers to {@code root}. */
  public synchronized boolean referenced(Cid root) {
    return get(MediaKeys.root(root)) != null;
  }

  /** The declared bytes of a referenced file; empty when no entry refers to it. */
  public synchronized java.util.OptionalLong fileBytes(Cid root) {
    byte[] declared = get(MediaKeys.root(root));
    return declared == null
        ? java.util.OptionalLong.empty()
        : java.util.OptionalLong.of(ByteBuffer.wrap(declared).getLong());
  }

  /**
   * At most {@code max} referenced files, in CID order (the index keeps no dates): what a node
   * provides in the DHT again after a restart.
   */
  public synchronized List<Cid> referencedRoots(int max) {
    byte[] prefix = {MediaKeys.ROOT};
    List<Cid> out = new ArrayList<>();
    try (RocksIterator it = index.newIterator()) {
      for (it.seek(prefix);
          it.isValid() && startsWith(it.key(), prefix) && out.size() < max;
          it.next()) {
        out.add(cidAt(it.key(), 1));
      }
    }
    return out;
  }

  /** The author of the first entry that refers to {@code root}; empty when none does. */
  public synchronized Optional<Identity> author(Cid root) {
    byte[] prefix = MediaKeys.key(MediaKeys.REF_BY_ROOT, root.bytes());
    byte[][] who = new byte[1][];
    scanFirst(prefix, v -> who[0] = v);
    return who[0] == null ? Optional.empty() : Optional.of(Identity.of(who[0]));
  }

  /** A file a held entry names, kept by nobody yet: which entry, whose, how large it says. */
  public record Named(EntryId entry, Identity author, long fileBytes) {}

  /**
   * Records that {@code entry} names the file {@code root} without keeping it (a post of someone
   * not followed: fetched when opened). No budget applies; {@link #removeReferences} and {@link
   * #unname} forget it with the entry.
   */
  public synchronized void name(EntryId entry, Identity author, Cid root, long fileBytes) {
    checkStored(root);
    try (WriteBatch batch = new WriteBatch()) {
      batch.put(
          MediaKeys.named(root, entry),
          ByteBuffer.allocate(40).put(author.root().unsafeBytes()).putLong(fileBytes).array());
      batch.put(MediaKeys.namedByEntry(entry, root), new byte[0]);
      index.write(writeOptions, batch);
    } catch (RocksDBException e) {
      throw failure("naming a file", e);
    }
  }

  /** The first entry that names {@code root} without keeping it, if any. */
  public synchronized Optional<Named> named(Cid root) {
    byte[] prefix = MediaKeys.key(MediaKeys.NAMED, root.bytes());
    Named[] out = new Named[1];
    try (RocksIterator it = index.newIterator()) {
      it.seek(prefix);
      if (it.isValid() && startsWith(it.key(), prefix)) {
        byte[] k = it.key();
        byte[] v = it.value();
        out[0] =
            new Named(
                EntryId.of(Arrays.copyOfRange(k, prefix.length, prefix.length + 32)),
                Identity.of(Arrays.copyOfRange(v, 0, 32)),
                ByteBuffer.wrap(v, 32, 8).getLong());
      }
    }
    return Optional.ofNullable(out[0]);
  }

  /** Forgets the files {@code entry} named without keeping them; returns how many. */
  public synchronized int unname(EntryId entry) {
    byte[] prefix = MediaKeys.key(MediaKeys.NAMED_BY_ENTRY, entry.unsafeBytes());
    List<Cid> roots = new ArrayList<>();
    scan(prefix, (k, v) -> roots.add(cidAt(k, prefix.length)));
    if (roots.isEmpty()) {
      return 0;
    }
    try (WriteBatch batch = new WriteBatch()) {
      for (Cid root : roots) {
        batch.delete(MediaKeys.namedByEntry(entry, root));
        batch.delete(MediaKeys.named(root, entry));
      }
      index.write(writeOptions, batch);
    } catch (RocksDBException e) {
      throw failure("forgetting names", e);
    }
    return roots.size();
  }

  /**
   * Removes the references and names of every entry {@code keep} says no (no longer held with its
   * content), with the files no reference is left for; returns how many entries went.
   */
  public int sweepReferences(java.util.function.Predicate<EntryId> keep) {
    Set<EntryId> entries = new LinkedHashSet<>();
    synchronized (this) {
      for (byte p : new byte[] {MediaKeys.REF_BY_ENTRY, MediaKeys.NAMED_BY_ENTRY}) {
        byte[] prefix = {p};
        scan(prefix, (k, v) -> entries.add(EntryId.of(Arrays.copyOfRange(k, 1, 33))));
      }
    }
    int removed = 0;
    for (EntryId e : entries) {
      if (!keep.test(e)) {
        removeReferences(e);
        unname(e);
        removed++;
      }
    }
    return removed;
  }

  public synchronized MediaUsage usage() {
    return new MediaUsage(referencedBytes, storedBytes, storedBlocks, puts, references, sweptFiles);
  }

  @Override
  public synchronized void close() {
    index.close();
    writeOptions.close();
    options.close();
  }

  /** The file's leaves in order: the root itself for a raw file, else its decoded links. */
  private List<Cid> leavesOf(Cid root) {
    if (root.codec() == Cid.RAW) {
      return List.of(root);
    }
    try {
      return UnixFsFile.decodeRoot(files.read(root)).leaves();
    } catch (MediaException e) {
      throw new IllegalStateException("a stored root does not decode: " + root, e);
    }
  }

  /** Every block that belongs to a referenced file: the root and, once it is held, its leaves. */
  private Set<Cid> blocksOf(Cid root) {
    Set<Cid> out = new LinkedHashSet<>();
    out.add(root);
    if (root.codec() == MediaCids.DAG_PB && get(MediaKeys.held(root)) != null) {
      out.addAll(leavesOf(root));
    }
    return out;
  }

  /** Deletes block files no index row names, and leftover temporary files. */
  private long sweep() {
    long swept = 0;
    for (Path p : files.list()) {
      boolean keep = false;
      if (!BlockFiles.isTemporary(p)) {
        try {
          keep = has(Cid.parseText(p.getFileName().toString()));
        } catch (org.grapevine.libp2p.bitswap.BitswapException e) {
          keep = false;
        }
      }
      if (!keep) {
        try {
          Files.deleteIfExists(p);
        } catch (IOException e) {
          throw new UncheckedIOException("sweeping " + p, e);
        }
        swept++;
      }
    }
    return swept;
  }

  private static void checkStored(Cid cid) {
    if (cid.length() != MediaCids.CID_BYTES
        || (cid.codec() != Cid.RAW && cid.codec() != MediaCids.DAG_PB)) {
      throw new IllegalArgumentException("not a media CID (raw or dag-pb, sha2-256): " + cid);
    }
  }

  private byte[] get(byte[] key) {
    try {
      return index.get(key);
    } catch (RocksDBException e) {
      throw failure("reading the index", e);
    }
  }

  private interface RowConsumer {
    void accept(byte[] key, byte[] value);
  }

  private void scan(byte[] prefix, RowConsumer consumer) {
    try (RocksIterator it = index.newIterator()) {
      for (it.seek(prefix); it.isValid() && startsWith(it.key(), prefix); it.next()) {
        consumer.accept(it.key(), it.value());
      }
    }
  }

  /** Whether a row with {@code prefix} exists that this operation has not deleted. */
  private void scanFirst(byte[] prefix, java.util.function.Consumer<byte[]> value) {
    try (RocksIterator it = index.newIterator()) {
      it.seek(prefix);
      if (it.isValid() && startsWith(it.key(), prefix)) {
        value.accept(it.value());
      }
    }
  }

  private boolean anyLeft(byte[] prefix, Set<ByteKey> deleted) {
    try (RocksIterator it = index.newIterator()) {
      for (it.seek(prefix); it.isValid() && startsWith(it.key(), prefix); it.next()) {
        if (!deleted.contains(new ByteKey(it.key()))) {
          return true;
        }
      }
    }
    return false;
  }

  private static void delete(WriteBatch batch, Set<ByteKey> deleted, byte[] key)
      throws RocksDBException {
    batch.delete(key);
    deleted.add(new ByteKey(key));
  }

  private void putTotals(WriteBatch batch) throws RocksDBException {
    batch.put(
        MediaKeys.totals(),
        ByteBuffer.allocate(24)
            .putLong(referencedBytes)
            .putLong(storedBytes)
            .putLong(storedBlocks)
            .array());
  }

  private static boolean startsWith(byte[] key, byte[] prefix) {
    return key.length >= prefix.length
        && Arrays.equals(key, 0, prefix.length, prefix, 0, prefix.length);
  }

  private static Cid cidAt(byte[] key, int offset) {
    try {
      return Cid.parse(Arrays.copyOfRange(key, offset, offset + MediaCids.CID_BYTES));
    } catch (org.grapevine.libp2p.bitswap.BitswapException e) {
      throw new IllegalStateException("a corrupt media index key", e);
    }
  }

  private static long longAt(byte[] value) {
    return value == null ? 0 : ByteBuffer.wrap(value).getLong();
  }

  private static byte[] longBytes(long v) {
    return ByteBuffer.allocate(8).putLong(v).array();
  }

  private static <T extends Enum<T>> T count(Map<T, Long> counts, T outcome) {
    counts.merge(outcome, 1L, Long::sum);
    return outcome;
  }

  private static IllegalStateException failure(String what, RocksDBException e) {
    return new IllegalStateException("media index failure " + what + ": " + e.getMessage(), e);
  }

  /** A key as a set member. */
  @SuppressWarnings("ArrayRecordComponent") // equals and hashCode are overridden below
  private record ByteKey(byte[] bytes) {
    @Override
    public boolean equals(Object o) {
      return o instanceof ByteKey k && Arrays.equals(bytes, k.bytes);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
      return "ByteKey[" + bytes.length + "]";
    }
  }
}
