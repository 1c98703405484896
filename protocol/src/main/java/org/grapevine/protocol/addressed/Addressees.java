package org.grapevine.protocol.addressed;

import com.google.protobuf.ByteString;
import java.util.LinkedHashSet;
import java.util.Set;
import org.grapevine.protocol.Limits;
import org.grapevine.protocol.identity.Identity;
import org.grapevine.protocol.proto.Content;
import org.grapevine.protocol.proto.Post;
import org.grapevine.protocol.proto.Ref;

/**
 * Whom a content addresses: the identities it answers or names. A post addresses the authors of the
 * post it replies to and of its thread's first post, and every identity it mentions; a reaction or
 * a repost addresses the identity of its target. Other kinds address nobody. The writer publishes
 * such an entry on each addressee's topic too ({@code Topics.forAddressee}); a reader accepts it
 * there only if the topic's identity is in this set, so the rule is one function for both sides.
 */
public final class Addressees {
  private Addressees() {}

  /**
   * The identities {@code c} addresses, in the order they appear, without repeats, as a new set the
   * caller may change; may include the writer's own identity (the caller leaves it out when
   * publishing). Keys of the wrong length are skipped (content rules refuse them anyway).
   */
  public static Set<Identity> of(Content c) {
    Set<Identity> out = new LinkedHashSet<>();
    switch (c.getBodyCase()) {
      case POST -> {
        Post p = c.getPost();
        if (p.hasReplyTo()) {
          ref(out, p.getReplyTo().getParent());
          ref(out, p.getReplyTo().getRoot());
        }
        if (p.hasQuote()) {
          ref(out, p.getQuote());
        }
        for (ByteString m : p.getMentionsList()) {
          key(out, m);
        }
      }
      case REACTION -> ref(out, c.getReaction().getTarget());
      case REPOST -> ref(out, c.getRepost().getTarget());
      case FOLLOW -> key(out, c.getFollow().getIdentity());
      case UNFOLLOW -> key(out, c.getUnfollow().getIdentity());
      default -> {
        // Profiles, deletes and root-log kinds address nobody.
      }
    }
    return out;
  }

  /** Whether {@code c} addresses {@code who}. */
  public static boolean addresses(Content c, Identity who) {
    return of(c).contains(who);
  }

  private static void ref(Set<Identity> out, Ref r) {
    key(out, r.getIdentity());
  }

  private static void key(Set<Identity> out, ByteString key) {
    if (key.size() == Limits.PUBLIC_KEY_BYTES) {
      out.add(Identity.of(key.toByteArray()));
    }
  }
}
