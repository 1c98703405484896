package org.grapevine.node.core;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.grapevine.protocol.entry.ContentKind;
import org.grapevine.protocol.entry.EntryId;
import org.grapevine.protocol.entry.LogEntry;
import org.grapevine.protocol.identity.Identity;

/**
 * The node's rules on its own writes, in one place: what a reply, reaction or repost may refer to,
 * which entries may be deleted, and that a node neither follows, unfollows nor mutes its own
 * identity. {@code Node} calls them before signing; the API calls them where it must decide before
 * the node is asked (a follow of an identity already followed writes nothing). Text rules (empty,
 * too long) are the protocol's: {@link org.grapevine.protocol.validation.ContentRules#checkText}.
 *
 * <p>Pure functions of their arguments: the caller looks the entry up in its store.
 */
public final class WriteRules {
  private WriteRules() {}

  /** What an own entry refers to, and the kinds that may be referred to. */
  public enum Target {
    /** A reply's parent: a post (a reply is a post too). */
    REPLY_PARENT("parent", ContentKind.POST),
    /** A reaction's target: a post, a repost, or a feed (liking a feed, issue 17). */
    REACTION_TARGET("target", ContentKind.POST, ContentKind.REPOST, ContentKind.FEED),
    /** A repost's target: a post. */
    REPOST_TARGET("target", ContentKind.POST),
    /** A quote post's quoted entry: a post (issue 15). */
    QUOTE_TARGET("quote", ContentKind.POST);

    private final String name;

    @SuppressWarnings("ImmutableEnumChecker") // List.of: immutable, which the checker cannot see.
    private final List<ContentKind> kinds;

    Target(String name, ContentKind... kinds) {
      this.name = name;
      this.kinds = List.of(kinds);
    }

    /** The kinds this target may have. */
    public List<ContentKind> kinds() {
      return kinds;
    }
  }

  /**
   * A relation this node writes (follow, unfollow) or keeps locally (mute, block) with another
   * identity.
   */
  public enum Relation {
    FOLLOW("a node always follows itself"),
    UNFOLLOW("a node always follows itself"),
    MUTE("it cannot be muted"),
    BLOCK("it cannot be blocked");

    private final String why;

    Relation(String why) {
      this.why = why;
    }
  }

  /**
   * The entry {@code id} as {@code target} of a new entry.
   *
   * @param held the entry as this node's store holds it, or empty
   * @throws WriteRefusedException {@code NOT_HELD} or {@code WRONG_KIND}
   */
  public static LogEntry target(Target target, EntryId id, Optional<LogEntry> held) {
    LogEntry e = held.orElseThrow(() -> notHeld(id));
    if (!target.kinds.contains(e.header().kind())) {
      throw new WriteRefusedException(
          WriteRefusedException.Code.WRONG_KIND,
          target.name
              + " "
              + id
              + " is a "
              + name(e.header().kind())
              + "; it must be a "
              + String.join(" or ", target.kinds.stream().map(WriteRules::name).toList()));
    }
    return e;
  }

  /**
   * The entry {@code id} as the target of a delete by {@code self}: only the identity's own
   * device-log entries can be deleted (the root log holds delegations, which a delete cannot undo),
   * and not a delete (its content keeps its own target deleted).
   *
   * @throws WriteRefusedException {@code NOT_HELD}, {@code NOT_OWN_ENTRY} or {@code WRONG_KIND}
   */
  public static LogEntry deletable(Identity self, EntryId id, Optional<LogEntry> held) {
    LogEntry e = held.orElseThrow(() -> notHeld(id));
    if (!e.header().identity().equals(self) || e.header().inRootLog()) {
      throw new WriteRefusedException(
          WriteRefusedException.Code.NOT_OWN_ENTRY,
          "entry "
              + id
              + " belongs to "
              + e.header().identity()
              + (e.header().inRootLog() ? "'s root log" : "")
              + "; only this node's own posts can be deleted");
    }
    if (e.header().kind() == ContentKind.DELETE) {
      // A delete's content is what keeps its target deleted; stores never drop it (issue 12).
      throw new WriteRefusedException(
          WriteRefusedException.Code.WRONG_KIND,
          "entry " + id + " is a delete: a delete cannot be deleted (its target stays deleted)");
    }
    return e;
  }

  /**
   * That {@code self} may {@code relation} {@code other}.
   *
   * @throws WriteRefusedException {@code OWN_IDENTITY} when {@code other} is {@code self}
   */
  public static void relation(Identity self, Relation relation, Identity other) {
    if (other.equals(self)) {
      throw new WriteRefusedException(
          WriteRefusedException.Code.OWN_IDENTITY,
          "this is the node's own identity; " + relation.why);
    }
  }

  private static WriteRefusedException notHeld(EntryId id) {
    return new WriteRefusedException(
        WriteRefusedException.Code.NOT_HELD, "no held entry has the id " + id);
  }

  private static String name(ContentKind kind) {
    return kind.name().toLowerCase(Locale.ROOT);
  }
}
