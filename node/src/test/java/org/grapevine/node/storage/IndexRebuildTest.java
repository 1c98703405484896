package org.grapevine.node.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.grapevine.protocol.testing.TestAuthors.T0_MILLIS;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.grapevine.node.storage.StoreTesting.Author;
import org.grapevine.protocol.crypto.SigningKey;
import org.grapevine.protocol.entry.LogEntry;
import org.grapevine.protocol.log.LogWriter;
import org.grapevine.protocol.testing.TestAuthors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IndexRebuildTest {
  @TempDir Path dir;

  @Test
  void rebuildIndexes_afterManyRandomEntries_equalsLiveIndexes() {
    for (long seed = 1; seed <= 3; seed++) {
      try (RocksPostStore store = RocksPostStore.open(dir.resolve("seed" + seed))) {
        writeRandomHistory(store, new Random(seed), 400);
        List<String> live = StoreTesting.dumpDerived(store);
        List<String> primary = primaryRows(store);
        assertThat(live).hasSizeGreaterThan(400);

        store.rebuildIndexes();

        assertThat(StoreTesting.dumpDerived(store))
            .as("seed %d", seed)
            .containsExactlyElementsOf(live);
        assertThat(primaryRows(store)).isEqualTo(primary);
      }
    }
  }

  @Test
  void rebuildIndexes_afterLosingIndexRows_restoresThem() throws Exception {
    try (RocksPostStore store = RocksPostStore.open(dir)) {
      writeRandomHistory(store, new Random(7), 100);
      List<String> live = StoreTesting.dumpDerived(store);
      for (var family : store.families().derived()) {
        for (String row : store.dump(family)) {
          if (row.hashCode() % 3 == 0) {
            deleteRow(store, family, row);
          }
        }
      }
      assertThat(StoreTesting.dumpDerived(store)).isNotEqualTo(live);

      store.rebuildIndexes();

      assertThat(StoreTesting.dumpDerived(store)).containsExactlyElementsOf(live);
    }
  }

  private static void deleteRow(
      RocksPostStore store, org.rocksdb.ColumnFamilyHandle family, String row) throws Exception {
    String keyHex = row.substring(0, row.indexOf('='));
    store.rawDelete(family, java.util.HexFormat.of().parseHex(keyHex));
  }

  private static List<String> primaryRows(RocksPostStore store) {
    List<String> rows = new ArrayList<>();
    rows.addAll(store.dump(store.families().entries()));
    rows.addAll(store.dump(store.families().content()));
    return rows;
  }

  /**
   * Posts, replies, reactions, reposts, opaque kinds, entries received without content, delete
   * entries (of entries with and without content), new delegations and revocations (which purge the
   * revoked device's later entries), by several people.
   */
  static void writeRandomHistory(PostStore store, Random random, int steps) {
    List<Author> authors = new ArrayList<>();
    List<LogWriter> devices = new ArrayList<>();
    for (String name : List.of("alice", "bob", "carol", "dave")) {
      Author a = new Author(name).delegatedIn(store);
      authors.add(a);
      devices.add(a.device);
    }
    List<LogEntry> posts = new ArrayList<>();
    long now = T0_MILLIS;
    for (int step = 0; step < steps; step++) {
      now += random.nextInt(3);
      int pick = random.nextInt(devices.size());
      LogWriter w = devices.get(pick);
      LogEntry target = posts.isEmpty() ? null : posts.get(random.nextInt(posts.size()));
      int op = random.nextInt(100);
      LogEntry e;
      if (op < 35 || target == null) {
        e = w.append(TestAuthors.post("post " + step), now);
        posts.add(e);
      } else if (op < 55) {
        e = w.append(StoreTesting.reply("reply " + step, target), now);
        posts.add(e);
      } else if (op < 70) {
        e = w.append(StoreTesting.reaction(random.nextBoolean() ? "+1" : "<3", target), now);
      } else if (op < 78) {
        e = w.append(StoreTesting.repost(target), now);
      } else if (op < 82) {
        e = w.appendOpaque(20 + random.nextInt(5), new byte[] {(byte) step}, now);
      } else if (op < 90) {
        // A delete entry: it takes effect when the target is its own identity's (missing content
        // then becomes deleted content, and a rebuild must tell the two apart as the live path
        // did).
        e = w.append(StoreTesting.delete(target), now);
      } else if (op < 96) {
        Author owner = authors.get(random.nextInt(authors.size()));
        SigningKey key = owner.person.deviceKey("device " + step);
        store.apply(owner.person.delegate(key, now));
        devices.add(new LogWriter(owner.identity(), key, org.grapevine.protocol.log.LogHead.EMPTY));
        continue;
      } else {
        Author owner = authors.get(random.nextInt(authors.size()));
        if (devices.size() > 1 && devices.remove(owner.device)) {
          // Its entries after the last valid seq are purged with the revocation, and it writes no
          // more (a reader refuses what it would).
          store.apply(owner.person.revoke(owner.deviceKey, random.nextInt(50), now));
        }
        continue;
      }
      store.apply(random.nextInt(10) == 0 ? e.withoutContent() : e);
    }
  }
}
