package org.grapevine.node;

import java.util.List;
import java.util.Map;
import org.grapevine.libp2p.multiaddr.Multiaddr;
import org.grapevine.libp2p.peer.PeerId;

/**
 * What {@code grapevine status} shows of the node's reach through NATs ({@code nat}).
 *
 * @param reachability AutoNAT's verdict: "public", "private" or "unknown"
 * @param reachable whether the node counts as reachable (AutoNAT, or a public listen address while
 *     AutoNAT does not know): it then serves the DHT (auto), relays (auto) and reserves no relay
 * @param observed public addresses peers observed us at, confirmed by enough of them
 * @param observedCandidates public addresses observed but not confirmed yet
 * @param reachableAddrs addresses AutoNAT found reachable
 * @param relays relays holding a reservation for us
 * @param circuitAddrs our {@code /p2p-circuit} addresses through them
 * @param relayService whether we relay for others
 * @param relayReservations reservations we hold for others
 * @param relayCircuits circuits we relay now
 * @param relayedBytes bytes relayed by circuits that have ended
 * @param relayedConnections our connections that go through a relay
 * @param relayedOpened connections through a relay opened since start (both directions)
 * @param holePunches hole punches (DCUtR) by outcome
 */
public record ReachStatus(
    String reachability,
    boolean reachable,
    List<Multiaddr> observed,
    List<Multiaddr> observedCandidates,
    List<Multiaddr> reachableAddrs,
    List<PeerId> relays,
    List<Multiaddr> circuitAddrs,
    boolean relayService,
    int relayReservations,
    int relayCircuits,
    long relayedBytes,
    int relayedConnections,
    long relayedOpened,
    Map<String, Long> holePunches) {
  public ReachStatus {
    observed = List.copyOf(observed);
    observedCandidates = List.copyOf(observedCandidates);
    reachableAddrs = List.copyOf(reachableAddrs);
    relays = List.copyOf(relays);
    circuitAddrs = List.copyOf(circuitAddrs);
    holePunches = Map.copyOf(holePunches);
  }
}
