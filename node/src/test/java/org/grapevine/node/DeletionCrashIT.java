package org.grapevine.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.grapevine.node.storage.RocksPostStore;
import org.grapevine.node.storage.StoreDumps;
import org.grapevine.protocol.entry.EntryId;
import org.grapevine.protocol.entry.LogEntry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Crash safety of the write paths of issue 12, cases 3 and 4: tombstone writes (a delete before and
 * after its target, a target stored without its content) and revocation purges. A child JVM ({@link
 * DeletionCrashChild}) ingests script after script through the engine into a RocksDB store and
 * prints an ack after each ingest returns; the test kills it with SIGKILL after a random number of
 * acks (so a kill lands in the middle of whatever write comes next), restarts it on the same
 * directory several times, and then checks the store:
 *
 * <ol>
 *   <li>every acknowledged entry (as a node writes others' entries, without the WAL: every one
 *       acknowledged before a flush) is held, except those a held revocation purged, which are
 *       gone;
 *   <li>each delete held has its effect: its target (if held) has no content and is deleted, while
 *       a target whose only delete was purged is not deleted (its content is missing or held);
 *   <li>an acknowledged content fill is held; an entry whose content is not filled is missing;
 *   <li>a revoked phone's head is its last valid seq;
 *   <li>every derived row equals an index rebuild (a half-written batch would differ).
 * </ol>
 *
 * A killed process loses nothing the kernel has accepted (the WAL is written before each ingest
 * returns); what power loss would do is {@link CrashIT}'s note.
 */
@Timeout(300)
class DeletionCrashIT {
  private static final int ROUNDS = 8;
  @TempDir Path dir;

  @Test
  void deletesAndRevocations_killedBySigkillRepeatedly_nothingAckedLost_storeEqualsARebuild()
      throws Exception {
    run(false, 20261202);
  }

  /**
   * The same with the store opened as a node opens it: the scripts' entries are others', written
   * without the WAL, so only what was acked before a flush must survive; the store must still be a
   * consistent prefix (the rows of a tombstone write or a purge are one batch of one identity).
   */
  @Test
  void deletesAndRevocations_writtenWithoutTheWal_killed_flushedKept_storeEqualsARebuild()
      throws Exception {
    run(true, 20261203);
  }

  private void run(boolean asNode, long seed) throws Exception {
    Random random = new Random(seed);
    Path data = dir.resolve(asNode ? "node-store" : "store");
    java.util.SortedMap<Integer, java.util.SortedSet<Integer>> kept = new TreeMap<>();
    int lost = 0;
    for (int round = 0; round < ROUNDS; round++) {
      List<int[]> unflushed = runAndKill(data, asNode, 20 + random.nextInt(150), kept, round);
      try (RocksPostStore store = RocksPostStore.open(data)) {
        for (int[] ack : unflushed) {
          LogEntry e = DeletionCrashChild.script(ack[0]).get(ack[1]);
          lost += store.entryById(e.id()).isEmpty() ? 1 : 0;
        }
      }
    }
    checkStore(data, kept);
    if (asNode) {
      // Or the kills never caught a WAL-less write unflushed, and this tested nothing more.
      assertThat(lost).as("acked entries written after the last flush and lost").isPositive();
    }
  }

