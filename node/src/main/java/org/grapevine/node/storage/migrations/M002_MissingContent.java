package org.grapevine.node.storage.migrations;

import org.grapevine.node.storage.ColumnFamilies;
import org.grapevine.node.storage.RocksPostStore;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;

/**
 * Version 2: entries held without their content that no held delete names get a MISSING row (issue
 * 12: "deleted" and "content not held" are different states). The rows are derived, so this step
 * recomputes the derived families from entries and content, as {@code store rebuild-indexes} does;
 * running it twice gives the same rows.
 */
public final class M002_MissingContent implements Migration {
  @Override
  public int version() {
    return 2;
  }

  @Override
  public void migrate(RocksDB db, ColumnFamilies families) throws RocksDBException {
    RocksPostStore.rebuildDerived(db, families);
  }
}
