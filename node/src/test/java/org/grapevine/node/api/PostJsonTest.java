package org.grapevine.node.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.grapevine.protocol.testing.TestAuthors.T0_MILLIS;
import static org.grapevine.protocol.testing.TestContent.delete;
import static org.grapevine.protocol.testing.TestContent.profile;
import static org.grapevine.protocol.testing.TestContent.reaction;
import static org.grapevine.protocol.testing.TestContent.reply;
import static org.grapevine.protocol.testing.TestContent.repost;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import org.grapevine.node.engine.ContentState;
import org.grapevine.node.storage.PostStore;
import org.grapevine.node.storage.RocksPostStore;
import org.grapevine.protocol.crypto.SigningKey;
import org.grapevine.protocol.entry.LogEntry;
import org.grapevine.protocol.log.LogWriter;
import org.grapevine.protocol.proto.Content;
import org.grapevine.protocol.testing.TestAuthors;
import org.grapevine.protocol.testing.TestContent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The JSON the read routes serve ({@link PostJson}) over a real RocksDB store: counts, author
 * names, and a repost's original when held and when not.
 */
class PostJsonTest {
  @TempDir Path dir;
  private PostStore store;
  private Writer alice;
  private Writer bob;
  private Writer carol;

  /** One identity with one delegated device. */
  private static final class Writer {
    final TestAuthors.Person person;
    final LogWriter device;
    final LogEntry delegation;

    Writer(String name) {
      person = TestAuthors.person(name);
      SigningKey key = person.deviceKey("laptop");
      device = person.deviceLog(key);
      delegation = person.delegate(key, T0_MILLIS);
    }

    LogEntry write(Content c, long at) {
      return device.append(c, at);
    }
  }

  @BeforeEach
  void open() {
    store = RocksPostStore.open(dir);
    alice = new Writer("alice");
    bob = new Writer("bob");
    carol = new Writer("carol");
    store.apply(alice.delegation);
    store.apply(bob.delegation);
    // Carol's delegation and posts never reach this store.
  }

  @AfterEach
  void close() {
    store.close();
  }

  private PostJson views() {
    return new PostJson(
        store,
        e ->
            e.hasContent()
                ? ContentState.HELD
                : store.deleted(e) ? ContentState.DELETED : ContentState.MISSING_NOT_FETCHED);
  }

  private LogEntry apply(LogEntry e) {
    store.apply(e);
    return e;
  }

  @Test
  void post_carriesCountsPerEmojiWithoutDeletedOnes_andItsAuthorsName() {
    apply(alice.write(profile("Alice"), T0_MILLIS + 1));
    LogEntry post = apply(alice.write(TestAuthors.post("hello"), T0_MILLIS + 2));
    LogEntry heart = apply(bob.write(reaction("❤", post), T0_MILLIS + 3));
    apply(bob.write(reaction("👍", post), T0_MILLIS + 4));
    apply(alice.write(reaction("👍", post), T0_MILLIS + 5));
    apply(bob.write(reply("hi", post), T0_MILLIS + 6));
    apply(bob.write(delete(heart), T0_MILLIS + 7));

    JsonNode o = views().of(post);

    assertThat(o.get("identity").asText()).isEqualTo(alice.person.identity.toString());
    assertThat(o.get("author_name").asText()).isEqualTo("Alice");
    assertThat(o.at("/counts/replies").asLong()).isEqualTo(1);
    assertThat(o.at("/counts/reposts").asLong()).isZero();
    assertThat(o.at("/counts/reactions").toString()).isEqualTo("{\"👍\":2}");
    assertThat(o.has("original")).isFalse(); // Only a repost has an original.
    assertThat(o.has("original_held")).isFalse();
    JsonNode bobs = views().of(store.replies(post.id()).get(0));
    assertThat(bobs.get("author_name").isNull()).isTrue(); // Bob holds no profile here.
  }

  @Test
  void repost_embedsItsHeldOriginalWithNameAndCounts_orSaysItIsNotHeld() {
    apply(alice.write(profile("Alice"), T0_MILLIS + 1));
    apply(bob.write(profile("Bob"), T0_MILLIS + 1));
    LogEntry post = apply(alice.write(TestAuthors.post("hello"), T0_MILLIS + 2));
    LogEntry held = apply(bob.write(repost(post), T0_MILLIS + 3));
    LogEntry carols = carol.write(TestAuthors.post("not here"), T0_MILLIS + 2);
    LogEntry notHeld = apply(bob.write(repost(carols), T0_MILLIS + 4));

    JsonNode r = views().of(held);
    assertThat(r.get("kind").asText()).isEqualTo("repost");
    assertThat(r.get("author_name").asText()).isEqualTo("Bob");
    assertThat(r.get("original_held").asBoolean()).isTrue();
    assertThat(r.at("/original/id").asText()).isEqualTo(post.id().toHex());
    assertThat(r.at("/original/identity").asText()).isEqualTo(alice.person.identity.toString());
    assertThat(r.at("/original/author_name").asText()).isEqualTo("Alice");
    assertThat(r.at("/original/content/text").asText()).isEqualTo("hello");
    assertThat(r.at("/original/counts/reposts").asLong()).isEqualTo(1);
    assertThat(r.at("/counts/reposts").asLong()).isZero(); // The repost's own counts.

    JsonNode n = views().of(notHeld);
    assertThat(n.get("original_held").asBoolean()).isFalse();
    assertThat(n.get("original").isNull()).isTrue();
    assertThat(n.at("/content/target/entry").asText()).isEqualTo(carols.id().toHex());

    // A deleted original is still held: embedded, shown deleted.
    apply(alice.write(delete(post), T0_MILLIS + 5));
    JsonNode d = views().of(held);
    assertThat(d.get("original_held").asBoolean()).isTrue();
    assertThat(d.at("/original/deleted").asBoolean()).isTrue();
    assertThat(d.at("/original/content").isNull()).isTrue();
  }

