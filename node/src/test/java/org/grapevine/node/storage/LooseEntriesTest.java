package org.grapevine.node.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.grapevine.protocol.testing.TestAuthors.T0_MILLIS;

import java.nio.file.Path;
import java.util.List;
import org.grapevine.node.storage.StoreTesting.Author;
import org.grapevine.protocol.entry.LogEntry;
import org.grapevine.protocol.testing.TestContent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Loose entries (issue 15, {@link PostStore#applyLoose}) against both stores: threads, counts and
 * lookups see them, the chain does not; the chain reaching them replaces them; a revocation takes
 * the device's later ones; a rebuild keeps them.
 */
class LooseEntriesTest {
  @TempDir Path dir;

  @ParameterizedTest
  @EnumSource(StoreKind.class)
  void looseReplyAndReaction_showInThreadAndCounts_notInTheChain(StoreKind kind) {
    try (PostStore store = kind.open(dir)) {
      Author bob = new Author("bob").delegatedIn(store);
      Author carol = new Author("carol"); // Her root log is not held.
      LogEntry post = bob.post("hello", T0_MILLIS);
      store.apply(post);
      carol.post("an earlier post, never seen here", T0_MILLIS + 1);
      LogEntry reply = carol.device.append(TestContent.reply("hi Bob", post), T0_MILLIS + 2);
      LogEntry heart = carol.device.append(TestContent.reaction("❤", post), T0_MILLIS + 3);

      assertThat(store.applyLoose(reply)).isTrue();
      assertThat(store.applyLoose(heart)).isTrue();
      assertThat(store.applyLoose(reply)).as("a second time").isFalse();

      assertThat(store.replies(post.id())).extracting(LogEntry::id).containsExactly(reply.id());
      assertThat(store.reactions(post.id())).extracting(LogEntry::id).containsExactly(heart.id());
      assertThat(store.counts(post.id()).replies()).isEqualTo(1);
      assertThat(store.counts(post.id()).reactionTotal()).isEqualTo(1);
      assertThat(store.entryById(reply.id()).orElseThrow().content()).isEqualTo(reply.content());
      // Not part of the chain: sync and the chain rules see nothing of Carol.
      assertThat(store.contiguousHead(carol.deviceKey.publicKey())).isZero();
      assertThat(store.entry(carol.deviceKey.publicKey(), 2)).isEmpty();
      assertThat(store.storedBytes(carol.identity())).isZero();
      assertThat(store.identities()).doesNotContain(carol.identity());
      assertThat(store.looseEntries())
          .extracting(LogEntry::id)
          .containsExactly(reply.id(), heart.id());

      store.rebuildIndexes();
      assertThat(store.replies(post.id())).extracting(LogEntry::id).containsExactly(reply.id());
      assertThat(store.counts(post.id()).reactionTotal()).isEqualTo(1);
    }
  }

  @ParameterizedTest
  @EnumSource(StoreKind.class)
  void theChainReachingALooseEntry_replacesIt(StoreKind kind) {
    try (PostStore store = kind.open(dir)) {
      Author bob = new Author("bob").delegatedIn(store);
      Author carol = new Author("carol");
      LogEntry post = bob.post("hello", T0_MILLIS);
      store.apply(post);
      LogEntry first = carol.post("first", T0_MILLIS + 1);
      LogEntry reply = carol.device.append(TestContent.reply("hi Bob", post), T0_MILLIS + 2);
      assertThat(store.applyLoose(reply)).isTrue();

      // Bob follows Carol: her logs arrive in order.
      carol.delegatedIn(store);
      store.apply(first);
      store.apply(reply);

      assertThat(store.looseEntries()).isEmpty();
      assertThat(store.contiguousHead(carol.deviceKey.publicKey())).isEqualTo(2);
      assertThat(store.replies(post.id())).extracting(LogEntry::id).containsExactly(reply.id());
      assertThat(store.storedBytes(carol.identity()))
          .as("the loose entry counted once, chained")
          .isEqualTo(
              carol.delegation.header().contentSize()
                  + first.header().contentSize()
                  + reply.header().contentSize());
      assertThat(store.applyLoose(reply)).as("chained now").isFalse();
      if (store instanceof RocksPostStore rocks) {
        List<String> live = StoreTesting.dumpDerived(rocks);
        rocks.rebuildIndexes();
        assertThat(StoreTesting.dumpDerived(rocks)).isEqualTo(live);
      }
    }
  }

  @ParameterizedTest
  @EnumSource(StoreKind.class)
  void aForkAtALooseEntrysPlace_dropsTheLooseEntrysRows(StoreKind kind) {
    try (PostStore store = kind.open(dir)) {
      Author bob = new Author("bob").delegatedIn(store);
      Author carol = new Author("carol");
      LogEntry post = bob.post("hello", T0_MILLIS);
      store.apply(post);
      // Two different entries at seq 1 of Carol's device: one seen loose, the other chained.
      Author carolAgain = new Author("carol");
      LogEntry loose = carol.device.append(TestContent.reply("hi Bob", post), T0_MILLIS + 1);
      LogEntry chained = carolAgain.post("something else", T0_MILLIS + 2);
      assertThat(store.applyLoose(loose)).isTrue();

      carol.delegatedIn(store);
      store.apply(chained);

      assertThat(store.replies(post.id())).isEmpty();
      assertThat(store.entryById(loose.id())).isEmpty();
      assertThat(store.entryById(chained.id())).isPresent();
      assertThat(store.counts(post.id()).replies()).isZero();
    }
  }

  @ParameterizedTest
  @EnumSource(StoreKind.class)
  void aRevocation_takesTheDevicesLaterLooseEntries(StoreKind kind) {
    try (PostStore store = kind.open(dir)) {
      Author bob = new Author("bob").delegatedIn(store);
      Author carol = new Author("carol");
      LogEntry post = bob.post("hello", T0_MILLIS);
      store.apply(post);
      LogEntry early = carol.device.append(TestContent.reply("before", post), T0_MILLIS + 1);
      LogEntry late = carol.device.append(TestContent.reply("after", post), T0_MILLIS + 2);
      assertThat(store.applyLoose(early)).isTrue();
      assertThat(store.applyLoose(late)).isTrue();

      carol.delegatedIn(store);
      store.apply(carol.person.revoke(carol.deviceKey, 1, T0_MILLIS + 3));

      assertThat(store.replies(post.id())).extracting(LogEntry::id).containsExactly(early.id());
      assertThat(store.looseEntries()).extracting(LogEntry::id).containsExactly(early.id());
    }
  }

  /**
   * The bytes of loose entries are counted as they come and go; eviction removes the oldest (by
   * timestamp, whatever the order they came in) with their rows, and the count is the same after a
   * reopen.
   */
  @ParameterizedTest
  @EnumSource(StoreKind.class)
  void evictLoose_removesTheOldestFirst_withTheirRows_andTheCountFollows(StoreKind kind) {
    Author bob = new Author("bob");
    Author carol = new Author("carol");
    Author dave = new Author("dave");
    LogEntry post = bob.post("hello", T0_MILLIS);
    LogEntry carols = carol.device.append(TestContent.reply("newest", post), T0_MILLIS + 30);
    LogEntry daves1 = dave.device.append(TestContent.reply("oldest", post), T0_MILLIS + 10);
    LogEntry daves2 = dave.device.append(TestContent.reply("middle", post), T0_MILLIS + 20);
    long each = PostStore.looseSize(carols.signed());
    try (PostStore store = kind.open(dir)) {
      bob.delegatedIn(store);
      store.apply(post);
      assertThat(store.looseBytes()).isZero();
      for (LogEntry e : List.of(carols, daves1, daves2)) {
        assertThat(store.applyLoose(e)).isTrue();
      }
      long all = each + PostStore.looseSize(daves1.signed()) + PostStore.looseSize(daves2.signed());
      assertThat(store.looseBytes()).isEqualTo(all);
      assertThat(store.evictLoose(all)).as("within the target").isEmpty();

      List<LogEntry> evicted = store.evictLoose(all - 1);

      assertThat(evicted).extracting(LogEntry::id).containsExactly(daves1.id());
      assertThat(evicted.get(0).content()).isEqualTo(daves1.content());
      assertThat(store.looseBytes()).isEqualTo(all - PostStore.looseSize(daves1.signed()));
      assertThat(store.entryById(daves1.id())).isEmpty();
      assertThat(store.replies(post.id()))
          .extracting(LogEntry::id)
          .containsExactlyInAnyOrder(daves2.id(), carols.id());

      assertThat(store.evictLoose(each)).extracting(LogEntry::id).containsExactly(daves2.id());
    }
    if (kind == StoreKind.ROCKS) {
      try (PostStore reopened = RocksPostStore.open(dir)) {
        assertThat(reopened.looseBytes()).isEqualTo(each);
        assertThat(reopened.looseEntries()).extracting(LogEntry::id).containsExactly(carols.id());
      }
    }
  }

  @Test
  void rocks_looseEntriesSurviveReopen() {
    Author bob = new Author("bob");
    Author carol = new Author("carol");
    LogEntry post = bob.post("hello", T0_MILLIS);
    LogEntry reply = carol.device.append(TestContent.reply("hi Bob", post), T0_MILLIS + 1);
    try (PostStore store = RocksPostStore.open(dir)) {
      bob.delegatedIn(store);
      store.apply(post);
      assertThat(store.applyLoose(reply)).isTrue();
    }
    try (PostStore store = RocksPostStore.open(dir)) {
      assertThat(store.replies(post.id())).extracting(LogEntry::id).containsExactly(reply.id());
      assertThat(store.applyLoose(reply)).isFalse();
    }
  }

  @ParameterizedTest
  @EnumSource(StoreKind.class)
  void applyLoose_refusesRootLogAndBareEntries(StoreKind kind) {
    try (PostStore store = kind.open(dir)) {
      Author carol = new Author("carol");
      assertThatThrownBy(() -> store.applyLoose(carol.delegation))
          .isInstanceOf(IllegalArgumentException.class);
      LogEntry bare = carol.post("x", T0_MILLIS).withoutContent();
      assertThatThrownBy(() -> store.applyLoose(bare)).isInstanceOf(IllegalArgumentException.class);
    }
  }
}
