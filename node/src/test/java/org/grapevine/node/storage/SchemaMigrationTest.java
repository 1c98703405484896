package org.grapevine.node.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.grapevine.node.storage.migrations.M001_InitialSchema;
import org.grapevine.node.storage.migrations.Migration;
import org.grapevine.node.storage.migrations.SchemaMigrator;
import org.grapevine.protocol.testing.TestAuthors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.RocksDB;

class SchemaMigrationTest {
  @TempDir Path dir;

  @Test
  void open_emptyDirectory_createsStoreAtLatestVersion() {
    Path fresh = dir.resolve("not/yet/there");
    try (RocksPostStore store = RocksPostStore.open(fresh)) {
      assertThat(store.schemaVersion()).isEqualTo(SchemaMigrator.ALL.size()).isEqualTo(6);
    }
    assertThat(Files.exists(fresh.resolve("CURRENT"))).isTrue();
  }

  @Test
  void open_newerSchemaVersionOnDisk_refusesNamingDirectoryAndVersion() throws Exception {
    RocksPostStore.open(dir).close();
    try (RocksResources raw = RocksResources.open(dir, StoreConfig.DEFAULT)) {
      raw.db()
          .put(
              raw.families().meta(),
              Keys.schemaVersion(),
              ByteBuffer.allocate(4).putInt(99).array());
    }

    assertThatThrownBy(() -> RocksPostStore.open(dir))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining(dir.toString())
        .hasMessageContaining("99");
    // The refused open released the directory.
    try (RocksResources raw = RocksResources.open(dir, StoreConfig.DEFAULT)) {
      assertThat(raw.db().get(raw.families().meta(), Keys.schemaVersion()))
          .isEqualTo(ByteBuffer.allocate(4).putInt(99).array());
    }
  }

  @Test
  void migrate_fromVersionOne_runsOnlyLaterStepsOnceAndRecordsEach() throws Exception {
    RocksPostStore.open(dir).close();
    try (RocksResources raw = RocksResources.open(dir, StoreConfig.DEFAULT)) {
      raw.db()
          .put(
              raw.families().meta(),
              Keys.schemaVersion(),
              ByteBuffer.allocate(4).putInt(1).array());
    }
    List<Integer> ran = new ArrayList<>();
    Migration second =
        new Migration() {
          @Override
          public int version() {
            return 2;
          }

          @Override
          public void migrate(RocksDB db, ColumnFamilies families) {
            ran.add(2);
          }
        };
    SchemaMigrator migrator = new SchemaMigrator(List.of(new M001_InitialSchema(), second));
    try (RocksResources raw = RocksResources.open(dir, StoreConfig.DEFAULT)) {
      assertThat(migrator.migrate(raw.db(), raw.families(), Keys.schemaVersion(), dir))
          .isEqualTo(2);
      assertThat(migrator.migrate(raw.db(), raw.families(), Keys.schemaVersion(), dir))
          .isEqualTo(2);
    }
    assertThat(ran).containsExactly(2);
  }

  @Test
  void migrate_versionOneStoreWithEntriesWithoutContent_getsTheirMissingRows() throws Exception {
    StoreTesting.Author bob = new StoreTesting.Author("bob");
    org.grapevine.protocol.entry.LogEntry post = bob.post("bare", TestAuthors.T0_MILLIS);
    try (RocksPostStore store = RocksPostStore.open(dir)) {
      bob.delegatedIn(store);
      store.apply(post.withoutContent());
    }
    // As version 1 wrote it: no MISSING row.
    try (RocksResources raw = RocksResources.open(dir, StoreConfig.DEFAULT)) {
      raw.db()
          .delete(
              raw.families().indexes(),
              Keys.missing(bob.identity(), post.header().contentHash(), post.id()));
      raw.db()
          .put(
              raw.families().meta(),
              Keys.schemaVersion(),
              ByteBuffer.allocate(4).putInt(1).array());
    }

    try (RocksPostStore store = RocksPostStore.open(dir)) {
      assertThat(store.schemaVersion()).isEqualTo(6);
      assertThat(store.contentMissing(post)).isTrue();
    }
  }

