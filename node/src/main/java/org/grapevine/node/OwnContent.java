package org.grapevine.node;

import com.google.protobuf.ByteString;
import java.util.Optional;
import org.grapevine.protocol.entry.EntryId;
import org.grapevine.protocol.entry.LogEntry;
import org.grapevine.protocol.identity.Identity;
import org.grapevine.protocol.proto.Content;
import org.grapevine.protocol.proto.Delete;
import org.grapevine.protocol.proto.Follow;
import org.grapevine.protocol.proto.Post;
import org.grapevine.protocol.proto.Profile;
import org.grapevine.protocol.proto.Reaction;
import org.grapevine.protocol.proto.Ref;
import org.grapevine.protocol.proto.ReplyTo;
import org.grapevine.protocol.proto.Repost;
import org.grapevine.protocol.proto.Unfollow;

/**
 * The content of the node's own writes, built from held entries (the rules are {@code
 * WriteRules}').
 */
final class OwnContent {
  private OwnContent() {}

  /**
   * A reply to {@code parent}; the thread's root is the parent's root, or the parent itself when it
   * is not a reply (or its content was deleted, so its root is unknown).
   */
  static Content reply(LogEntry parent, String text, String contentWarning) {
    Ref parentRef = ref(parent);
    Ref root =
        parent
            .content()
            .map(Content::getPost)
            .filter(Post::hasReplyTo)
            .map(p -> p.getReplyTo().getRoot())
            .orElse(parentRef);
    return Content.newBuilder()
        .setPost(
            Post.newBuilder()
                .setText(text)
                .setContentWarning(contentWarning)
                .setReplyTo(ReplyTo.newBuilder().setRoot(root).setParent(parentRef)))
        .build();
  }

  /**
   * A post; {@code contentWarning} empty for none, {@code quoted} null for none (issue 15). Fields
   * left at their defaults are not encoded, so a plain post has the bytes it had before.
   */
  static Content post(String text, String contentWarning, LogEntry quoted) {
    Post.Builder p = Post.newBuilder().setText(text).setContentWarning(contentWarning);
    if (quoted != null) {
      p.setQuote(ref(quoted));
    }
    return Content.newBuilder().setPost(p).build();
  }

  /** {@code post} (a post) with {@code mentions} added, in order and without repeats. */
  static Content mentioning(Content post, java.util.List<Identity> mentions) {
    if (mentions.isEmpty()) {
      return post;
    }
    Post.Builder p = post.getPost().toBuilder();
    for (Identity m : new java.util.LinkedHashSet<>(mentions)) {
      p.addMentions(ByteString.copyFrom(m.root().unsafeBytes()));
    }
    return post.toBuilder().setPost(p).build();
  }

  static Content reaction(LogEntry target, String emoji) {
    return Content.newBuilder()
        .setReaction(Reaction.newBuilder().setTarget(ref(target)).setEmoji(emoji))
        .build();
  }

  static Content repost(LogEntry target) {
    return Content.newBuilder().setRepost(Repost.newBuilder().setTarget(ref(target))).build();
  }

  static Content delete(EntryId target) {
    return Content.newBuilder()
        .setDelete(Delete.newBuilder().setTarget(ByteString.copyFrom(target.unsafeBytes())))
        .build();
  }

  static Content follow(Identity other) {
    return Content.newBuilder()
        .setFollow(Follow.newBuilder().setIdentity(ByteString.copyFrom(other.root().unsafeBytes())))
        .build();
  }

  static Content unfollow(Identity other) {
    return Content.newBuilder()
        .setUnfollow(
            Unfollow.newBuilder().setIdentity(ByteString.copyFrom(other.root().unsafeBytes())))
        .build();
  }

  /** A profile; the avatar of {@code current} (the latest held profile) is kept. */
  /**
   * A profile with {@code name} and {@code bio} (null: the current one's, or empty) and the current
   * profile's avatar.
   */
  static Content profile(String name, String bio, Optional<LogEntry> current) {
    Optional<Profile> old = current.flatMap(LogEntry::content).map(Content::getProfile);
    Profile.Builder p =
        Profile.newBuilder()
            .setName(name != null ? name : old.map(Profile::getName).orElse(""))
            .setBio(bio != null ? bio : old.map(Profile::getBio).orElse(""));
    old.filter(Profile::hasAvatar).ifPresent(o -> p.setAvatar(o.getAvatar()));
    return Content.newBuilder().setProfile(p).build();
  }

  private static Ref ref(LogEntry e) {
    return Ref.newBuilder()
        .setIdentity(ByteString.copyFrom(e.header().identity().root().unsafeBytes()))
        .setEntry(ByteString.copyFrom(e.id().unsafeBytes()))
        .build();
  }
}