  @Test
  void post_contentWarningInContent_nullWithoutOne() {
    LogEntry warned = apply(alice.write(TestContent.warned("spoilers", "the end"), T0_MILLIS + 1));
    LogEntry plain = apply(alice.write(TestAuthors.post("plain"), T0_MILLIS + 2));

    JsonNode w = views().of(warned);
    assertThat(w.at("/content/content_warning").asText()).isEqualTo("spoilers");
    assertThat(w.at("/content/text").asText()).isEqualTo("the end");
    assertThat(w.at("/content/quote").isNull()).isTrue();
    assertThat(views().of(plain).at("/content/content_warning").isNull()).isTrue();
    assertThat(views().of(plain).has("quote_held")).isFalse(); // Only a quote post has one.
  }

  @Test
  void quote_embedsItsHeldQuotedPostWithNameAndCounts_orSaysItIsNotHeld() {
    apply(alice.write(profile("Alice"), T0_MILLIS + 1));
    LogEntry post = apply(alice.write(TestAuthors.post("hello"), T0_MILLIS + 2));
    LogEntry quote = apply(bob.write(TestContent.quote("so true", post), T0_MILLIS + 3));
    LogEntry carols = carol.write(TestAuthors.post("not here"), T0_MILLIS + 2);
    LogEntry notHeld = apply(bob.write(TestContent.quote("what?", carols), T0_MILLIS + 4));

    JsonNode q = views().of(quote);
    assertThat(q.get("kind").asText()).isEqualTo("post");
    assertThat(q.at("/content/text").asText()).isEqualTo("so true");
    assertThat(q.at("/content/quote/entry").asText()).isEqualTo(post.id().toHex());
    assertThat(q.get("quote_held").asBoolean()).isTrue();
    assertThat(q.at("/quote/id").asText()).isEqualTo(post.id().toHex());
    assertThat(q.at("/quote/author_name").asText()).isEqualTo("Alice");
    assertThat(q.at("/quote/content/text").asText()).isEqualTo("hello");
    assertThat(q.at("/quote/counts/quotes").asLong()).isEqualTo(1);
    assertThat(views().of(post).at("/counts/quotes").asLong()).isEqualTo(1);

    JsonNode n = views().of(notHeld);
    assertThat(n.get("quote_held").asBoolean()).isFalse();
    assertThat(n.get("quote").isNull()).isTrue();
    assertThat(n.at("/content/quote/entry").asText()).isEqualTo(carols.id().toHex());
  }

  @Test
  void blockedIdentity_answersHeldFromBeforeTheBlock_leftOutOfCounts_untilUnblocked() {
    LogEntry post = apply(alice.write(TestAuthors.post("hello"), T0_MILLIS + 2));
    apply(bob.write(reply("hi", post), T0_MILLIS + 3));
    apply(bob.write(reaction("❤", post), T0_MILLIS + 4));
    apply(bob.write(repost(post), T0_MILLIS + 5));
    apply(bob.write(TestContent.quote("q", post), T0_MILLIS + 6));
    apply(alice.write(reaction("👍", post), T0_MILLIS + 7));
    String all = "{\"replies\":1,\"reposts\":1,\"quotes\":1,\"reactions\":{\"❤\":1,\"👍\":1}}";
    assertThat(views().of(post).get("counts").toString()).isEqualTo(all);

    store.block(bob.person.identity);
    assertThat(views().of(post).get("counts").toString())
        .isEqualTo("{\"replies\":0,\"reposts\":0,\"quotes\":0,\"reactions\":{\"👍\":1}}");

    store.unblock(bob.person.identity);
    assertThat(views().of(post).get("counts").toString()).isEqualTo(all);
  }

  private static Content follow(Writer w, boolean follow) {
    com.google.protobuf.ByteString who = TestAuthors.bytes(w.person.identity.root());
    return follow
        ? Content.newBuilder()
            .setFollow(org.grapevine.protocol.proto.Follow.newBuilder().setIdentity(who))
            .build()
        : Content.newBuilder()
            .setUnfollow(org.grapevine.protocol.proto.Unfollow.newBuilder().setIdentity(who))
            .build();
  }

  /** Profile pages count these (LogQueries): the latest follow or unfollow of each pair holds. */
  @Test
  void followersAndFollowing_comeFromEachPairsLatestFollowOrUnfollow() {
    store.apply(carol.delegation);
    apply(bob.write(follow(alice, true), T0_MILLIS + 1));
    apply(carol.write(follow(alice, true), T0_MILLIS + 2));
    apply(carol.write(follow(bob, true), T0_MILLIS + 3));
    apply(bob.write(follow(alice, false), T0_MILLIS + 4));
    apply(bob.write(follow(carol, true), T0_MILLIS + 5));

    assertThat(org.grapevine.node.LogQueries.followers(store, alice.person.identity))
        .containsExactly(carol.person.identity);
    assertThat(org.grapevine.node.LogQueries.followers(store, carol.person.identity))
        .containsExactly(bob.person.identity);
    assertThat(org.grapevine.node.LogQueries.following(store, bob.person.identity))
        .containsExactly(carol.person.identity);
    assertThat(org.grapevine.node.LogQueries.following(store, carol.person.identity))
        .containsExactlyInAnyOrder(alice.person.identity, bob.person.identity);
  }
}
