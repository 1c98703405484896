package org.grapevine.node.storage.migrations;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.grapevine.node.storage.RocksPostStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class M001_InitialSchemaTest {
  @TempDir Path dir;

  @Test
  void migrate_emptyDirectory_setsSchemaVersionOneAndKeepsIt() {
    assertThat(new M001_InitialSchema().version()).isEqualTo(1);
    // Opening runs every migration: version 1, then M002 to M005 (issue 15's counts and quotes).
    try (RocksPostStore store = RocksPostStore.open(dir)) {
      assertThat(store.schemaVersion()).isEqualTo(6);
    }
    try (RocksPostStore store = RocksPostStore.open(dir)) {
      assertThat(store.schemaVersion()).isEqualTo(6);
      assertThat(store.follows()).isEmpty();
    }
  }
}
