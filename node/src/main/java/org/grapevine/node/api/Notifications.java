package org.grapevine.node.api;

import java.util.Optional;
import org.grapevine.protocol.addressed.Addressees;
import org.grapevine.protocol.entry.LogEntry;
import org.grapevine.protocol.identity.Identity;
import org.grapevine.protocol.proto.Content;
import org.grapevine.protocol.proto.Post;
import org.grapevine.protocol.proto.Ref;

/**
 * What a held entry means to {@code me} as a notification (issue 15): its type, and the entry of
 * mine it is about. Plain rules over the content, no store:
 *
 * <ul>
 *   <li>{@code reply}: a post whose parent or thread root is mine (about: the parent);
 *   <li>{@code quote}: any other post that quotes an entry of mine (about: that entry);
 *   <li>{@code mention}: any other post that mentions me;
 *   <li>{@code reaction}, {@code repost}: of an entry of mine (about: that entry);
 *   <li>{@code follow}, {@code unfollow}: of me.
 * </ul>
 *
 * An entry of mine is never a notification, nor one that does not address me ({@link Addressees}).
 */
final class Notifications {
  /** The notification types, as the API names them. */
  enum Type {
    REPLY,
    QUOTE,
    MENTION,
    REACTION,
    REPOST,
    FOLLOW,
    UNFOLLOW;

    String key() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }

    /** Types that group by the entry they are about ("3 people reacted to your post"). */
    boolean grouped() {
      return this == REACTION || this == REPOST || this == FOLLOW;
    }
  }

  /** A notification: its type and the id (hex) of my entry it is about, or null. */
  record Item(Type type, String about) {}

  private Notifications() {}

  /** What {@code e} is to {@code me}; empty when it is no notification of mine. */
  static Optional<Item> of(LogEntry e, Identity me) {
    Content c = e.content().orElse(null);
    if (c == null || e.header().identity().equals(me) || !Addressees.addresses(c, me)) {
      return Optional.empty();
    }
    return Optional.of(
        switch (c.getBodyCase()) {
          case POST -> post(c.getPost(), me);
          case REACTION -> new Item(Type.REACTION, idHex(c.getReaction().getTarget()));
          case REPOST -> new Item(Type.REPOST, idHex(c.getRepost().getTarget()));
          case FOLLOW -> new Item(Type.FOLLOW, null);
          case UNFOLLOW -> new Item(Type.UNFOLLOW, null);
          default -> new Item(Type.MENTION, null); // Addressees names no other kind.
        });
  }

  private static Item post(Post p, Identity me) {
    if (p.hasReplyTo()
        && (mine(p.getReplyTo().getParent(), me) || mine(p.getReplyTo().getRoot(), me))) {
      return new Item(Type.REPLY, idHex(p.getReplyTo().getParent()));
    }
    if (p.hasQuote() && mine(p.getQuote(), me)) {
      return new Item(Type.QUOTE, idHex(p.getQuote()));
    }
    return new Item(Type.MENTION, null);
  }

  private static boolean mine(Ref r, Identity me) {
    return r.getIdentity().size() == 32
        && java.util.Arrays.equals(r.getIdentity().toByteArray(), me.root().unsafeBytes());
  }

  private static String idHex(Ref r) {
    return org.grapevine.protocol.internal.Hex.encode(r.getEntry().toByteArray());
  }
}
