package org.grapevine.libp2p.relay;

import java.util.EnumMap;
import org.grapevine.libp2p.peer.PeerId;

/**
 * The target side of circuit relay v2's stop protocol (circuit-v2.md "Stop protocol"): a relay asks
 * us to accept a circuit from a source peer. Sans-I/O; confine to one thread (the adapter calls it
 * on its driver's loop).
 *
 * <p>Rules, in order: 1. only CONNECT is a request (else UNEXPECTED_MESSAGE); 2. we accept circuits
 * only from relays we hold a reservation on (else PERMISSION_DENIED: a relay we never asked has no
 * business routing peers to us); 3. at most {@code maxCircuits} relayed connections being set up or
 * open at once (else RESOURCE_LIMIT_EXCEEDED). Then OK, with the relay's limit. {@link
 * #handleCircuitClosed} gives a slot back.
 */
public final class StopService {
  private final int maxCircuits;
  private final EnumMap<RelayStatus, Long> answers = new EnumMap<>(RelayStatus.class);
  private int open;

  public StopService(int maxCircuits) {
    if (maxCircuits < 0) {
      throw new IllegalArgumentException("maxCircuits must be >= 0, got " + maxCircuits);
    }
    this.maxCircuits = maxCircuits;
  }

  /**
   * A stop request from {@code relay}.
   *
   * @param reservedOnRelay whether we hold a reservation on that relay
   */
  public StopDecision handleConnect(PeerId relay, boolean reservedOnRelay, StopMessage request) {
    if (request.type() != StopMessage.Type.CONNECT) {
      return refuse(RelayStatus.UNEXPECTED_MESSAGE);
    }
    if (!reservedOnRelay) {
      return refuse(RelayStatus.PERMISSION_DENIED);
    }
    if (open >= maxCircuits) {
      return refuse(RelayStatus.RESOURCE_LIMIT_EXCEEDED);
    }
    open++;
    answers.merge(RelayStatus.OK, 1L, Long::sum);
    return new StopDecision.Accept(
        request.peer().orElseThrow().id(),
        request.limit().orElse(RelayLimit.NONE),
        StopMessage.status(RelayStatus.OK));
  }

  /** The request did not decode: the answer to send before closing. */
  public StopMessage handleMalformed() {
    return refuse(RelayStatus.MALFORMED_MESSAGE).answer();
  }

  /** An accepted circuit ended (upgrade failed, or the relayed connection closed). */
  public void handleCircuitClosed() {
    if (open == 0) {
      throw new IllegalStateException("no circuit open");
    }
    open--;
  }

  public int openCircuits() {
    return open;
  }

  public long answered(RelayStatus status) {
    return answers.getOrDefault(status, 0L);
  }

  private StopDecision refuse(RelayStatus status) {
    answers.merge(status, 1L, Long::sum);
    return new StopDecision.Refuse(StopMessage.status(status));
  }
}
