package org.grapevine.libp2p.relay;

import java.util.Optional;

/**
 * A message of the stop protocol ({@code /libp2p/circuit/relay/0.2.0/stop}, circuit-v2.md): the
 * relay's CONNECT to the target (naming the source peer and the circuit's limit) and the target's
 * STATUS.
 */
public record StopMessage(
    Type type, Optional<RelayPeer> peer, Optional<RelayLimit> limit, Optional<RelayStatus> status) {
  public enum Type {
    CONNECT,
    STATUS
  }

  public static StopMessage connect(RelayPeer source, RelayLimit limit) {
    return new StopMessage(
        Type.CONNECT,
        Optional.of(source),
        limit.isNone() ? Optional.empty() : Optional.of(limit),
        Optional.empty());
  }

  public static StopMessage status(RelayStatus status) {
    return new StopMessage(Type.STATUS, Optional.empty(), Optional.empty(), Optional.of(status));
  }
}
