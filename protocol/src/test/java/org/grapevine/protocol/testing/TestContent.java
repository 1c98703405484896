package org.grapevine.protocol.testing;

import com.google.protobuf.ByteString;
import org.grapevine.protocol.entry.LogEntry;
import org.grapevine.protocol.proto.Content;
import org.grapevine.protocol.proto.Delete;
import org.grapevine.protocol.proto.Post;
import org.grapevine.protocol.proto.Profile;
import org.grapevine.protocol.proto.Reaction;
import org.grapevine.protocol.proto.Ref;
import org.grapevine.protocol.proto.ReplyTo;
import org.grapevine.protocol.proto.Repost;

/**
 * Content that answers an entry (reply, reaction, repost, quote, delete), posts with a content
 * warning, and profiles, for tests in every module (through the protocol test-jar), so that store,
 * API and CLI tests build the same bytes.
 */
public final class TestContent {
  private TestContent() {}

  /** A reference to {@code target}: its identity (the root key) and its id. */
  public static Ref ref(LogEntry target) {
    return Ref.newBuilder()
        .setIdentity(TestAuthors.bytes(target.header().identity().root()))
        .setEntry(ByteString.copyFrom(target.id().unsafeBytes()))
        .build();
  }

  /** A direct reply to {@code parent}, which is also the thread's root. */
  public static Content reply(String text, LogEntry parent) {
    return Content.newBuilder()
        .setPost(
            Post.newBuilder()
                .setText(text)
                .setReplyTo(ReplyTo.newBuilder().setRoot(ref(parent)).setParent(ref(parent))))
        .build();
  }

  public static Content reaction(String emoji, LogEntry target) {
    return Content.newBuilder()
        .setReaction(Reaction.newBuilder().setTarget(ref(target)).setEmoji(emoji))
        .build();
  }

  public static Content repost(LogEntry target) {
    return Content.newBuilder().setRepost(Repost.newBuilder().setTarget(ref(target))).build();
  }

  /** A quote post: {@code text} about {@code target} (issue 15). */
  public static Content quote(String text, LogEntry target) {
    return Content.newBuilder()
        .setPost(Post.newBuilder().setText(text).setQuote(ref(target)))
        .build();
  }

  /** A post whose text is shown folded behind {@code warning} (issue 15). */
  public static Content warned(String warning, String text) {
    return Content.newBuilder()
        .setPost(Post.newBuilder().setText(text).setContentWarning(warning))
        .build();
  }

  public static Content delete(LogEntry target) {
    return Content.newBuilder()
        .setDelete(Delete.newBuilder().setTarget(ByteString.copyFrom(target.id().unsafeBytes())))
        .build();
  }

  public static Content profile(String name) {
    return Content.newBuilder().setProfile(Profile.newBuilder().setName(name)).build();
  }
}
