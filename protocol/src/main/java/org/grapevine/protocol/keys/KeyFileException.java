package org.grapevine.protocol.keys;

/** A key file that cannot be opened; the message says why, for the person holding it. */
public final class KeyFileException extends Exception {
  public enum Problem {
    TOO_LARGE,
    MALFORMED,
    UNSUPPORTED_VERSION,
    WRONG_ROLE,
    PASSPHRASE_REQUIRED,
    WRONG_PASSPHRASE,
    BAD_KDF_PARAMETERS,
    NOT_AN_ED25519_KEY
  }

  private final Problem problem;

  public KeyFileException(Problem problem, String message) {
    super(message);
    this.problem = problem;
  }

  public KeyFileException(Problem problem, String message, Throwable cause) {
    super(message, cause);
    this.problem = problem;
  }

  public Problem problem() {
    return problem;
  }
}
