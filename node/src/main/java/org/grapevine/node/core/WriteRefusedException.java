package org.grapevine.node.core;

/**
 * An own write that {@link WriteRules} refuse: the caller's fault (the API answers it as a 4xx, see
 * docs/API.md). Nothing was signed. Callers branch on {@link #code()}, never on the message.
 */
public final class WriteRefusedException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  /** Why the write is refused. */
  public enum Code {
    /** The entry written about (replied to, reacted to, deleted ...) is not held by this node. */
    NOT_HELD,
    /**
     * The entry written about is of a kind this write cannot refer to (e.g. a reply to a reaction).
     */
    WRONG_KIND,
    /** A delete of an entry that is not one of this identity's device-log entries. */
    NOT_OWN_ENTRY,
    /** A follow, unfollow or mute of this node's own identity. */
    OWN_IDENTITY
  }

  private final Code code;

  WriteRefusedException(Code code, String message) {
    super(message);
    this.code = code;
  }

  public Code code() {
    return code;
  }
}
