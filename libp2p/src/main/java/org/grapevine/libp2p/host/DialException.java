package org.grapevine.libp2p.host;

/**
 * A dial or an upgrade that failed, with a message for the person who asked: which address, and
 * what went wrong (refused, timed out, wrong peer, handshake failure, likely swarm-key mismatch).
 */
public final class DialException extends Exception {
  public DialException(String message) {
    super(message);
  }

  public DialException(String message, Throwable cause) {
    super(message, cause);
  }
}