  @Test
  void migrate_versionThreeStore_getsRepostRowsAndReactionEmojis() throws Exception {
    StoreTesting.Author alice = new StoreTesting.Author("alice");
    StoreTesting.Author bob = new StoreTesting.Author("bob");
    org.grapevine.protocol.entry.LogEntry post = alice.post("root", TestAuthors.T0_MILLIS);
    org.grapevine.protocol.entry.LogEntry like =
        bob.device.append(StoreTesting.reaction("❤", post), TestAuthors.T0_MILLIS + 1);
    org.grapevine.protocol.entry.LogEntry repost =
        bob.device.append(StoreTesting.repost(post), TestAuthors.T0_MILLIS + 2);
    try (RocksPostStore store = RocksPostStore.open(dir)) {
      alice.delegatedIn(store);
      bob.delegatedIn(store);
      store.apply(post);
      store.apply(like);
      store.apply(repost);
    }
    // As version 3 wrote it: no REPOST row, a REACTION row's value without the emoji.
    try (RocksResources raw = RocksResources.open(dir, StoreConfig.DEFAULT)) {
      raw.db().delete(raw.families().indexes(), Keys.repost(post.id(), repost.id()));
      raw.db()
          .put(
              raw.families().indexes(),
              Keys.reaction(post.id(), like.id()),
              Keys.location(like.header().author(), like.header().seq()));
      raw.db()
          .put(
              raw.families().meta(),
              Keys.schemaVersion(),
              ByteBuffer.allocate(4).putInt(3).array());
    }

    try (RocksPostStore store = RocksPostStore.open(dir)) {
      assertThat(store.schemaVersion()).isEqualTo(6);
      assertThat(store.counts(post.id()))
          .isEqualTo(new EntryCounts(0, 1, new java.util.TreeMap<>(java.util.Map.of("❤", 1L))));
    }
  }

  @Test
  void migrate_versionFourStore_getsQuoteRows() throws Exception {
    StoreTesting.Author alice = new StoreTesting.Author("alice");
    StoreTesting.Author bob = new StoreTesting.Author("bob");
    org.grapevine.protocol.entry.LogEntry post = alice.post("root", TestAuthors.T0_MILLIS);
    org.grapevine.protocol.entry.LogEntry quote =
        bob.device.append(
            org.grapevine.protocol.testing.TestContent.quote("look", post),
            TestAuthors.T0_MILLIS + 1);
    try (RocksPostStore store = RocksPostStore.open(dir)) {
      alice.delegatedIn(store);
      bob.delegatedIn(store);
      store.apply(post);
      store.apply(quote);
      assertThat(store.counts(post.id()).quotes()).isEqualTo(1);
    }
    // As version 4 wrote it: no QUOTE row (a quote post was a plain post to it).
    try (RocksResources raw = RocksResources.open(dir, StoreConfig.DEFAULT)) {
      raw.db().delete(raw.families().indexes(), Keys.quote(post.id(), quote.id()));
      raw.db()
          .put(
              raw.families().meta(),
              Keys.schemaVersion(),
              ByteBuffer.allocate(4).putInt(4).array());
    }
    try (RocksPostStore store = RocksPostStore.open(dir)) {
      assertThat(store.schemaVersion()).isEqualTo(6);
      assertThat(store.counts(post.id()))
          .isEqualTo(new EntryCounts(0, 0, 1, new java.util.TreeMap<>()));
      assertThat(store.quoteOriginal(quote).map(e -> e.id())).contains(post.id());
    }
  }

  @Test
  void migrate_versionFiveStore_getsNotificationRows() throws Exception {
    StoreTesting.Author alice = new StoreTesting.Author("alice");
    StoreTesting.Author bob = new StoreTesting.Author("bob");
    org.grapevine.protocol.entry.LogEntry post = alice.post("root", TestAuthors.T0_MILLIS);
    org.grapevine.protocol.entry.LogEntry reply =
        bob.device.append(
            org.grapevine.protocol.testing.TestContent.reply("hi", post),
            TestAuthors.T0_MILLIS + 1);
    try (RocksPostStore store = RocksPostStore.open(dir)) {
      alice.delegatedIn(store);
      bob.delegatedIn(store);
      store.apply(post);
      store.apply(reply);
    }
    // As version 5 wrote it: no NOTIFY row.
    try (RocksResources raw = RocksResources.open(dir, StoreConfig.DEFAULT)) {
      raw.db()
          .delete(
              raw.families().indexes(),
              Keys.time(
                  KeyPrefix.NOTIFY,
                  alice.identity(),
                  reply.header().timestampMillis(),
                  reply.id()));
      raw.db()
          .put(
              raw.families().meta(),
              Keys.schemaVersion(),
              ByteBuffer.allocate(4).putInt(5).array());
    }
    try (RocksPostStore store = RocksPostStore.open(dir)) {
      assertThat(store.schemaVersion()).isEqualTo(6);
      assertThat(store.addressedTo(alice.identity(), TimelineCursor.before(Long.MAX_VALUE), 10))
          .extracting(e -> e.id())
          .containsExactly(reply.id());
    }
  }

  @Test
  void schemaMigrator_migrationsOutOfOrder_isRefused() {
    assertThatThrownBy(
            () -> new SchemaMigrator(List.of(new M001_InitialSchema(), new M001_InitialSchema())))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
