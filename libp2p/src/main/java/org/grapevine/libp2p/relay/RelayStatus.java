package org.grapevine.libp2p.relay;

import java.util.Optional;

/**
 * The {@code Status} of circuit-v2.md with its wire codes. 1xx is success, 2xx a refusal by the
 * relay or target (policy or resources: nobody misbehaved), 4xx a protocol error by the sender.
 */
public enum RelayStatus {
  OK(100),
  /** The relay will not take a reservation from this peer (policy, total cap, relayed request). */
  RESERVATION_REFUSED(200),
  /** A cap was reached: reservations per peer or IP, circuits per peer. */
  RESOURCE_LIMIT_EXCEEDED(201),
  /** Refused by policy, e.g. a CONNECT that arrived over a relayed connection. */
  PERMISSION_DENIED(202),
  /** The relay could not reach the target, or the target refused (stop). */
  CONNECTION_FAILED(203),
  /** CONNECT to a peer that holds no reservation here. */
  NO_RESERVATION(204),
  /** The message did not decode or lacked a field. */
  MALFORMED_MESSAGE(400),
  /** A message of a type not expected at that point (e.g. STATUS as a request). */
  UNEXPECTED_MESSAGE(401);

  private final int wire;

  RelayStatus(int wire) {
    this.wire = wire;
  }

  public int wire() {
    return wire;
  }

  /** The status of a wire code; empty for UNUSED (0) and codes the spec does not define. */
  public static Optional<RelayStatus> fromWire(int wire) {
    for (RelayStatus s : values()) {
      if (s.wire == wire) {
        return Optional.of(s);
      }
    }
    return Optional.empty();
  }
}
