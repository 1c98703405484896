package org.grapevine.protocol.identity;

/**
 * A string that is not a valid identity; the message says what is wrong, for the person who typed
 * it.
 */
public final class IdentityFormatException extends Exception {
  /** What is wrong, for callers that react differently (for example, a CLI that suggests a fix). */
  public enum Problem {
    EMPTY,
    TOO_LONG,
    MIXED_CASE,
    WRONG_PREFIX,
    INVALID_CHARACTER,
    BAD_CHECKSUM,
    WRONG_LENGTH,
    UNKNOWN_VERSION,
    NOT_A_PUBLIC_KEY
  }

  private final Problem problem;

  public IdentityFormatException(Problem problem, String message) {
    super("not a Grapevine identity: " + message);
    this.problem = problem;
  }

  public Problem problem() {
    return problem;
  }
}
