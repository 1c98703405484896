package org.grapevine.node.storage;

import java.nio.file.Path;

/** The two stores, for tests that run the same case against both ({@code @EnumSource}). */
enum StoreKind {
  ROCKS,
  MEMORY;

  /** A new store: RocksDB in {@code dir}, or in memory. */
  PostStore open(Path dir) {
    return this == ROCKS ? RocksPostStore.open(dir) : new MemoryPostStore();
  }
}
