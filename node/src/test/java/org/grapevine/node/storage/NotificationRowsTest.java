package org.grapevine.node.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.grapevine.protocol.testing.TestAuthors.T0_MILLIS;

import java.nio.file.Path;
import java.util.List;
import org.grapevine.node.storage.StoreTesting.Author;
import org.grapevine.protocol.entry.LogEntry;
import org.grapevine.protocol.proto.Content;
import org.grapevine.protocol.proto.Follow;
import org.grapevine.protocol.proto.Post;
import org.grapevine.protocol.testing.TestAuthors;
import org.grapevine.protocol.testing.TestContent;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link PostStore#addressedTo} (an identity's notifications) against both stores: what addresses
 * Bob, chained or loose, newest first, paged; not his own; a deleted one is gone; a rebuild gives
 * the same rows.
 */
class NotificationRowsTest {
  @TempDir Path dir;

  @ParameterizedTest
  @EnumSource(StoreKind.class)
  void addressedTo_listsWhatAddressesBob_newestFirst_withoutHisOwnOrDeleted(StoreKind kind) {
    try (PostStore store = kind.open(dir)) {
      Author bob = new Author("bob").delegatedIn(store);
      Author alice = new Author("alice").delegatedIn(store);
      Author carol = new Author("carol"); // A stranger: her entries are loose.
      LogEntry post = bob.post("hello", T0_MILLIS);
      store.apply(post);
      store.apply(bob.device.append(TestContent.reply("self-reply", post), T0_MILLIS + 1));
      LogEntry reply = alice.device.append(TestContent.reply("hi", post), T0_MILLIS + 2);
      store.apply(reply);
      LogEntry heart = carol.device.append(TestContent.reaction("❤", post), T0_MILLIS + 3);
      store.applyLoose(heart);
      LogEntry mention =
          carol.device.append(
              Content.newBuilder()
                  .setPost(
                      Post.newBuilder()
                          .setText("ask Bob")
                          .addMentions(TestAuthors.bytes(bob.identity().root())))
                  .build(),
              T0_MILLIS + 4);
      store.applyLoose(mention);
      LogEntry follow =
          carol.device.append(
              Content.newBuilder()
                  .setFollow(
                      Follow.newBuilder().setIdentity(TestAuthors.bytes(bob.identity().root())))
                  .build(),
              T0_MILLIS + 5);
      store.applyLoose(follow);
      LogEntry plain = alice.post("not about Bob", T0_MILLIS + 6);
      store.apply(plain);

      assertThat(ids(store.addressedTo(bob.identity(), TimelineCursor.before(Long.MAX_VALUE), 10)))
          .containsExactly(follow.id(), mention.id(), heart.id(), reply.id());
      List<LogEntry> first =
          store.addressedTo(bob.identity(), TimelineCursor.before(Long.MAX_VALUE), 2);
      assertThat(ids(first)).containsExactly(follow.id(), mention.id());
      assertThat(ids(store.addressedTo(bob.identity(), TimelineCursor.after(first.get(1)), 10)))
          .containsExactly(heart.id(), reply.id());
      assertThat(store.addressedTo(alice.identity(), TimelineCursor.before(Long.MAX_VALUE), 10))
          .isEmpty();

      store.rebuildIndexes();
      assertThat(ids(store.addressedTo(bob.identity(), TimelineCursor.before(Long.MAX_VALUE), 10)))
          .containsExactly(follow.id(), mention.id(), heart.id(), reply.id());

      store.apply(alice.device.append(TestContent.delete(reply), T0_MILLIS + 7));
      assertThat(ids(store.addressedTo(bob.identity(), TimelineCursor.before(Long.MAX_VALUE), 10)))
          .containsExactly(follow.id(), mention.id(), heart.id());
    }
  }

  private static List<Object> ids(List<LogEntry> entries) {
    return entries.stream().map(e -> (Object) e.id()).toList();
  }
}
