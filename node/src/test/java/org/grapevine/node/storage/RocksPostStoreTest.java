package org.grapevine.node.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.grapevine.protocol.testing.TestAuthors.T0_MILLIS;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.grapevine.node.storage.StoreTesting.Author;
import org.grapevine.protocol.entry.LogEntry;
import org.grapevine.protocol.log.LogHead;
import org.grapevine.protocol.log.LogWriter;
import org.grapevine.protocol.testing.TestAuthors;
import org.grapevine.protocol.validation.DeviceStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@link PostStoreContractTest} against RocksDB, plus what only a store on disk does. */
class RocksPostStoreTest extends PostStoreContractTest {
  @TempDir Path dir;

  private int opened;

  @Override
  PostStore openStore() {
    return RocksPostStore.open(dir);
  }

  @Override
  PostStore openStore(int maxPeers) {
    return RocksPostStore.open(
        dir.resolve("other" + opened++), new StoreConfig(1 << 20, 256 << 10, maxPeers));
  }

  private RocksPostStore rocks() {
    return (RocksPostStore) store;
  }

  /**
   * Issue 12, cases 3 and 4: after a target that arrived after its delete, deletes of held and
   * unheld targets, and a revocation that purges entries (with content, without, a delete among
   * them), every derived row equals what a rebuild computes from the entries left.
   */
  @Test
  void tombstonesAndRevocationPurge_derivedRowsEqualARebuild() {
    Author alice = new Author("alice").delegatedIn(store);
    Author bob = new Author("bob").delegatedIn(store);
    org.grapevine.protocol.crypto.SigningKey phoneKey = alice.person.deviceKey("phone");
    LogWriter phone = alice.person.deviceLog(phoneKey);
    store.apply(alice.person.delegate(phoneKey, T0_MILLIS));
    LogEntry bobs = bob.post("bob's", T0_MILLIS);
    store.apply(bobs);
    LogEntry early = alice.post("deleted before it arrived", T0_MILLIS + 1);
    LogEntry phonePost = phone.append(TestAuthors.post("the phone's"), T0_MILLIS + 1);
    store.apply(phonePost);
    store.apply(phone.append(StoreTesting.delete(early), T0_MILLIS + 2));
    assertThat(store.apply(early).contentDropped()).isTrue();
    store.apply(alice.post("kept", T0_MILLIS + 3));
    // The stolen laptop, after seq 2: a reply, a reaction, a bare post, deletes of a held post and
    // of one not held yet, and a repost.
    store.apply(alice.device.append(StoreTesting.reply("stolen", bobs), T0_MILLIS + 4));
    store.apply(alice.device.append(StoreTesting.reaction("+", bobs), T0_MILLIS + 5));
    store.apply(alice.post("bare", T0_MILLIS + 6).withoutContent());
    store.apply(alice.device.append(StoreTesting.delete(phonePost), T0_MILLIS + 7));
    LogEntry later = phone.append(TestAuthors.post("later"), T0_MILLIS + 8);
    store.apply(alice.device.append(StoreTesting.delete(later), T0_MILLIS + 8));
    store.apply(alice.device.append(StoreTesting.repost(bobs), T0_MILLIS + 9));
    assertThat(store.entryById(phonePost.id()).orElseThrow().hasContent()).isFalse();
    List<String> beforeRevocation = StoreTesting.dumpDerived(rocks());
    rocks().rebuildIndexes();
    assertThat(StoreTesting.dumpDerived(rocks())).containsExactlyElementsOf(beforeRevocation);

    assertThat(store.apply(alice.person.revoke(alice.deviceKey, 2, T0_MILLIS + 10)).purgedEntries())
        .isEqualTo(6);
    store.apply(later);

    List<String> live = StoreTesting.dumpDerived(rocks());
    rocks().rebuildIndexes();
    assertThat(StoreTesting.dumpDerived(rocks())).containsExactlyElementsOf(live);
    assertThat(store.contentMissing(phonePost)).as("its only delete was purged").isTrue();
    assertThat(store.entryById(later.id()).orElseThrow().hasContent()).isTrue();
    assertThat(store.contiguousHead(alice.deviceKey.publicKey())).isEqualTo(2);
  }

  @Test
  void apply_notTheNextSeq_throwsAndWritesNothing() {
    Author alice = new Author("alice").delegatedIn(store);
    alice.post("one", T0_MILLIS);
    LogEntry second = alice.post("two", T0_MILLIS);
    List<String> before = StoreTesting.dumpAll(rocks());

    assertThatThrownBy(() -> store.apply(second))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("head is 0");

    assertThat(StoreTesting.dumpAll(rocks())).isEqualTo(before);
  }