  private void checkStore(
      Path data, java.util.SortedMap<Integer, java.util.SortedSet<Integer>> kept) {
    try (RocksPostStore store = RocksPostStore.open(data)) {
      int revoked = 0;
      for (var person : kept.entrySet()) {
        int k = person.getKey();
        List<LogEntry> script = DeletionCrashChild.script(k);
        boolean isRevoked =
            store.contiguousHead(DeletionCrashChild.person(k).root.publicKey()) >= 3;
        revoked += isRevoked ? 1 : 0;
        // 1. Kept acks' entries are held, unless purged by a held revocation.
        for (int i : person.getValue()) {
          EntryId id = script.get(i).id();
          if (isRevoked && DeletionCrashChild.PURGED.contains(i)) {
            assertThat(store.entryById(id)).as("purged %d/%d", k, i).isEmpty();
          } else {
            assertThat(store.entryById(id)).as("kept %d/%d", k, i).isPresent();
          }
        }
        // 2. Deletes took effect, or were undone with the purge of the thief's deletes.
        checkDeleted(store, script, 4, 7, false); // The phone's valid delete of L1.
        checkDeleted(store, script, 6, 5, isRevoked); // The thief's delete of P4.
        checkDeleted(store, script, 10, 8, isRevoked); // The thief's delete of L2.
        // 3. Filled content stays filled; content not filled yet is missing, never deleted.
        var l4 = store.entryById(script.get(DeletionCrashChild.BARE).id());
        if (person.getValue().contains(DeletionCrashChild.BARE + 1)) {
          assertThat(l4.orElseThrow().hasContent()).as("filled %d", k).isTrue();
        } else if (l4.isPresent() && !l4.get().hasContent()) {
          assertThat(store.contentMissing(l4.get())).isTrue();
        }
        // 4. The revoked phone's log ends at its last valid seq.
        if (isRevoked) {
          assertThat(store.contiguousHead(script.get(3).header().author()))
              .isEqualTo(DeletionCrashChild.LAST_VALID_SEQ);
        }
      }
      assertThat(revoked).as("revocations applied (purges exercised)").isGreaterThan(ROUNDS);
      // 5. Derived rows equal a rebuild from the entries.
      List<String> live = StoreDumps.derived(store);
      store.rebuildIndexes();
      assertThat(StoreDumps.derived(store)).containsExactlyElementsOf(live);
    }
  }

  /**
   * If the target ({@code script[target]}) is held: with the delete ({@code script[delete]}) held,
   * it is deleted and bare; with the delete purged, it is not deleted.
   */
  private static void checkDeleted(
      RocksPostStore store, List<LogEntry> script, int delete, int target, boolean purged) {
    var held = store.entryById(script.get(target).id());
    if (held.isEmpty()) {
      return;
    }
    if (purged) {
      assertThat(store.deleted(held.get())).as("target of a purged delete").isFalse();
      assertThat(held.get().hasContent() || store.contentMissing(held.get())).isTrue();
    } else if (store.entryById(script.get(delete).id()).isPresent()) {
      assertThat(store.deleted(held.get())).as("target of a held delete").isTrue();
      assertThat(held.get().hasContent()).isFalse();
      assertThat(store.contentMissing(held.get())).isFalse();
    }
  }

  private static void keep(
      java.util.Map<Integer, java.util.SortedSet<Integer>> kept, List<int[]> pending) {
    for (int[] ack : pending) {
      kept.computeIfAbsent(ack[0], x -> new TreeSet<>()).add(ack[1]);
    }
    pending.clear();
  }

  /**
   * Runs the child until {@code killAfter} acks, kills it, and records in {@code kept} the acks
   * that must survive: every one when logged, those before the last flush as a node. Returns the
   * acks that need not survive (after the last flush).
   */
  private List<int[]> runAndKill(
      Path data,
      boolean asNode,
      int killAfter,
      java.util.Map<Integer, java.util.SortedSet<Integer>> kept,
      int round)
      throws Exception {
    Path stderr = dir.resolve((asNode ? "node-" : "") + "child-" + round + ".log");
    Process child =
        ChildJvm.start(
            stderr, DeletionCrashChild.class, data.toString(), asNode ? "node" : "logged");
    try (BufferedReader out =
        new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      int acks = 0;
      boolean killed = false;
      List<int[]> pending = new java.util.ArrayList<>();
      for (String line = out.readLine(); line != null; line = out.readLine()) {
        String[] parts = line.split(" ", -1);
        if (parts.length == 4 && parts[0].equals("acked") && parts[3].length() == 64) {
          int k = Integer.parseInt(parts[1]);
          int i = Integer.parseInt(parts[2]);
          assertThat(DeletionCrashChild.script(k).get(i).id()).isEqualTo(EntryId.parse(parts[3]));
          pending.add(new int[] {k, i});
          if (!asNode) {
            keep(kept, pending); // Logged: acked is kept.
          }
          acks++;
        } else if (parts[0].equals("persisted")) {
          keep(kept, pending); // Flushed: what was acked before is kept.
        }
        if (!killed && acks >= killAfter) {
          // SIGKILL on Linux, through the handle so the acks already written are still read.
          child.toHandle().destroyForcibly();
          killed = true;
        }
      }
      assertThat(killed)
          .as("child ended by itself; its log: %s", Files.readString(stderr))
          .isTrue();
      return pending; // Acked after the last flush (as a node): not owed.
    } finally {
      child.destroyForcibly();
      assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
    }
  }
}
