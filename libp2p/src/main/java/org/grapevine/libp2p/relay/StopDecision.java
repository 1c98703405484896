package org.grapevine.libp2p.relay;

import org.grapevine.libp2p.peer.PeerId;

/** The target's decision about a relay's stop CONNECT ({@link StopService#handleConnect}). */
public sealed interface StopDecision {
  /** The answer every decision sends to the relay. */
  StopMessage answer();

  /**
   * Send {@link #answer} (OK), then upgrade the stop stream as an inbound connection from {@code
   * source}, limited by {@code limit}.
   */
  record Accept(PeerId source, RelayLimit limit, StopMessage answer) implements StopDecision {}

  /** Send {@link #answer} and close the stream. */
  record Refuse(StopMessage answer) implements StopDecision {}
}
