package org.grapevine.node.storage;

/**
 * Memory settings of one {@link RocksPostStore}. Modest by default, as a node holds a few people's
 * logs, not a data centre's. {@link #SMALL} is meant for many stores in one JVM, but nothing uses
 * it yet: {@code Node} opens its store with {@link #DEFAULT}, the real simulation engine's nodes
 * included (the virtual engine uses {@link MemoryPostStore}).
 *
 * @param blockCacheBytes LRU block cache shared by the store's column families
 * @param writeBufferBytes memtable size per column family (at most two per family); all memtables
 *     together are held to four times this, and the first level of the tree to four times this
 * @param maxPeers bound of the peers table
 */
public record StoreConfig(long blockCacheBytes, long writeBufferBytes, int maxPeers) {
  /**
   * A 16 MiB block cache: over a million entries, a timeline page of 50 from 200 identities had a
   * p99 of 14 ms on deep pages with 1 MiB and 8 ms with 16 MiB ({@code TimelineHarness}). 4 MiB
   * memtables (16 MiB together): with 256 KiB ones, flushes and compactions of tiny files cost the
   * background more CPU than the writes cost the storage thread ({@code StoreWriteHarness}: 29 us
   * of process CPU per entry, 16 us with 4 MiB).
   */
  public static final StoreConfig DEFAULT = new StoreConfig(16L << 20, 4L << 20, 1000);

  /** 1 MiB of cache: for many stores in one process (unused so far, see above). */
  public static final StoreConfig SMALL = new StoreConfig(1L << 20, 256L << 10, 1000);

  public StoreConfig {
    if (blockCacheBytes < 0 || writeBufferBytes < 64 << 10 || maxPeers < 0) {
      throw new IllegalArgumentException(
          "bad store config: cache "
              + blockCacheBytes
              + ", write buffer "
              + writeBufferBytes
              + " (at least 64 KiB), peers "
              + maxPeers);
    }
  }
}
