package org.grapevine.node.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.grapevine.protocol.testing.TestAuthors.T0_MILLIS;
import static org.grapevine.protocol.testing.TestAuthors.post;

import java.util.Optional;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.grapevine.protocol.crypto.SigningKey;
import org.grapevine.protocol.entry.EntryId;
import org.grapevine.protocol.entry.LogEntry;
import org.grapevine.protocol.log.LogWriter;
import org.grapevine.protocol.proto.Content;
import org.grapevine.protocol.proto.Follow;
import org.grapevine.protocol.proto.Reaction;
import org.grapevine.protocol.proto.Ref;
import org.grapevine.protocol.proto.Repost;
import org.grapevine.protocol.testing.TestAuthors;
import org.junit.jupiter.api.Test;

/** The node's own-write rules, the ones both {@code Node} and the API apply. */
class WriteRulesTest {
  private final TestAuthors.Person alice = TestAuthors.person("alice");
  private final TestAuthors.Person bob = TestAuthors.person("bob");
  private final SigningKey laptop = alice.deviceKey("laptop");
  private final LogEntry delegation = alice.delegate(laptop, T0_MILLIS);
  private final LogWriter log = alice.deviceLog(laptop);
  private final LogEntry hello = log.append(post("hello"), T0_MILLIS + 1);
  private final LogEntry repost =
      log.append(
          Content.newBuilder().setRepost(Repost.newBuilder().setTarget(ref(hello))).build(),
          T0_MILLIS + 2);
  private final LogEntry reaction =
      log.append(
          Content.newBuilder()
              .setReaction(Reaction.newBuilder().setTarget(ref(hello)).setEmoji("x"))
              .build(),
          T0_MILLIS + 3);
  private final LogEntry follow =
      log.append(
          Content.newBuilder()
              .setFollow(Follow.newBuilder().setIdentity(TestAuthors.bytes(bob.root.publicKey())))
              .build(),
          T0_MILLIS + 4);

  private final LogEntry feed =
      log.append(
          Content.newBuilder()
              .setFeed(
                  org.grapevine.protocol.proto.Feed.newBuilder()
                      .setName("cats")
                      .setVersion(1)
                      .setFilter("true"))
              .build(),
          T0_MILLIS + 5);

  @Test
  void aFeedMayBeLikedButNotRepliedTo() {
    assertThat(WriteRules.target(WriteRules.Target.REACTION_TARGET, feed.id(), Optional.of(feed)))
        .isSameAs(feed);
    refused(
        () -> WriteRules.target(WriteRules.Target.REPLY_PARENT, feed.id(), Optional.of(feed)),
        WriteRefusedException.Code.WRONG_KIND,
        "is a feed; it must be a post");
  }

  @Test
  void target_kinds_replyToPost_reactToPostOrRepost_repostAPost() {
    assertThat(WriteRules.target(WriteRules.Target.REPLY_PARENT, hello.id(), Optional.of(hello)))
        .isSameAs(hello);
    assertThat(
            WriteRules.target(WriteRules.Target.REACTION_TARGET, repost.id(), Optional.of(repost)))
        .isSameAs(repost);
    refused(
        () ->
            WriteRules.target(WriteRules.Target.REPLY_PARENT, reaction.id(), Optional.of(reaction)),
        WriteRefusedException.Code.WRONG_KIND,
        "parent " + reaction.id() + " is a reaction; it must be a post");
    refused(
        () ->
            WriteRules.target(WriteRules.Target.REACTION_TARGET, follow.id(), Optional.of(follow)),
        WriteRefusedException.Code.WRONG_KIND,
        "it must be a post or repost or feed");
    refused(
        () -> WriteRules.target(WriteRules.Target.REPOST_TARGET, repost.id(), Optional.of(repost)),
        WriteRefusedException.Code.WRONG_KIND,
        "is a repost");
    EntryId missing = EntryId.of(new byte[32]);
    refused(
        () -> WriteRules.target(WriteRules.Target.REPOST_TARGET, missing, Optional.empty()),
        WriteRefusedException.Code.NOT_HELD,
        "no held entry");
  }

  @Test
  void deletable_onlyOwnDeviceLogEntries() {
    assertThat(WriteRules.deletable(alice.identity, follow.id(), Optional.of(follow)))
        .isSameAs(follow);
    refused(
        () -> WriteRules.deletable(bob.identity, hello.id(), Optional.of(hello)),
        WriteRefusedException.Code.NOT_OWN_ENTRY,
        "belongs to " + alice.identity + ";");
    refused(
        () -> WriteRules.deletable(alice.identity, delegation.id(), Optional.of(delegation)),
        WriteRefusedException.Code.NOT_OWN_ENTRY,
        "'s root log");
    refused(
        () -> WriteRules.deletable(alice.identity, hello.id(), Optional.empty()),
        WriteRefusedException.Code.NOT_HELD,
        "no held entry");
    LogEntry delete =
        log.append(
            org.grapevine.protocol.proto.Content.newBuilder()
                .setDelete(
                    org.grapevine.protocol.proto.Delete.newBuilder()
                        .setTarget(
                            com.google.protobuf.ByteString.copyFrom(hello.id().unsafeBytes())))
                .build(),
            T0_MILLIS + 9);
    refused(
        () -> WriteRules.deletable(alice.identity, delete.id(), Optional.of(delete)),
        WriteRefusedException.Code.WRONG_KIND,
        "a delete cannot be deleted");
  }

  @Test
  void relation_withOwnIdentity_refusedForEach_withAnotherAllowed() {
    for (WriteRules.Relation r : WriteRules.Relation.values()) {
      WriteRules.relation(alice.identity, r, bob.identity);
      refused(
          () -> WriteRules.relation(alice.identity, r, alice.identity),
          WriteRefusedException.Code.OWN_IDENTITY,
          "own identity");
    }
  }

  private static void refused(
      org.assertj.core.api.ThrowableAssert.ThrowingCallable call,
      WriteRefusedException.Code code,
      String says) {
    assertThatThrownBy(call)
        .asInstanceOf(InstanceOfAssertFactories.throwable(WriteRefusedException.class))
        .satisfies(e -> assertThat(e.code()).isEqualTo(code))
        .hasMessageContaining(says);
  }

  private static Ref ref(LogEntry e) {
    return Ref.newBuilder()
        .setIdentity(TestAuthors.bytes(e.header().identity().root()))
        .setEntry(com.google.protobuf.ByteString.copyFrom(e.id().unsafeBytes()))
        .build();
  }
}
