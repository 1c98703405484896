package org.grapevine.node.storage;

/**
 * Memory settings of one {@link RocksPostStore}. Small by default: the simulator runs hundreds
 * of stores in one JVM, and a node holds a few people's logs, not a data centre's.
 *
 * @param blockCacheBytes LRU block cache shared by the store's column families
 * @param writeBufferBytes memtable size per column family (at most two per family)
 * @param maxPeers bound of the peers table
 */
public record StoreConfig(long blockCacheBytes, long writeBufferBytes, int maxPeers) {
  public static final StoreConfig DEFAULT = new StoreConfig(1L << 20, 256L << 10, 1000);

  public StoreConfig {
    if (blockCacheBytes < 0 || writeBufferBytes < 64 << 10 || maxPeers < 0) {
      throw new IllegalArgumentException("bad store config: cache " + blockCacheBytes + ", write buffer "
          + writeBufferBytes + " (at least 64 KiB), peers " + maxPeers);
    }
  }
}