  @Test
  void apply_prevNotTheHeldHead_throwsAndWritesNothing() {
    Author alice = new Author("alice").delegatedIn(store);
    store.apply(alice.post("one", T0_MILLIS));
    // The same device key writing another history from seq 1.
    LogWriter other = new LogWriter(alice.identity(), alice.deviceKey, LogHead.EMPTY);
    other.append(TestAuthors.post("one, differently"), T0_MILLIS);
    LogEntry otherSecond = other.append(TestAuthors.post("two"), T0_MILLIS);
    List<String> before = StoreTesting.dumpAll(rocks());

    assertThatThrownBy(() -> store.apply(otherSecond))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("prev");

    assertThat(StoreTesting.dumpAll(rocks())).isEqualTo(before);
  }

  @Test
  void localState_followsMutesPeersMetadata_surviveReopen() {
    var alice = new Author("alice").identity();
    var bob = new Author("bob").identity();
    store.follow(alice);
    store.follow(bob);
    store.unfollow(bob);
    store.mute(bob);
    store.block(alice);
    assertThat(store.putPeer("12D3KooWpeer", "/ip4/127.0.0.1/tcp/4001")).isTrue();
    store.putMetadata("node.name", "laptop".getBytes(StandardCharsets.UTF_8));

    store.close();
    store = RocksPostStore.open(dir);

    assertThat(store.blocks()).containsExactly(alice);
    assertThat(store.isBlocked(alice)).isTrue();

    assertThat(store.follows()).containsExactly(alice);
    assertThat(store.mutes()).containsExactly(bob);
    assertThat(store.isMuted(bob)).isTrue();
    assertThat(store.isMuted(alice)).isFalse();
    assertThat(store.peers())
        .containsExactly(java.util.Map.entry("12D3KooWpeer", "/ip4/127.0.0.1/tcp/4001"));
    assertThat(store.metadata("node.name"))
        .hasValueSatisfying(
            v -> assertThat(v).isEqualTo("laptop".getBytes(StandardCharsets.UTF_8)));
    assertThat(store.metadata("other")).isEmpty();
    store.unmute(bob);
    assertThat(store.mutes()).isEmpty();
  }

  /**
   * Only identities that may await a deleted target pay the tombstone read ({@link
   * AwaitedTargets}); that knowledge is not stored, so it must be recomputed at open and after a
   * rebuild, or a target arriving then would keep its content.
   */
  @Test
  void targetAfterItsDelete_acrossReopenAndRebuild_storedWithoutContent() {
    Author alice = new Author("alice").delegatedIn(store);
    org.grapevine.protocol.crypto.SigningKey phoneKey = alice.person.deviceKey("phone");
    LogWriter phone = alice.person.deviceLog(phoneKey);
    store.apply(alice.person.delegate(phoneKey, T0_MILLIS));
    LogEntry first = alice.post("first", T0_MILLIS + 1);
    LogEntry second = alice.post("second", T0_MILLIS + 2);
    store.apply(phone.append(StoreTesting.delete(first), T0_MILLIS + 3));
    store.apply(phone.append(StoreTesting.delete(second), T0_MILLIS + 4));

    store.close();
    store = RocksPostStore.open(dir);
    assertThat(store.apply(first).contentDropped()).as("after reopen").isTrue();
    rocks().rebuildIndexes();
    assertThat(store.apply(second).contentDropped()).as("after a rebuild").isTrue();

    assertThat(store.entryById(first.id()).orElseThrow().hasContent()).isFalse();
    assertThat(store.entryById(second.id()).orElseThrow().hasContent()).isFalse();
    Author bob = new Author("bob").delegatedIn(store);
    assertThat(store.apply(bob.post("kept", T0_MILLIS)).contentDropped()).isFalse();
  }

  @Test
  void othersEntriesWrittenWithoutWal_closeFlushesThem_reopenHoldsEverything(
      @TempDir Path nodeDir) {
    Author own = new Author("own");
    Author bob = new Author("bob");
    List<LogEntry> bobs;
    try (RocksPostStore node = RocksPostStore.open(nodeDir, StoreConfig.DEFAULT, own.identity())) {
      bob.delegatedIn(node);
      own.delegatedIn(node);
      bobs = List.of(bob.post("one", T0_MILLIS), bob.post("two", T0_MILLIS + 1));
      bobs.forEach(node::apply);
      node.apply(own.post("mine", T0_MILLIS), true);
      node.persistUnlogged(); // Flushes Bob's entries...
      node.apply(bob.post("three", T0_MILLIS + 2));
      node.persistUnlogged();
      node.persistUnlogged(); // ...and nothing when nothing is WAL-less since the last flush.
      node.apply(bob.post("four", T0_MILLIS + 3)); // Flushed by close.
    }
    try (RocksPostStore reopened = RocksPostStore.open(nodeDir)) {
      assertThat(reopened.contiguousHead(bob.deviceKey.publicKey())).isEqualTo(4);
      assertThat(reopened.contiguousHead(own.deviceKey.publicKey())).isEqualTo(1);
      assertThat(reopened.entryById(bobs.get(1).id()))
          .hasValueSatisfying(e -> assertThat(e.hasContent()).isTrue());
      List<String> live = StoreTesting.dumpDerived(reopened);
      reopened.rebuildIndexes();
      assertThat(StoreTesting.dumpDerived(reopened)).containsExactlyElementsOf(live);
    }
  }

