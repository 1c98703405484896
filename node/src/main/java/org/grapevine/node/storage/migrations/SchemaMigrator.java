package org.grapevine.node.storage.migrations;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import org.grapevine.node.storage.ColumnFamilies;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteOptions;

/** Brings a store's schema up to the newest version this code knows, or refuses a newer one. */
public final class SchemaMigrator {
  /** Every migration, in version order: 1, 2, 3, ... without gaps. */
  public static final List<Migration> ALL =
      List.of(
          new M001_InitialSchema(),
          new M002_MissingContent(),
          new M003_Tombstones(),
          new M004_Counts(),
          new M005_Quotes(),
          new M006_Notifications());

  private final List<Migration> migrations;

  public SchemaMigrator(List<Migration> migrations) {
    for (int i = 0; i < migrations.size(); i++) {
      if (migrations.get(i).version() != i + 1) {
        throw new IllegalArgumentException(
            "migration " + i + " has version " + migrations.get(i).version());
      }
    }
    this.migrations = List.copyOf(migrations);
  }

  public int latestVersion() {
    return migrations.size();
  }

  /**
   * Runs the missing migrations.
   *
   * @param schemaVersionKey the key of the version record in the meta family
   * @return the version the store is at afterwards
   * @throws IllegalStateException if the directory was written by a newer version of Grapevine
   */
  public int migrate(RocksDB db, ColumnFamilies families, byte[] schemaVersionKey, Path directory)
      throws RocksDBException {
    byte[] stored = db.get(families.meta(), schemaVersionKey);
    int version = stored == null ? 0 : ByteBuffer.wrap(stored).getInt();
    if (version > latestVersion()) {
      throw new IllegalStateException(
          "the store in "
              + directory
              + " has schema version "
              + version
              + ", newer than this Grapevine knows ("
              + latestVersion()
              + "): run a newer Grapevine");
    }
    try (WriteOptions sync = new WriteOptions().setSync(true)) {
      for (Migration m : migrations.subList(version, migrations.size())) {
        m.migrate(db, families);
        db.put(
            families.meta(),
            sync,
            schemaVersionKey,
            ByteBuffer.allocate(4).putInt(m.version()).array());
        version = m.version();
      }
    }
    return version;
  }
}
