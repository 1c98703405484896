package org.grapevine.node.storage.migrations;

import org.grapevine.node.storage.ColumnFamilies;
import org.grapevine.node.storage.RocksPostStore;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;

/**
 * Version 3: every held delete's target gets a TOMBSTONE row (issue 12: a target that arrives after
 * its delete is stored without its content), and an entry held without its content is deleted, not
 * missing, only if it is of a kind a delete takes ({@code EntryIndexer.deletable}). The rows are
 * derived, so this step recomputes the derived families from entries and content, as {@code store
 * rebuild-indexes} does; running it twice gives the same rows.
 */
public final class M003_Tombstones implements Migration {
  @Override
  public int version() {
    return 3;
  }

  @Override
  public void migrate(RocksDB db, ColumnFamilies families) throws RocksDBException {
    RocksPostStore.rebuildDerived(db, families);
  }
}
