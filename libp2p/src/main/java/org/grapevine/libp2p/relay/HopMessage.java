package org.grapevine.libp2p.relay;

import java.util.Optional;

/**
 * A message of the hop protocol ({@code /libp2p/circuit/relay/0.2.0/hop}, circuit-v2.md): RESERVE
 * and CONNECT from a client to the relay, STATUS back. Fields that do not belong to a type are
 * empty; {@link RelayCodec} checks that the ones each type needs are there.
 */
public record HopMessage(
    Type type,
    Optional<RelayPeer> peer,
    Optional<RelayReservation> reservation,
    Optional<RelayLimit> limit,
    Optional<RelayStatus> status) {
  public enum Type {
    RESERVE,
    CONNECT,
    STATUS
  }

  public static HopMessage reserve() {
    return new HopMessage(
        Type.RESERVE, Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());
  }

  public static HopMessage connect(RelayPeer target) {
    return new HopMessage(
        Type.CONNECT, Optional.of(target), Optional.empty(), Optional.empty(), Optional.empty());
  }

  /** A refusal, or an OK to CONNECT with its limit. */
  public static HopMessage status(RelayStatus status, RelayLimit limit) {
    return new HopMessage(
        Type.STATUS,
        Optional.empty(),
        Optional.empty(),
        limit.isNone() ? Optional.empty() : Optional.of(limit),
        Optional.of(status));
  }

  public static HopMessage status(RelayStatus status) {
    return status(status, RelayLimit.NONE);
  }

  /** The OK answer to RESERVE. */
  public static HopMessage reserved(RelayReservation reservation, RelayLimit limit) {
    return new HopMessage(
        Type.STATUS,
        Optional.empty(),
        Optional.of(reservation),
        limit.isNone() ? Optional.empty() : Optional.of(limit),
        Optional.of(RelayStatus.OK));
  }
}
