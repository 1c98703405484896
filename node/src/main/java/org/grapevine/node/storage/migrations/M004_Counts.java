package org.grapevine.node.storage.migrations;

import org.grapevine.node.storage.ColumnFamilies;
import org.grapevine.node.storage.RocksPostStore;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;

/**
 * Version 4 (issue 15, counts): REPOST rows (reposts by the entry they repost) and the emoji in
 * every REACTION row's value, so that counting answers to a post reads index rows only. The rows
 * are derived, so this step recomputes the derived families from entries and content, as {@code
 * store rebuild-indexes} does; running it twice gives the same rows.
 */
public final class M004_Counts implements Migration {
  @Override
  public int version() {
    return 4;
  }

  @Override
  public void migrate(RocksDB db, ColumnFamilies families) throws RocksDBException {
    RocksPostStore.rebuildDerived(db, families);
  }
}
