package org.grapevine.libp2p.relay;

import java.util.List;
import java.util.Optional;
import org.grapevine.libp2p.multiaddr.Multiaddr;

/**
 * The {@code Reservation} of circuit-v2.md, as the relay grants it.
 *
 * @param expireUnixSeconds when the reservation ends (Unix time, UTC seconds)
 * @param addrs the relay's public addresses (with {@code /p2p/<relay>}), to build circuit addresses
 * @param voucher the signed envelope of a {@link ReservationVoucher}, if the relay sent one
 */
public record RelayReservation(
    long expireUnixSeconds, List<Multiaddr> addrs, Optional<byte[]> voucher) {
  public RelayReservation {
    addrs = List.copyOf(addrs);
  }
}
