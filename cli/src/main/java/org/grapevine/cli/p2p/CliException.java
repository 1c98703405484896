package org.grapevine.cli.p2p;

import org.grapevine.cli.ExitCode;

/**
 * A failure the user can act on: reported as one line on stderr ("grapevine: " + message) with
 * {@link #exitCode()} ({@link ExitCode#ERROR} unless said otherwise); no stack trace unless {@code
 * --verbose}.
 */
public final class CliException extends Exception {
  private final int exitCode;

  public CliException(String message) {
    this(message, ExitCode.ERROR);
  }

  public CliException(String message, int exitCode) {
    super(message);
    this.exitCode = exitCode;
  }

  public CliException(String message, int exitCode, Throwable cause) {
    super(message, cause);
    this.exitCode = exitCode;
  }

  public int exitCode() {
    return exitCode;
  }
}
