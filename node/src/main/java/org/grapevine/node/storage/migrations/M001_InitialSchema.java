package org.grapevine.node.storage.migrations;

import org.grapevine.node.storage.ColumnFamilies;
import org.rocksdb.RocksDB;

/**
 * Version 1: the column families and key layouts of {@code Keys} as first released. The families
 * are created when the store opens, so there is nothing to move; this step only marks a new
 * directory as version 1.
 */
public final class M001_InitialSchema implements Migration {
  @Override
  public int version() {
    return 1;
  }

  @Override
  public void migrate(RocksDB db, ColumnFamilies families) {
    // Nothing to move: version 1 is the first layout.
  }
}
