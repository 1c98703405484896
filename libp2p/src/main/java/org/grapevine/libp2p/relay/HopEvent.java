package org.grapevine.libp2p.relay;

import org.grapevine.libp2p.peer.PeerId;

/** What the hop service tells its driver, from {@link HopService#pollEvent}. */
public sealed interface HopEvent {
  /** The circuit ran past its duration limit: the driver resets both of its streams. */
  record CircuitExpired(long circuitId) implements HopEvent {}

  /** A peer's reservation ended (expired, or its last connection to us closed). */
  record ReservationEnded(PeerId peer) implements HopEvent {}
}