  @Test
  void reopen_afterClose_seesEntriesIndexesAndDevices() {
    Author alice = new Author("alice").delegatedIn(store);
    LogEntry root = alice.post("root", T0_MILLIS);
    store.apply(root, true);
    LogEntry reply = alice.device.append(StoreTesting.reply("me too", root), T0_MILLIS + 1);
    store.apply(reply);
    List<String> before = StoreTesting.dumpAll(rocks());

    store.close();
    store = RocksPostStore.open(dir);

    assertThat(StoreTesting.dumpAll(rocks())).isEqualTo(before);
    assertThat(store.contiguousHead(alice.deviceKey.publicKey())).isEqualTo(2);
    assertThat(store.deviceStatus(alice.identity(), alice.deviceKey.publicKey()))
        .isEqualTo(DeviceStatus.ACTIVE);
    assertThat(store.replies(root.id())).extracting(LogEntry::id).containsExactly(reply.id());
    assertThat(rocks().schemaVersion()).isEqualTo(6);
  }

  @Test
  void open_directoryHeldByAnotherStore_throwsNamingTheDirectory() {
    assertThatThrownBy(() -> RocksPostStore.open(dir))
        .isInstanceOfSatisfying(
            StoreLockedException.class, e -> assertThat(e.directory()).isEqualTo(dir))
        .hasMessageContaining(dir.toString())
        .hasMessageContaining("in use");
  }

  @Test
  void open_afterTheHolderClosed_succeeds_andAFailedOpenDoesNotReleaseTheHoldersLock(
      @TempDir Path other) {
    RocksPostStore first = RocksPostStore.open(other);
    assertThatThrownBy(() -> RocksPostStore.open(other)).isInstanceOf(StoreLockedException.class);
    assertThatThrownBy(() -> RocksPostStore.open(other))
        .as("still held after a refused open")
        .isInstanceOf(StoreLockedException.class);
    first.close();
    RocksPostStore.open(other).close();
  }

  @Test
  void open_manySmallStoresInOneJvm_eachKeepsItsOwnLogs(@TempDir Path many) {
    // The simulator's shape: many stores open at once with the default (small) memory settings.
    List<RocksPostStore> stores = new java.util.ArrayList<>();
    try {
      for (int i = 0; i < 40; i++) {
        RocksPostStore s = RocksPostStore.open(many.resolve("node" + i));
        stores.add(s);
        Author a = new Author("person" + i).delegatedIn(s);
        s.apply(a.post("from node " + i, T0_MILLIS));
      }
      for (int i = 0; i < 40; i++) {
        Author a = new Author("person" + i);
        assertThat(stores.get(i).contiguousHead(a.deviceKey.publicKey())).isEqualTo(1);
        assertThat(
                stores
                    .get(i)
                    .contiguousHead(new Author("person" + ((i + 1) % 40)).deviceKey.publicKey()))
            .isZero();
      }
    } finally {
      stores.forEach(RocksPostStore::close);
    }
  }

  @Test
  void cachedRows_afterRowsChangeBehindTheCache_readTheStoreAgain() {
    Author alice = new Author("alice").delegatedIn(store);
    LogEntry one = alice.post("one", T0_MILLIS);
    store.apply(one);
    store.apply(alice.post("two", T0_MILLIS));
    store.mute(alice.identity());
    assertThat(store.contiguousHead(one.header().author())).isEqualTo(2);
    assertThat(store.storedBytes(alice.identity())).isPositive();

    // A raw delete and a rebuild rewrite rows outside apply: what was cached must not answer.
    rocks().rawDelete(rocks().families().heads(), Keys.head(one.header().author()));
    assertThat(store.contiguousHead(one.header().author())).isZero();
    assertThat(store.entry(one.header().author(), 2)).isPresent();
    rocks().rawDelete(rocks().families().local(), Keys.mute(alice.identity()));
    assertThat(store.isMuted(alice.identity())).isFalse();

    store.rebuildIndexes();
    assertThat(store.contiguousHead(one.header().author())).isEqualTo(2);
    assertThat(store.deviceStatus(alice.identity(), one.header().author()))
        .isEqualTo(DeviceStatus.ACTIVE);
  }

  @Test
  void cachedRows_afterReopen_equalTheStore() {
    Author alice = new Author("alice").delegatedIn(store);
    LogEntry one = alice.post("one", T0_MILLIS);
    store.apply(one);
    store.apply(alice.post("two", T0_MILLIS));
    long bytes = store.storedBytes(alice.identity());
    store.close();

    store = openStore();

    assertThat(store.contiguousHead(one.header().author())).isEqualTo(2);
    assertThat(store.storedBytes(alice.identity())).isEqualTo(bytes);
    assertThat(store.entry(one.header().author(), 3)).isEmpty();
    store.apply(alice.post("three", T0_MILLIS));
    assertThat(store.contiguousHead(one.header().author())).isEqualTo(3);
  }
}
