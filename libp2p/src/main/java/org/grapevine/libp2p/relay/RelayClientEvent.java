package org.grapevine.libp2p.relay;

import java.util.List;
import org.grapevine.libp2p.multiaddr.Multiaddr;
import org.grapevine.libp2p.peer.PeerId;

/**
 * What the relay client tells its driver and the node, from {@link RelayClient#pollEvent}. Both
 * events change {@link RelayClient#circuitAddrs}: the node re-advertises (identify push, DHT).
 */
public sealed interface RelayClientEvent {
  /** A reservation was made or renewed; {@code circuitAddrs} are the relay's circuit addresses. */
  record Reserved(
      PeerId relay, long expireUnixSeconds, RelayLimit limit, List<Multiaddr> circuitAddrs)
      implements RelayClientEvent {}

  /** A reservation was lost, or a reservation attempt failed: the relay is retried later. */
  record Failed(PeerId relay, boolean hadReservation, String reason) implements RelayClientEvent {}
}
