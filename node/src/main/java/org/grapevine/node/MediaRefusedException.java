package org.grapevine.node;

/**
 * A media request this node cannot serve ({@link NodeMedia}): the code says why and whose fault it
 * is, the message says it in words for a person.
 */
public final class MediaRefusedException extends Exception {
  private static final long serialVersionUID = 1L;

  /** Why; {@link #callersFault} tells a request's mistake from what the network could not give. */
  public enum Code {
    /** Not a CID this node can read (the caller's). */
    BAD_CID(true),
    /** A file over this node's size cap for one attachment (the caller's). */
    TOO_LARGE(true),
    /** An image whose bytes do not parse as their type claims (the caller's). */
    BAD_FILE(true),
    /** Named by no post this node holds and not held: not asked of peers (the caller's). */
    UNKNOWN(true),
    /** Taking it would go over the author's media quota or the total media budget. */
    OVER_BUDGET(false),
    /** No peer asked had it (every one answered DONT_HAVE, or none was connected). */
    NOT_FOUND(false),
    /** The peers asked did not deliver within the wait. */
    TIMED_OUT(false),
    /** Too many files wait to be fetched already: try again later. */
    BUSY(false),
    /** The disk failed us (this node's fault). */
    STORAGE(false);

    private final boolean callersFault;

    Code(boolean callersFault) {
      this.callersFault = callersFault;
    }

    public boolean callersFault() {
      return callersFault;
    }

    /** The name used in the API's error codes and in counters. */
    public String key() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  private final Code code;

  public MediaRefusedException(Code code, String message) {
    super(message);
    this.code = code;
  }

  public MediaRefusedException(Code code, String message, Throwable cause) {
    super(message, cause);
    this.code = code;
  }

  public Code code() {
    return code;
  }
}
