package org.grapevine.libp2p.relay;

import java.util.List;
import java.util.Optional;
import org.grapevine.libp2p.multiaddr.Multiaddr;
import org.grapevine.libp2p.peer.PeerId;

/**
 * What the relay client tells its driver and the node, from {@link RelayClient#pollEvent}. Both
 * events change {@link RelayClient#circuitAddrs}: the node re-advertises (identify push, DHT).
 */
public sealed interface RelayClientEvent {
  /**
   * A reservation was made or renewed; {@code circuitAddrs} are the relay's circuit addresses.
   * {@code voucherIgnored} says why the relay's voucher did not verify, if it did not (vouchers are
   * advisory: the reservation stands).
   */
  record Reserved(
      PeerId relay,
      long expireUnixSeconds,
      RelayLimit limit,
      List<Multiaddr> circuitAddrs,
      Optional<String> voucherIgnored)
      implements RelayClientEvent {}

  /** A reservation was lost, or a reservation attempt failed: the relay is retried later. */
  record Failed(PeerId relay, boolean hadReservation, String reason) implements RelayClientEvent {}
}
