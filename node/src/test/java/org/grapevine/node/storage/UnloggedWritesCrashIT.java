package org.grapevine.node.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.grapevine.protocol.entry.EntryId;
import org.grapevine.protocol.identity.AuthorKey;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Other people's entries are written without the WAL ({@link RocksPostStore}'s class comment): a
 * child JVM ({@link UnloggedWritesChild}) writes others' entries (WAL-less), own entries (synced)
 * and flushes now and then; the test kills it with SIGKILL at a random moment, several times, and
 * checks the store: every acknowledged own entry is held; of every other log, at least what the
 * last flush persisted is held, as a prefix (no hole, nothing beyond the head); the derived rows
 * equal a rebuild (no batch torn across column families); and WAL-less entries written after the
 * last flush were indeed lost at least once, or the test would not be testing WAL-less writes.
 */
@Timeout(300)
class UnloggedWritesCrashIT {
  private static final int ROUNDS = 4;
  @TempDir Path dir;

  @Test
  void killedBySigkill_ownAckedKept_othersKeepAPrefixAtLeastThePersistedOne() throws Exception {
    Random random = new Random(20261202);
    Path data = dir.resolve("store");
    TreeMap<Long, EntryId> acked = new TreeMap<>();
    Map<String, Long> persisted = new HashMap<>();
    long lost = 0;
    for (int round = 0; round < ROUNDS; round++) {
      Map<String, Long> applied = new HashMap<>();
      // At least one flush, then a random number of entries past it.
      int killAfterApplied =
          UnloggedWritesChild.PERSIST_EVERY * 2
              + random.nextInt(UnloggedWritesChild.PERSIST_EVERY * 4);
      runAndKill(data, round, killAfterApplied, acked, persisted, applied);
      lost += checkStore(data, acked, persisted, applied);
    }
    assertThat(lost)
        .as("entries of others applied after the last flush and lost by the kill, in all rounds")
        .isPositive();
  }

  private void runAndKill(
      Path data,
      int round,
      int killAfterApplied,
      Map<Long, EntryId> acked,
      Map<String, Long> persisted,
      Map<String, Long> applied)
      throws Exception {
    Path stderr = dir.resolve("child-" + round + ".log");
    Process child =
        org.grapevine.node.ChildJvm.start(stderr, UnloggedWritesChild.class, data.toString());
    int count = 0;
    try (BufferedReader out =
        new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line = out.readLine(); line != null; line = out.readLine()) {
        String[] w = line.split(" ", -1);
        switch (w[0]) {
          case "applied" -> {
            applied.merge(w[1], Long.parseLong(w[2]), Math::max);
            count++;
          }
          case "acked" -> acked.put(Long.parseLong(w[1]), EntryId.parse(w[2]));
          case "persisted" -> {
            for (int i = 1; i + 1 < w.length; i += 2) {
              persisted.put(w[i], Long.parseLong(w[i + 1]));
            }
          }
          default -> {}
        }
        if (count >= killAfterApplied) {
          child.toHandle().destroyForcibly(); // SIGKILL on Linux: no close, no flush.
          break;
        }
      }
    } finally {
      child.toHandle().destroyForcibly();
      assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(count).as("entries applied; child's log: %s", Files.readString(stderr)).isPositive();
  }

  /** Checks the store after a kill; returns how many applied entries of others it lost. */
  private static long checkStore(
      Path data, Map<Long, EntryId> acked, Map<String, Long> persisted, Map<String, Long> applied) {
    long lost = 0;
    try (RocksPostStore store = RocksPostStore.open(data)) {
      AuthorKey own = new StoreTesting.Author(UnloggedWritesChild.OWN).deviceKey.publicKey();
      for (var e : acked.entrySet()) {
        assertThat(store.entry(own, e.getKey()))
            .as("acked own seq %d", e.getKey())
            .hasValueSatisfying(s -> assertThat(s.id()).isEqualTo(e.getValue()));
      }
      for (String name : UnloggedWritesChild.OTHERS) {
        AuthorKey device = new StoreTesting.Author(name).deviceKey.publicKey();
        long head = store.contiguousHead(device);
        assertThat(head)
            .as("%s's head against its last flush", name)
            .isGreaterThanOrEqualTo(persisted.getOrDefault(name, 0L));
        assertThat(store.entry(device, head + 1)).as("%s: nothing beyond the head", name).isEmpty();
        for (long seq = 1; seq <= head; seq++) {
          assertThat(store.logEntry(device, seq))
              .as("%s seq %d held with its content", name, seq)
              .hasValueSatisfying(e -> assertThat(e.hasContent()).isTrue());
        }
        lost += Math.max(0, applied.getOrDefault(name, 0L) - head);
      }
      List<String> live = StoreTesting.dumpDerived(store);
      store.rebuildIndexes();
      assertThat(StoreTesting.dumpDerived(store)).containsExactlyElementsOf(live);
    }
    return lost;
  }
}
