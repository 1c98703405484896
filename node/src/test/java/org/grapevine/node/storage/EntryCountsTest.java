package org.grapevine.node.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.grapevine.protocol.testing.TestAuthors.T0_MILLIS;

import java.nio.file.Path;
import java.util.Map;
import org.grapevine.node.storage.StoreTesting.Author;
import org.grapevine.protocol.entry.EntryId;
import org.grapevine.protocol.entry.LogEntry;
import org.grapevine.protocol.testing.TestContent;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link PostStore#counts} against both stores (RocksDB in a temporary directory, and memory): per
 * emoji, direct replies only, and what a delete, a revocation and a rebuild do to the counts.
 */
class EntryCountsTest {
  @TempDir Path dir;

  @ParameterizedTest
  @EnumSource(StoreKind.class)
  void counts_repliesRepostsAndReactionsPerEmoji(StoreKind kind) {
    try (PostStore store = kind.open(dir)) {
      Author alice = new Author("alice").delegatedIn(store);
      Author bob = new Author("bob").delegatedIn(store);
      LogEntry root = alice.post("root", T0_MILLIS);
      store.apply(root);
      LogEntry reply = bob.device.append(StoreTesting.reply("re", root), T0_MILLIS + 1);
      store.apply(reply);
      store.apply(alice.device.append(StoreTesting.reply("re re", reply), T0_MILLIS + 2));
      store.apply(bob.device.append(StoreTesting.reaction("❤", root), T0_MILLIS + 3));
      store.apply(alice.device.append(StoreTesting.reaction("❤", root), T0_MILLIS + 4));
      store.apply(bob.device.append(StoreTesting.reaction("👍", root), T0_MILLIS + 5));
      store.apply(bob.device.append(StoreTesting.repost(root), T0_MILLIS + 6));
      store.apply(alice.device.append(StoreTesting.reaction("🍇", reply), T0_MILLIS + 7));

      EntryCounts c = store.counts(root.id());

      assertThat(c.replies()).isEqualTo(1); // Direct replies only; "re re" answers the reply.
      assertThat(c.reposts()).isEqualTo(1);
      // In emoji (string) order.
      assertThat(c.reactions())
          .containsExactly(
              org.assertj.core.api.Assertions.entry("❤", 2L),
              org.assertj.core.api.Assertions.entry("👍", 1L));
      assertThat(c.reactionTotal()).isEqualTo(3);
      EntryCounts ofReply = store.counts(reply.id());
      assertThat(ofReply.replies()).isEqualTo(1);
      assertThat(ofReply.reposts()).isZero();
      assertThat(ofReply.reactions()).containsExactlyEntriesOf(Map.of("🍇", 1L));
      assertThat(store.counts(EntryId.of(new byte[32]))).isEqualTo(EntryCounts.NONE);
    }
  }

  @ParameterizedTest
  @EnumSource(StoreKind.class)
  void counts_deletedReactionReplyRepost_noLongerCount_anotherIdentitysDeleteDoesNothing(
      StoreKind kind) {
    try (PostStore store = kind.open(dir)) {
      Author alice = new Author("alice").delegatedIn(store);
      Author bob = new Author("bob").delegatedIn(store);
      LogEntry root = alice.post("root", T0_MILLIS);
      store.apply(root);
      LogEntry heart = bob.device.append(StoreTesting.reaction("❤", root), T0_MILLIS + 1);
      LogEntry thumbs = bob.device.append(StoreTesting.reaction("👍", root), T0_MILLIS + 2);
      LogEntry reply = bob.device.append(StoreTesting.reply("re", root), T0_MILLIS + 3);
      LogEntry repost = bob.device.append(StoreTesting.repost(root), T0_MILLIS + 4);
      for (LogEntry e : new LogEntry[] {heart, thumbs, reply, repost}) {
        store.apply(e);
      }
      assertThat(store.counts(root.id()))
          .isEqualTo(new EntryCounts(1, 1, new java.util.TreeMap<>(Map.of("❤", 1L, "👍", 1L))));

      // Alice cannot delete Bob's reaction: a delete by another identity deletes nothing.
      store.apply(alice.device.append(StoreTesting.delete(heart), T0_MILLIS + 5));
      assertThat(store.counts(root.id()).reactions()).containsKey("❤");

      store.apply(bob.device.append(StoreTesting.delete(heart), T0_MILLIS + 6));
      assertThat(store.counts(root.id()).reactions())
          .containsExactlyEntriesOf(Map.of("👍", 1L)); // The emoji is gone, not at zero.

      store.apply(bob.device.append(StoreTesting.delete(reply), T0_MILLIS + 7));
      store.apply(bob.device.append(StoreTesting.delete(repost), T0_MILLIS + 8));
      EntryCounts after = store.counts(root.id());
      assertThat(after.replies()).isZero();
      assertThat(after.reposts()).isZero();

      store.rebuildIndexes();
      assertThat(store.counts(root.id())).isEqualTo(after);
    }
  }

