package org.grapevine.node.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.ByteString;
import java.util.HexFormat;
import java.util.Locale;
import org.grapevine.libp2p.bitswap.BitswapException;
import org.grapevine.libp2p.bitswap.Cid;
import org.grapevine.libp2p.bitswap.CidPrefix;
import org.grapevine.node.engine.ContentState;
import org.grapevine.protocol.Limits;
import org.grapevine.protocol.entry.LogEntry;
import org.grapevine.protocol.identity.Identity;
import org.grapevine.protocol.proto.Attachment;
import org.grapevine.protocol.proto.Content;
import org.grapevine.protocol.proto.Post;
import org.grapevine.protocol.proto.Ref;

/**
 * The JSON form of an entry (docs/API.md "Entry"): header fields, then {@code content} with the
 * fields of its kind, or null when the content is not held (deleted, missing, or an unknown kind).
 */
final class EntryJson {
  private static final JsonNodeFactory F = JsonNodeFactory.instance;
  private static final HexFormat HEX = HexFormat.of();

  private EntryJson() {}

  /** An entry this node just wrote: its content is held. */
  static ObjectNode of(LogEntry e) {
    return of(e, ContentState.HELD);
  }

  /** A held entry, with what this node holds of its content ({@code Node.contentState}). */
  static ObjectNode of(LogEntry e, ContentState state) {
    ObjectNode o =
        F.objectNode()
            .put("id", e.id().toHex())
            .put("identity", e.header().identity().toString())
            .put("author", e.header().author().toHex())
            .put("seq", e.header().seq())
            .put("timestamp", e.header().timestampMillis())
            .put("kind", e.header().kind().name().toLowerCase(Locale.ROOT))
            .put("kind_number", e.header().kindNumber());
    // Deleted only when a held delete names it; content merely not here is missing, with why.
    o.put("deleted", state == ContentState.DELETED);
    o.put(
        "missing",
        switch (state) {
          case MISSING_OVER_QUOTA -> "over_quota";
          case MISSING_NOT_FETCHED -> "not_fetched";
          case HELD, DELETED -> null;
        });
    o.set("content", e.content().map(EntryJson::content).orElse(null));
    return o;
  }

  private static ObjectNode content(Content c) {
    ObjectNode o = F.objectNode();
    switch (c.getBodyCase()) {
      case POST -> post(o, c.getPost());
      case REACTION ->
          o.<ObjectNode>set("target", ref(c.getReaction().getTarget()))
              .put("emoji", c.getReaction().getEmoji());
      case REPOST -> o.set("target", ref(c.getRepost().getTarget()));
      case FOLLOW -> o.put("identity", identity(c.getFollow().getIdentity()));
      case UNFOLLOW -> o.put("identity", identity(c.getUnfollow().getIdentity()));
      case PROFILE -> {
        o.put("name", c.getProfile().getName()).put("bio", c.getProfile().getBio());
        o.set("avatar", c.getProfile().hasAvatar() ? attachment(c.getProfile().getAvatar()) : null);
      }
      case DELETE -> o.put("target", hex(c.getDelete().getTarget()));
      case DELEGATE_DEVICE ->
          o.put("device", hex(c.getDelegateDevice().getDevice()))
              .put("name", c.getDelegateDevice().getName());
      case REVOKE_DEVICE ->
          o.put("device", hex(c.getRevokeDevice().getDevice()))
              .put("last_valid_seq", c.getRevokeDevice().getLastValidSeq());
      case FEED ->
          o.put("name", c.getFeed().getName())
              .put("description", c.getFeed().getDescription())
              .put("version", c.getFeed().getVersion())
              .put("filter", c.getFeed().getFilter())
              .put("score", c.getFeed().getScore());
      case FEED_USE ->
          o.<ObjectNode>set("feed", ref(c.getFeedUse().getFeed()))
              .put("stopped", c.getFeedUse().getStopped());
      case BODY_NOT_SET -> {}
    }
    return o;
  }

  private static void post(ObjectNode o, Post p) {
    o.put("text", p.getText());
    o.put("content_warning", p.getContentWarning().isEmpty() ? null : p.getContentWarning());
    o.set("quote", p.hasQuote() ? ref(p.getQuote()) : null);
    if (p.hasReplyTo()) {
      o.set(
          "reply_to",
          F.objectNode()
              .<ObjectNode>set("root", ref(p.getReplyTo().getRoot()))
              .set("parent", ref(p.getReplyTo().getParent())));
    } else {
      o.putNull("reply_to");
    }
    ArrayNode mentions = o.putArray("mentions");
    p.getMentionsList().forEach(m -> mentions.add(identity(m)));
    ArrayNode attachments = o.putArray("attachments");
    p.getAttachmentsList().forEach(a -> attachments.add(attachment(a)));
  }

  static ObjectNode ref(Ref r) {
    return F.objectNode()
        .put("identity", identity(r.getIdentity()))
        .put("entry", hex(r.getEntry()));
  }

  static ObjectNode attachment(Attachment a) {
    return F.objectNode()
        .put("hash", hex(a.getHash()))
        .put("size", a.getSize())
        .put("media_type", a.getMediaType())
        .put("codec", a.getCodec() == 0 ? Limits.ATTACHMENT_CODEC_RAW : a.getCodec())
        .put("cid", cid(a))
        .put("alt", a.getAlt());
  }

  /** The attachment's CID in text form (CIDv1, base32), or null when its hash is not SHA-256's. */
  static String cid(Attachment a) {
    if (a.getHash().size() != Cid.SHA2_256_BYTES) {
      return null;
    }
    long codec = a.getCodec() == 0 ? Limits.ATTACHMENT_CODEC_RAW : a.getCodec();
    byte[] head = new CidPrefix(Cid.VERSION_1, codec, Cid.SHA2_256, Cid.SHA2_256_BYTES).encode();
    byte[] bytes = java.util.Arrays.copyOf(head, head.length + Cid.SHA2_256_BYTES);
    a.getHash().copyTo(bytes, head.length);
    try {
      return Cid.parse(bytes).toString();
    } catch (BitswapException e) {
      return null; // A codec beyond what a CID can carry: the file cannot be named, nor fetched.
    }
  }

  /**
   * Identities in content are 32-byte keys (checked by the validator); print them as identity
   * strings.
   */
  private static String identity(ByteString key) {
    return key.size() == 32 ? Identity.of(key.toByteArray()).toString() : hex(key);
  }

  private static String hex(ByteString b) {
    return HEX.formatHex(b.toByteArray());
  }
}
