package org.grapevine.protocol.identity;

/** A string that is not a valid invite; the message says what is wrong, for the person. */
public final class InviteFormatException extends Exception {
  /** What is wrong, for callers that react differently. */
  public enum Problem {
    EMPTY,
    TOO_LONG,
    MIXED_CASE,
    WRONG_PREFIX,
    INVALID_CHARACTER,
    BAD_CHECKSUM,
    WRONG_LENGTH,
    TRUNCATED,
    OUT_OF_BOUNDS,
    UNKNOWN_VERSION,
    NOT_A_PUBLIC_KEY;

    /** The same problem found by the shared bech32m decoder. */
    static Problem of(IdentityFormatException.Problem p) {
      return switch (p) {
        case EMPTY -> EMPTY;
        case TOO_LONG -> TOO_LONG;
        case MIXED_CASE -> MIXED_CASE;
        case WRONG_PREFIX -> WRONG_PREFIX;
        case INVALID_CHARACTER -> INVALID_CHARACTER;
        case BAD_CHECKSUM -> BAD_CHECKSUM;
        case WRONG_LENGTH -> WRONG_LENGTH;
        case UNKNOWN_VERSION -> UNKNOWN_VERSION;
        case NOT_A_PUBLIC_KEY -> NOT_A_PUBLIC_KEY;
      };
    }
  }

  private final Problem problem;

  public InviteFormatException(Problem problem, String message) {
    super("not a Grapevine invite: " + message);
    this.problem = problem;
  }

  /** From the bech32m decoder's problem, with its message (after its own prefix). */
  InviteFormatException(Problem problem, IdentityFormatException cause) {
    super(
        "not a Grapevine invite: "
            + cause.getMessage().substring(cause.getMessage().indexOf(':') + 2),
        cause);
    this.problem = problem;
  }

  public Problem problem() {
    return problem;
  }
}
