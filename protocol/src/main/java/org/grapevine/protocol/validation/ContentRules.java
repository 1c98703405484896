package org.grapevine.protocol.validation;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import java.util.Optional;
import org.grapevine.protocol.Limits;
import org.grapevine.protocol.entry.ContentKind;
import org.grapevine.protocol.entry.EntryHeader;
import org.grapevine.protocol.proto.Attachment;
import org.grapevine.protocol.proto.Content;
import org.grapevine.protocol.proto.Post;
import org.grapevine.protocol.proto.Ref;
import org.grapevine.protocol.proto.ReplyTo;

/**
 * The rules for content bodies: which body each kind carries and the size of every field ({@link
 * Limits}). Used by readers on every entry and by writers before signing, so that a Grapevine
 * writer never produces what a Grapevine reader refuses.
 *
 * <p>Writers also check what people type with {@link #checkText}, stricter than a reader: no blank
 * post or emoji, no lone surrogate. The node's API and the cli both call it, so a text is refused
 * for the same reason wherever it is typed.
 */
public final class ContentRules {
  private ContentRules() {}

  /**
   * Decodes content of a known kind and checks it; returns the decoded content or the reason it is
   * refused. Content of an {@link ContentKind#UNKNOWN} kind is not decoded: callers keep the bytes
   * as they are.
   */
  static Object decode(EntryHeader header, byte[] bytes) {
    Content content;
    try {
      content = Content.parseFrom(bytes);
    } catch (InvalidProtocolBufferException e) {
      return Verification.Invalid.of(
          RejectReason.MALFORMED_CONTENT, "content does not decode: %s", e.getMessage());
    }
    Verification.Invalid bad = check(header, content);
    return bad != null ? bad : content;
  }

  /** Null when {@code content} is valid for {@code header}, else why not. */
  public static Verification.Invalid check(EntryHeader header, Content content) {
    ContentKind kind = ContentKind.of(content);
    if (kind != header.kind()) {
      return Verification.Invalid.of(
          RejectReason.KIND_MISMATCH,
          "header says %s, content carries %s",
          header.kind(),
          content.getBodyCase());
    }
    return switch (kind) {
      case POST -> checkPost(content.getPost());
      case REACTION ->
          firstOf(
              checkRef(content.getReaction().getTarget(), "reaction target"),
              checkText(content.getReaction().getEmoji(), Limits.MAX_EMOJI_BYTES, "emoji"),
              content.getReaction().getEmoji().isEmpty()
                  ? Verification.Invalid.of(
                      RejectReason.MALFORMED_CONTENT, "a reaction needs an emoji")
                  : null);
      case REPOST -> checkRef(content.getRepost().getTarget(), "repost target");
      case FOLLOW -> checkKey(content.getFollow().getIdentity(), "followed identity");
      case UNFOLLOW -> checkKey(content.getUnfollow().getIdentity(), "unfollowed identity");
      case PROFILE ->
          firstOf(
              checkText(
                  content.getProfile().getName(), Limits.MAX_PROFILE_NAME_BYTES, "profile name"),
              checkText(content.getProfile().getBio(), Limits.MAX_PROFILE_BIO_BYTES, "profile bio"),
              content.getProfile().hasAvatar()
                  ? checkAttachment(content.getProfile().getAvatar())
                  : null);
      case DELETE ->
          checkLength(content.getDelete().getTarget(), Limits.HASH_BYTES, "delete target");
      case DELEGATE_DEVICE ->
          firstOf(
              checkDevice(header, content.getDelegateDevice().getDevice()),
              checkText(
                  content.getDelegateDevice().getName(),
                  Limits.MAX_DEVICE_NAME_BYTES,
                  "device name"));
      case REVOKE_DEVICE -> checkDevice(header, content.getRevokeDevice().getDevice());
      case FEED -> checkFeed(content.getFeed());
      case FEED_USE -> checkRef(content.getFeedUse().getFeed(), "feed used");
      case UNKNOWN -> throw new IllegalStateException("unknown kinds are not decoded");
    };
  }

  /**
   * The writer's rule for a text that a person typed into {@code field}: empty (when the field must
   * hold something), a lone surrogate, or over the field's limit. Empty when it may be signed as it
   * is.
   */
  public static Optional<TextProblem> checkText(TextField field, String text) {
    if (!field.mayBeEmpty() && text.isBlank()) {
      return Optional.of(new TextProblem(TextProblem.Code.EMPTY, field, utf8Length(text)));
    }
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (Character.isHighSurrogate(c)
          && i + 1 < text.length()
          && Character.isLowSurrogate(text.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        return Optional.of(new TextProblem(TextProblem.Code.NOT_UNICODE, field, utf8Length(text)));
      }
    }
    int bytes = utf8Length(text);
    return bytes > field.maxBytes()
        ? Optional.of(new TextProblem(TextProblem.Code.TOO_LONG, field, bytes))
        : Optional.empty();
  }

