package org.grapevine.libp2p.bitswap;

import java.util.Objects;
import org.grapevine.libp2p.peer.PeerId;

/**
 * A message for the adapter to send to {@code peer} ({@link Bitswap#pollOutgoing}).
 *
 * @param chargedBytes block bytes this message counts against the peer's bytes in flight; report
 *     them with {@link Bitswap#handleSent} once written (0 for messages without blocks)
 */
public record Outgoing(PeerId peer, BitswapMessage message, long chargedBytes) {
  public Outgoing {
    Objects.requireNonNull(peer, "peer");
    Objects.requireNonNull(message, "message");
    if (chargedBytes < 0) {
      throw new IllegalArgumentException("chargedBytes must not be negative");
    }
  }
}
