package org.grapevine.node.storage;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.DBOptions;
import org.rocksdb.IndexType;
import org.rocksdb.InfoLogLevel;
import org.rocksdb.LRUCache;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;

/** The native objects of one open store, closed together in the right order. */
final class RocksResources implements AutoCloseable {
  static {
    RocksDB.loadLibrary();
  }

  private final RocksDB db;
  private final ColumnFamilies families;
  private final List<ColumnFamilyHandle> handles;
  private final List<AutoCloseable> options;
  private final StoreLock lock;

  private RocksResources(
      RocksDB db, List<ColumnFamilyHandle> handles, List<AutoCloseable> options, StoreLock lock) {
    this.db = db;
    this.lock = lock;
    this.handles = handles;
    this.families = new ColumnFamilies(handles);
    this.options = options;
  }

  static RocksResources open(Path directory, StoreConfig config) {
    List<AutoCloseable> options = new ArrayList<>();
    LRUCache cache = new LRUCache(config.blockCacheBytes());
    options.add(cache);
    BloomFilter bloom = new BloomFilter(10);
    options.add(bloom);
    BlockBasedTableConfig table =
        new BlockBasedTableConfig()
            .setBlockCache(cache)
            .setFilterPolicy(bloom)
            // Index and filter blocks count against the small cache instead of growing outside it.
            .setCacheIndexAndFilterBlocks(true)
            // ...partitioned, so that a lookup loads a few KiB of them. Whole, the index and filter
            // of
            // one large SST file are each about a MiB, more than the default cache: every point
            // read
            // and seek loaded them again (TimelineHarness, a million entries: 26 ms a page of 50).
            .setIndexType(IndexType.kTwoLevelIndexSearch)
            .setPartitionFilters(true)
            .setMetadataBlockSize(4096)
            .setPinTopLevelIndexAndFilter(true)
            .setCacheIndexAndFilterBlocksWithHighPriority(true);
    ColumnFamilyOptions cfOptions =
        new ColumnFamilyOptions()
            .setWriteBufferSize(config.writeBufferBytes())
            .setMaxWriteBufferNumber(2)
            // The first level about as large as what one L0 compaction brings (four memtables), as
            // RocksDB's tuning guide says: with the default 256 MiB every L0 compaction rewrote the
            // whole first level, and background compaction took more CPU than the writes
            // themselves.
            .setMaxBytesForLevelBase(4 * config.writeBufferBytes())
            .setTableFormatConfig(table);
    options.add(cfOptions);
    DBOptions dbOptions =
        new DBOptions()
            .setCreateIfMissing(true)
            .setCreateMissingColumnFamilies(true)
            .setMaxOpenFiles(64)
            .setMaxBackgroundJobs(1)
            .setKeepLogFileNum(2)
            .setInfoLogLevel(InfoLogLevel.WARN_LEVEL)
            // All memtables together: the busy families (entries, content, indexes, heads) share
            // it.
            .setDbWriteBufferSize(4 * config.writeBufferBytes())
            // Bounds the WAL: with seven small families, a rarely written one would otherwise pin
            // old logs.
            .setMaxTotalWalSize(Math.max(4L << 20, 8 * config.writeBufferBytes()))
            // Other people's entries are written without the WAL (RocksPostStore); a flush must
            // then persist every family's part of a batch or none, or a crash could keep an entry
            // without its index rows. RocksDB promises that only with atomic flush.
            .setAtomicFlush(true);
    options.add(dbOptions);
    List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
    for (String name : ColumnFamilies.NAMES) {
      descriptors.add(new ColumnFamilyDescriptor(ColumnFamilies.nameBytes(name), cfOptions));
    }
    List<ColumnFamilyHandle> handles = new ArrayList<>();
    try {
      Files.createDirectories(directory);
    } catch (java.io.IOException e) {
      closeAll(options);
      throw new IllegalStateException(
          "cannot create the store directory " + directory + ": " + e.getMessage(), e);
    }
    StoreLock lock;
    try {
      lock = StoreLock.acquire(directory);
    } catch (RuntimeException e) {
      closeAll(options);
      throw e;
    }
    try {
      RocksDB db = RocksDB.open(dbOptions, directory.toString(), descriptors, handles);
      return new RocksResources(db, handles, options, lock);
    } catch (RocksDBException e) {
      closeAll(options);
      lock.close();
      throw RocksPostStore.storageFailure("open", directory, e);
    }
  }

  RocksDB db() {
    return db;
  }

  ColumnFamilies families() {
    return families;
  }

  @Override
  public void close() {
    for (ColumnFamilyHandle h : handles) {
      h.close();
    }
    db.close();
    closeAll(options);
    lock.close();
  }

  private static void closeAll(List<AutoCloseable> resources) {
    for (int i = resources.size() - 1; i >= 0; i--) {
      try {
        resources.get(i).close();
      } catch (Exception e) {
        throw new IllegalStateException("closing " + resources.get(i) + " failed", e);
      }
    }
  }
}
