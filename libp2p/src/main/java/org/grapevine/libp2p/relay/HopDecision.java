package org.grapevine.libp2p.relay;

import org.grapevine.libp2p.peer.PeerId;

/**
 * What the hop service decided about a request: answer at once (a reservation, or any refusal), or
 * ask the target over stop (CONNECT).
 */
public sealed interface HopDecision {
  /** Send {@code answer} to the requester and close the hop stream. */
  record Answer(HopMessage answer) implements HopDecision {}

  /**
   * Open a stop stream to {@code target}, send {@code request}, and give the target's answer to
   * {@link HopService#handleStopAnswer} (or its failure to {@link HopService#handleStopFailed}).
   */
  record OpenStop(long circuitId, PeerId target, StopMessage request) implements HopDecision {}
}
