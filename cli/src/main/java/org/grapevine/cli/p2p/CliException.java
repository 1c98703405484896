package org.grapevine.cli.p2p;

/** A failure to report as one line on stderr with exit code 1. */
public final class CliException extends Exception {
  public CliException(String message) {
    super(message);
  }
}
