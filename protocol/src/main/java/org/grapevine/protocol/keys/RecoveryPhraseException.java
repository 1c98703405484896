package org.grapevine.protocol.keys;

/** A recovery phrase that does not decode; the message says which word is wrong, or that one is. */
public final class RecoveryPhraseException extends Exception {
  public enum Problem {
    WRONG_WORD_COUNT,
    UNKNOWN_WORD,
    BAD_CHECKSUM
  }

  private final Problem problem;

  public RecoveryPhraseException(Problem problem, String message) {
    super(message);
    this.problem = problem;
  }

  public Problem problem() {
    return problem;
  }
}
