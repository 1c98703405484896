package org.grapevine.node.storage.migrations;

import org.grapevine.node.storage.ColumnFamilies;
import org.grapevine.node.storage.RocksPostStore;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;

/**
 * Version 6 (issue 15, notifications): NOTIFY rows (entries by the identity they address), so that
 * an identity's notifications are a page of index rows. The rows are derived, so this step
 * recomputes the derived families from entries and content, as {@code store rebuild-indexes} does;
 * running it twice gives the same rows.
 */
public final class M006_Notifications implements Migration {
  @Override
  public int version() {
    return 6;
  }

  @Override
  public void migrate(RocksDB db, ColumnFamilies families) throws RocksDBException {
    RocksPostStore.rebuildDerived(db, families);
  }
}
