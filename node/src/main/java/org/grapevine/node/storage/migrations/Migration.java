package org.grapevine.node.storage.migrations;

import org.grapevine.node.storage.ColumnFamilies;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;

/**
 * One step of the on-disk schema, from {@code version() - 1} to {@code version()}. Steps run in
 * order when a store opens; the runner records the new version after each step, so a step must be
 * safe to run again if the process dies before that record is written.
 */
public interface Migration {
  int version();

  void migrate(RocksDB db, ColumnFamilies families) throws RocksDBException;
}
