package org.grapevine.cli.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.grapevine.cli.Main;
import org.grapevine.cli.StdCapture;
import org.grapevine.cli.TestNode;
import org.grapevine.node.storage.RocksPostStore;
import org.grapevine.node.storage.TimelineCursor;
import org.grapevine.protocol.entry.LogEntry;
import org.grapevine.protocol.identity.Identity;
import org.grapevine.protocol.proto.Content;
import org.grapevine.protocol.proto.Post;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.DBOptions;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksIterator;

/**
 * {@code grapevine store rebuild-indexes} on a real store: indexes deleted behind the store's back
 * come back from the entries; a running node (its API, or only its store lock) is refused with one
 * line.
 */
@Timeout(120)
class StoreCommandIT {
  @RegisterExtension final StdCapture std = new StdCapture();

  @TempDir Path tmp;

  private int run(String... args) {
    std.reset();
    return Main.execute(args);
  }

  private static List<LogEntry> timeline(Path dataDir, Identity who) {
    try (RocksPostStore store = RocksPostStore.open(dataDir.resolve("store"))) {
      return store.timeline(Set.of(who), TimelineCursor.before(Long.MAX_VALUE), 50);
    }
  }

  /**
   * Deletes every row of the "indexes" column family with RocksDB itself: damage the store cannot
   * see coming.
   */
  private static int wipeIndexes(Path storeDir) throws Exception {
    RocksDB.loadLibrary();
    List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
    try (Options o = new Options()) {
      for (byte[] name : RocksDB.listColumnFamilies(o, storeDir.toString())) {
        descriptors.add(new ColumnFamilyDescriptor(name));
      }
    }
    List<ColumnFamilyHandle> handles = new ArrayList<>();
    int deleted = 0;
    try (DBOptions o = new DBOptions();
        RocksDB db = RocksDB.open(o, storeDir.toString(), descriptors, handles)) {
      for (int i = 0; i < descriptors.size(); i++) {
        if (new String(descriptors.get(i).getName(), StandardCharsets.UTF_8).equals("indexes")) {
          try (RocksIterator it = db.newIterator(handles.get(i))) {
            for (it.seekToFirst(); it.isValid(); it.next()) {
              db.delete(handles.get(i), it.key());
              deleted++;
            }
          }
        }
      }
      handles.forEach(ColumnFamilyHandle::close);
    }
    return deleted;
  }

  @Test
  void rebuildIndexes_afterIndexRowsWereDeleted_timelineComesBack() throws Exception {
    Path dir = tmp.resolve("alice");
    Identity who;
    List<String> posted = new ArrayList<>();
    try (TestNode node = TestNode.start(dir)) {
      who = node.node().identity();
      for (int i = 0; i < 3; i++) {
        node.node()
            .post(Content.newBuilder().setPost(Post.newBuilder().setText("post " + i)).build());
        posted.add("post " + i);
      }
      assertThat(run("store", "rebuild-indexes", "--data-dir", dir.toString())).isEqualTo(1);
      assertThat(std.err()).contains("is running; stop it first").hasLineCount(1);
    }
    List<String> before =
        timeline(dir, who).stream()
            .map(e -> e.content().orElseThrow().getPost().getText())
            .toList();
    assertThat(before).containsExactlyInAnyOrderElementsOf(posted);
    assertThat(wipeIndexes(dir.resolve("store"))).isGreaterThan(0);
    assertThat(timeline(dir, who)).isEmpty(); // The damage is real.

    assertThat(run("store", "rebuild-indexes", "--data-dir", dir.toString()))
        .as(std.err())
        .isZero();
    assertThat(std.out())
        .startsWith("rebuilt the indexes of " + dir.resolve("store"))
        .contains(" entries of 1 identities in ");
    List<String> after =
        timeline(dir, who).stream()
            .map(e -> e.content().orElseThrow().getPost().getText())
            .toList();
    assertThat(after).isEqualTo(before);
  }

  @SuppressWarnings("try") // `held` is opened only to hold the store's lock
  @Test
  void rebuildIndexes_storeLockedByAnotherProcess_saysStopTheNode() throws Exception {
    Path dir = tmp.resolve("bob");
    try (TestNode node = TestNode.start(dir)) {
      node.node().identity();
    }
    try (RocksPostStore held =
        RocksPostStore.open(dir.resolve("store"))) { // A node without its API file.
      assertThat(run("store", "rebuild-indexes", "--data-dir", dir.toString())).isEqualTo(1);
      assertThat(std.err())
          .contains("is in use by a running node")
          .contains("stop that node first")
          .hasLineCount(1);
    }
    assertThat(run("store", "rebuild-indexes", "--data-dir", tmp.resolve("nobody").toString()))
        .isEqualTo(1);
    assertThat(std.err()).contains("no store in").hasLineCount(1);
  }
}