  /** Sizes only: whether the expressions compile is the node's question (it knows CEL). */
  private static Verification.Invalid checkFeed(org.grapevine.protocol.proto.Feed feed) {
    return firstOf(
        checkText(feed.getName(), Limits.MAX_FEED_NAME_BYTES, "feed name"),
        feed.getName().isBlank()
            ? Verification.Invalid.of(RejectReason.MALFORMED_CONTENT, "a feed needs a name")
            : null,
        checkText(feed.getDescription(), Limits.MAX_FEED_DESCRIPTION_BYTES, "feed description"),
        feed.getVersion() == 0
            ? Verification.Invalid.of(RejectReason.MALFORMED_CONTENT, "feed versions start at 1")
            : null,
        checkText(feed.getFilter(), Limits.MAX_FEED_EXPRESSION_BYTES, "feed filter"),
        checkText(feed.getScore(), Limits.MAX_FEED_EXPRESSION_BYTES, "feed score"));
  }

  private static Verification.Invalid checkPost(Post post) {
    Verification.Invalid bad =
        firstOf(
            checkText(post.getText(), Limits.MAX_POST_TEXT_BYTES, "post text"),
            checkText(
                post.getContentWarning(), Limits.MAX_CONTENT_WARNING_BYTES, "content warning"),
            post.hasQuote() ? checkRef(post.getQuote(), "quote") : null);
    if (bad == null && post.hasReplyTo()) {
      ReplyTo r = post.getReplyTo();
      bad = firstOf(checkRef(r.getRoot(), "reply root"), checkRef(r.getParent(), "reply parent"));
    }
    if (bad == null && post.getMentionsCount() > Limits.MAX_MENTIONS) {
      bad =
          Verification.Invalid.of(
              RejectReason.FIELD_TOO_LARGE,
              "%d mentions, at most %d",
              post.getMentionsCount(),
              Limits.MAX_MENTIONS);
    }
    for (int i = 0; bad == null && i < post.getMentionsCount(); i++) {
      bad = checkKey(post.getMentions(i), "mention " + i);
    }
    if (bad == null && post.getAttachmentsCount() > Limits.MAX_ATTACHMENTS) {
      bad =
          Verification.Invalid.of(
              RejectReason.FIELD_TOO_LARGE,
              "%d attachments, at most %d",
              post.getAttachmentsCount(),
              Limits.MAX_ATTACHMENTS);
    }
    for (int i = 0; bad == null && i < post.getAttachmentsCount(); i++) {
      bad = checkAttachment(post.getAttachments(i));
    }
    return bad;
  }

  private static Verification.Invalid checkAttachment(Attachment a) {
    if (a.getSize() < 0 || a.getSize() > Limits.MAX_ATTACHMENT_SIZE_BYTES) {
      return Verification.Invalid.of(
          RejectReason.FIELD_TOO_LARGE,
          "attachment of %s bytes, at most %d",
          Long.toUnsignedString(a.getSize()),
          Limits.MAX_ATTACHMENT_SIZE_BYTES);
    }
    // Any codec is accepted: a later version may name files another way, and an attachment this
    // node cannot fetch is shown as such, never a reason to refuse the post.
    return firstOf(
        checkLength(a.getHash(), Limits.HASH_BYTES, "attachment hash"),
        checkText(a.getMediaType(), Limits.MAX_MEDIA_TYPE_BYTES, "attachment media type"),
        checkText(a.getAlt(), Limits.MAX_ALT_TEXT_BYTES, "attachment alt text"));
  }

  private static Verification.Invalid checkDevice(EntryHeader header, ByteString device) {
    Verification.Invalid bad = checkKey(device, "device key");
    if (bad == null && device.equals(ByteString.copyFrom(header.identity().root().unsafeBytes()))) {
      return Verification.Invalid.of(
          RejectReason.BAD_REFERENCE, "the root key cannot be its own device");
    }
    return bad;
  }

  private static Verification.Invalid checkRef(Ref ref, String what) {
    return firstOf(
        checkKey(ref.getIdentity(), what + " identity"),
        checkLength(ref.getEntry(), Limits.HASH_BYTES, what + " entry id"));
  }

  private static Verification.Invalid checkKey(ByteString key, String what) {
    return checkLength(key, Limits.PUBLIC_KEY_BYTES, what);
  }

  private static Verification.Invalid checkLength(ByteString value, int length, String what) {
    return value.size() == length
        ? null
        : Verification.Invalid.of(
            RejectReason.BAD_REFERENCE, "%s is %d bytes, must be %d", what, value.size(), length);
  }

  private static Verification.Invalid checkText(String text, int maxBytes, String what) {
    int bytes = utf8Length(text);
    return bytes <= maxBytes
        ? null
        : Verification.Invalid.of(
            RejectReason.FIELD_TOO_LARGE, "%s is %d bytes, at most %d", what, bytes, maxBytes);
  }

  /** UTF-8 length without encoding; protobuf already checked decoded text was valid UTF-8. */
  private static int utf8Length(String s) {
    int n = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        n += 1;
      } else if (c < 0x800) {
        n += 2;
      } else if (Character.isHighSurrogate(c)
          && i + 1 < s.length()
          && Character.isLowSurrogate(s.charAt(i + 1))) {
        n += 4;
        i++;
      } else {
        n += 3;
      }
    }
    return n;
  }

  private static Verification.Invalid firstOf(Verification.Invalid... checks) {
    for (Verification.Invalid c : checks) {
      if (c != null) {
        return c;
      }
    }
    return null;
  }
}
