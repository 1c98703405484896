package org.grapevine.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.grapevine.node.search.SearchIndex;
import org.grapevine.node.search.SearchIndexes;
import org.grapevine.node.storage.RocksPostStore;
import org.grapevine.protocol.entry.LogEntry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The search index's crash rule with a real SIGKILL: a child JVM ({@link SearchCrashChild}) ingests
 * {@link DeletionCrashChild#script}s (posts, deletes, a purge, a fill) through the engine with the
 * index on, and is killed after a random number of acks, several times on the same data directory.
 * After each kill:
 *
 * <ol>
 *   <li>opening the index rebuilds it and says why (the node did not close it cleanly);
 *   <li>it then equals a rebuild of the same store in another directory;
 *   <li>it holds exactly the store's held posts with content: a deleted or purged post is not
 *       found, a filled one is.
 * </ol>
 *
 * Then a child closes cleanly: the next open keeps the index (no rebuild), and what the live path
 * wrote equals a rebuild.
 */
@Timeout(300)
class SearchCrashIT {
  private static final int ROUNDS = 4;
  @TempDir Path dir;

  @Test
  void killedBySigkill_indexRebuiltAtStart_equalsARebuild_cleanCloseKeepsTheLivePathsIndex()
      throws Exception {
    Random random = new Random(20261203);
    Path data = dir.resolve("data");
    for (int round = 0; round < ROUNDS; round++) {
      String started = runChild(data, round, 20 + random.nextInt(120), false);
      // The test closed the index cleanly after the last kill: the child keeps it.
      assertThat(started).isEqualTo(round == 0 ? "no_index_yet" : "-");
      try (RocksPostStore store = RocksPostStore.open(data.resolve("store"))) {
        List<String> dump;
        try (SearchIndex index = SearchIndex.open(SearchIndex.directoryIn(data), store, false)) {
          assertThat(index.rebuiltBecause()).contains("the node did not close it cleanly");
          dump = SearchIndexes.dump(index);
        }
        assertThat(dump).isEqualTo(rebuilt(store, "rebuilt-" + round));
        assertThat(dump).isEqualTo(heldPosts(store));
      }
    }
    String started = runChild(data, ROUNDS, 60, true);
    assertThat(started).isEqualTo("-");
    try (RocksPostStore store = RocksPostStore.open(data.resolve("store"));
        SearchIndex index = SearchIndex.open(SearchIndex.directoryIn(data), store, false)) {
      assertThat(index.rebuiltBecause()).isEmpty();
      List<String> live = SearchIndexes.dump(index);
      assertThat(live).isEqualTo(rebuilt(store, "rebuilt-clean"));
      assertThat(live).isEqualTo(heldPosts(store));
      assertThat(live).hasSizeGreaterThan(20);
    }
  }

  /** {@code post <id>} of every scripted post the store holds with its content, sorted. */
  private static List<String> heldPosts(RocksPostStore store) {
    Set<String> out = new TreeSet<>();
    for (int k = 0; ; k++) {
      List<LogEntry> script = DeletionCrashChild.script(k);
      if (store.entryById(script.get(0).id()).isEmpty()) {
        break;
      }
      for (LogEntry e : script) {
        store
            .entryById(e.id())
            .filter(h -> h.hasContent() && h.content().get().hasPost())
            .ifPresent(h -> out.add("post " + h.id().toHex()));
      }
    }
    return new ArrayList<>(out);
  }

  private List<String> rebuilt(RocksPostStore store, String name) throws Exception {
    try (SearchIndex other = SearchIndex.open(dir.resolve(name), store, true)) {
      return SearchIndexes.dump(other);
    }
  }

  /**
   * Runs the child until {@code acks} acks, then kills it (or, {@code clean}, lets it close after
   * that many and exit). Returns the reason it gave for rebuilding at start.
   */
  private String runChild(Path data, int round, int acks, boolean clean) throws Exception {
    Path stderr = dir.resolve("child-" + round + ".log");
    Process child =
        clean
            ? ChildJvm.start(
                stderr, SearchCrashChild.class, data.toString(), "clean", Integer.toString(acks))
            : ChildJvm.start(stderr, SearchCrashChild.class, data.toString(), "kill");
    String started = null;
    boolean ended = false;
    try (BufferedReader out =
        new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      int seen = 0;
      for (String line = out.readLine(); line != null; line = out.readLine()) {
        String[] parts = line.split(" ", -1);
        if (parts[0].equals("started")) {
          started = parts[2];
        } else if (parts[0].equals("acked") && ++seen >= acks && !clean && !ended) {
          child.toHandle().destroyForcibly(); // SIGKILL on Linux.
          ended = true;
        } else if (parts[0].equals("closed")) {
          ended = true;
        }
      }
      assertThat(ended).as("child ended by itself; its log: %s", Files.readString(stderr)).isTrue();
      return started;
    } finally {
      child.destroyForcibly();
      assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
    }
  }
}