  @ParameterizedTest
  @EnumSource(StoreKind.class)
  void counts_bareAnswerDoesNotCountUntilItsContentIsFilled_revokedOnesNever(StoreKind kind) {
    try (PostStore store = kind.open(dir)) {
      Author alice = new Author("alice").delegatedIn(store);
      Author bob = new Author("bob").delegatedIn(store);
      LogEntry root = alice.post("root", T0_MILLIS);
      store.apply(root);
      LogEntry repost = bob.device.append(StoreTesting.repost(root), T0_MILLIS + 1);
      store.apply(repost.withoutContent());
      assertThat(store.counts(root.id()).reposts()).isZero(); // Not known to answer root yet.

      assertThat(store.fillContent(repost)).isTrue();
      assertThat(store.counts(root.id()).reposts()).isEqualTo(1);

      LogEntry like = bob.device.append(StoreTesting.reaction("❤", root), T0_MILLIS + 2);
      store.apply(like);
      assertThat(store.counts(root.id()).reactions()).containsEntry("❤", 1L);
      // Bob's device is revoked after its first entry: the reaction (seq 2) is removed.
      store.apply(bob.person.revoke(bob.deviceKey, 1, T0_MILLIS + 3));
      assertThat(store.counts(root.id()))
          .isEqualTo(new EntryCounts(0, 1, new java.util.TreeMap<>()));
    }
  }

  @ParameterizedTest
  @EnumSource(StoreKind.class)
  void counts_quotes_countedApartFromReplies_deletedOneDropped_rebuildGivesTheSame(StoreKind kind) {
    try (PostStore store = kind.open(dir)) {
      Author alice = new Author("alice").delegatedIn(store);
      Author bob = new Author("bob").delegatedIn(store);
      LogEntry root = alice.post("root", T0_MILLIS);
      store.apply(root);
      LogEntry quote = bob.device.append(TestContent.quote("look at this", root), T0_MILLIS + 1);
      store.apply(quote);
      store.apply(alice.device.append(TestContent.quote("me again", root), T0_MILLIS + 2));
      store.apply(bob.device.append(StoreTesting.repost(root), T0_MILLIS + 3));
      store.apply(bob.device.append(StoreTesting.reply("re", root), T0_MILLIS + 4));
      // A quote that is also a reply counts as both; one quoting the quote counts for the quote.
      store.apply(
          bob.device.append(
              org.grapevine.protocol.proto.Content.newBuilder()
                  .setPost(
                      StoreTesting.reply("re with quote", root).getPost().toBuilder()
                          .setQuote(TestContent.ref(quote)))
                  .build(),
              T0_MILLIS + 5));

      EntryCounts c = store.counts(root.id());
      assertThat(c).isEqualTo(new EntryCounts(2, 1, 2, new java.util.TreeMap<>()));
      assertThat(store.counts(quote.id()).quotes()).isEqualTo(1);
      assertThat(store.quoteOriginal(quote).map(LogEntry::id)).contains(root.id());
      assertThat(store.quoteOriginal(root)).isEmpty();

      store.apply(bob.device.append(StoreTesting.delete(quote), T0_MILLIS + 6));
      EntryCounts after = store.counts(root.id());
      assertThat(after.quotes()).isEqualTo(1);
      assertThat(store.quoteOriginal(store.entryById(quote.id()).orElseThrow())).isEmpty();

      store.rebuildIndexes();
      assertThat(store.counts(root.id())).isEqualTo(after);
      assertThat(store.counts(quote.id()).quotes()).isEqualTo(1); // Its quoter was not deleted.
    }
  }

  @ParameterizedTest
  @EnumSource(StoreKind.class)
  void counts_exceptAuthors_leavesOutEveryKindOfAnswerTheyWrote(StoreKind kind) {
    try (PostStore store = kind.open(dir)) {
      Author alice = new Author("alice").delegatedIn(store);
      Author bob = new Author("bob").delegatedIn(store);
      LogEntry root = alice.post("root", T0_MILLIS);
      store.apply(root);
      store.apply(bob.device.append(StoreTesting.reply("re", root), T0_MILLIS + 1));
      store.apply(bob.device.append(StoreTesting.reaction("❤", root), T0_MILLIS + 2));
      store.apply(bob.device.append(StoreTesting.repost(root), T0_MILLIS + 3));
      store.apply(bob.device.append(TestContent.quote("q", root), T0_MILLIS + 4));
      store.apply(alice.device.append(StoreTesting.reaction("❤", root), T0_MILLIS + 5));

      EntryCounts all = store.counts(root.id(), java.util.Set.of());
      EntryCounts withoutBob = store.counts(root.id(), java.util.Set.of(bob.deviceKey.publicKey()));

      assertThat(all).isEqualTo(new EntryCounts(1, 1, 1, new java.util.TreeMap<>(Map.of("❤", 2L))));
      assertThat(withoutBob)
          .isEqualTo(new EntryCounts(0, 0, 0, new java.util.TreeMap<>(Map.of("❤", 1L))));
      assertThat(store.counts(root.id())).isEqualTo(all);
    }
  }
}
