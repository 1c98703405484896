package org.grapevine.libp2p.relay.netty;

import org.grapevine.libp2p.relay.RelayStatus;

/**
 * The relay answered a CONNECT or RESERVE with a refusal: the cause of the {@code DialException} of
 * a circuit dial, so that callers can branch on {@link #status} (e.g. NO_RESERVATION: the target's
 * address is stale).
 */
public final class CircuitRefusedException extends Exception {
  private static final long serialVersionUID = 1L;

  private final RelayStatus status;

  public CircuitRefusedException(RelayStatus status, String message) {
    super(message);
    this.status = status;
  }

  public RelayStatus status() {
    return status;
  }
}
