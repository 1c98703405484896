package org.grapevine.libp2p.crypto;

import java.util.Objects;

/**
 * Bytes that are not a usable libp2p private key. Private keys never come from peers, only from our
 * own storage (a key file), so this is a local problem, never the remote peer's fault: it is
 * deliberately not a {@link org.grapevine.libp2p.MalformedFrameException}. The caller knows the
 * file and names it; callers branch on {@link #problem}.
 */
public final class PrivKeyFormatException extends Exception {
  private static final long serialVersionUID = 1L;

  /** What is wrong with the key's bytes. */
  public enum Problem {
    /** Not the protobuf {@code PrivateKey} form. */
    MALFORMED,
    /** A key type other than Ed25519. */
    UNSUPPORTED_TYPE,
    /** Ed25519 key data of the wrong length. */
    BAD_LENGTH,
    /** The public half stored with the seed is not the seed's. */
    INCONSISTENT
  }

  private final Problem problem;

  public PrivKeyFormatException(Problem problem, String message) {
    super(message);
    this.problem = Objects.requireNonNull(problem);
  }

  public PrivKeyFormatException(Problem problem, String message, Throwable cause) {
    super(message, cause);
    this.problem = Objects.requireNonNull(problem);
  }

  public Problem problem() {
    return problem;
  }
}
