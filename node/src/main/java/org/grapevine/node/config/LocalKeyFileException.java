package org.grapevine.node.config;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * A key file (or the identity record, {@code keys/identity}) in the data directory that is missing
 * or cannot be used: a local problem (a damaged, wrong or foreign file), never a remote peer's
 * fault. Names the file so the person can fix or replace it; callers branch on {@link #problem}. An
 * {@link IOException}, as other unusable local files are, so callers that report I/O problems of
 * the data directory report this one too.
 */
public final class LocalKeyFileException extends IOException {
  private static final long serialVersionUID = 1L;

  /** What is wrong with the file. */
  public enum Problem {
    /** Larger than any key file: most likely not a key file at all. */
    TOO_LARGE,
    /** Not a libp2p private key (the network identity, {@code keys/peer.key}). */
    NOT_A_LIBP2P_KEY,
    /** {@code keys/identity} is damaged: not an identity record. */
    NOT_AN_IDENTITY,
    /** {@code keys/root.key} is the root key of another identity than the one recorded. */
    ROOT_KEY_OF_ANOTHER_IDENTITY,
    /**
     * {@code keys/device.key} wrote entries of another identity than the one recorded (its own log
     * in the store says so).
     */
    DEVICE_KEY_OF_ANOTHER_IDENTITY,
    /** A file the data directory needs is not there (no identity, or no key to act with). */
    MISSING
  }

  private final Problem problem;
  private final transient Path file;

  public LocalKeyFileException(Problem problem, Path file, String detail, Throwable cause) {
    super(file + ": " + detail, cause);
    this.problem = Objects.requireNonNull(problem);
    this.file = Objects.requireNonNull(file);
  }

  public Problem problem() {
    return problem;
  }

  /** The file at fault. */
  public Path file() {
    return file;
  }
}
