package org.grapevine.libp2p.relay;

import java.time.Duration;

/**
 * Limits of the hop service (circuit-v2.md "Reservation" and "Limits"); defaults are go-libp2p's.
 *
 * @param reservationTtl how long a reservation lasts (the client renews before it ends)
 * @param maxReservations reservations held at once, for all peers
 * @param maxReservationsPerPeer new reservations granted to one peer ID at once, regained at this
 *     many per {@code reservationTtl} (a token bucket; a renewal takes none, a peer that reconnects
 *     and reserves again takes one): bounds churn from one identity
 * @param maxReservationsPerIp the same, counted per IP address of the requesting connection (its
 *     ip4 or ip6 address, whatever the port)
 * @param maxCircuitsPerPeer circuits open at once that involve one peer (as source or target)
 * @param maxCircuits circuits open at once in total
 * @param circuitLimit what each circuit may carry and how long it may last (0: unlimited)
 */
public record HopConfig(
    Duration reservationTtl,
    int maxReservations,
    int maxReservationsPerPeer,
    int maxReservationsPerIp,
    int maxCircuitsPerPeer,
    int maxCircuits,
    RelayLimit circuitLimit) {
  /** go-libp2p's defaults: 1 h, 128 reservations, 4 per peer, 8 per IP, 16 circuits per peer. */
  public static final HopConfig DEFAULT =
      new HopConfig(Duration.ofHours(1), 128, 4, 8, 16, 256, new RelayLimit(120, 1 << 17));

  public HopConfig {
    if (reservationTtl.compareTo(Duration.ofSeconds(1)) < 0
        || maxReservations < 0
        || maxReservationsPerPeer < 1
        || maxReservationsPerIp < 1
        || maxCircuitsPerPeer < 1
        || maxCircuits < 0) {
      throw new IllegalArgumentException("invalid hop config " + this);
    }
  }

  public HopConfig withReservationTtl(Duration ttl) {
    return new HopConfig(
        ttl,
        maxReservations,
        maxReservationsPerPeer,
        maxReservationsPerIp,
        maxCircuitsPerPeer,
        maxCircuits,
        circuitLimit);
  }

  public HopConfig withMaxReservations(int total, int perPeer, int perIp) {
    return new HopConfig(
        reservationTtl, total, perPeer, perIp, maxCircuitsPerPeer, maxCircuits, circuitLimit);
  }

  public HopConfig withMaxCircuits(int total, int perPeer) {
    return new HopConfig(
        reservationTtl,
        maxReservations,
        maxReservationsPerPeer,
        maxReservationsPerIp,
        perPeer,
        total,
        circuitLimit);
  }

  public HopConfig withCircuitLimit(RelayLimit limit) {
    return new HopConfig(
        reservationTtl,
        maxReservations,
        maxReservationsPerPeer,
        maxReservationsPerIp,
        maxCircuitsPerPeer,
        maxCircuits,
        limit);
  }
}
