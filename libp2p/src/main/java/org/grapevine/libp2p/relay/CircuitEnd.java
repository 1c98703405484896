package org.grapevine.libp2p.relay;

/**
 * Why a relayed circuit ended, as the relay counts it ({@link HopService#ended}). The first cause
 * wins: a circuit cut at its data limit also sees both streams reset, and counts as {@link
 * #DATA_LIMIT}.
 */
public enum CircuitEnd {
  /** Both sides closed their write halves (a FIN each way): the normal end. */
  CLOSED,
  /** The source (who sent hop CONNECT) reset its stream, or its connection to the relay ended. */
  SOURCE_RESET,
  /** The target (who answered stop CONNECT) reset its stream, or its connection ended. */
  TARGET_RESET,
  /** One direction reached the circuit's data limit (circuit-v2.md "Limit.data"). */
  DATA_LIMIT,
  /** The circuit lasted its duration limit (circuit-v2.md "Limit.duration"). */
  DURATION_LIMIT,
  /** The relay stopped serving. */
  RELAY_CLOSING
}
