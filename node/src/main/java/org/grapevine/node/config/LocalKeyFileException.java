package org.grapevine.node.config;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * A key file in the data directory that cannot be used: a local problem (a damaged, wrong or
 * foreign file), never a remote peer's fault. Names the file so the person can fix or replace it;
 * callers branch on {@link #problem}. An {@link IOException}, as other unusable local files are, so
 * callers that report I/O problems of the data directory report this one too.
 */
public final class LocalKeyFileException extends IOException {
  private static final long serialVersionUID = 1L;

  /** What is wrong with the file. */
  public enum Problem {
    /** Larger than any key file: most likely not a key file at all. */
    TOO_LARGE,
    /** Not a libp2p private key (the network identity, {@code keys/peer.key}). */
    NOT_A_LIBP2P_KEY
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
