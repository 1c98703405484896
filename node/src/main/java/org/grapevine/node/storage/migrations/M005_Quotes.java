package org.grapevine.node.storage.migrations;

import org.grapevine.node.storage.ColumnFamilies;
import org.grapevine.node.storage.RocksPostStore;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;

/**
 * Version 5 (issue 15, quote posts): QUOTE rows (quote posts by the entry they quote), so that
 * counting quotes of a post reads index rows only. A store written before quote posts may already
 * hold some (from nodes that knew Post.quote, or its own future), so the rows are derived again:
 * this step recomputes the derived families from entries and content, as {@code store
 * rebuild-indexes} does; running it twice gives the same rows.
 */
public final class M005_Quotes implements Migration {
  @Override
  public int version() {
    return 5;
  }

  @Override
  public void migrate(RocksDB db, ColumnFamilies families) throws RocksDBException {
    RocksPostStore.rebuildDerived(db, families);
  }
}
