package org.grapevine.libp2p.host;

import java.util.concurrent.CompletableFuture;
import org.grapevine.libp2p.multiaddr.Multiaddr;

/**
 * Dials {@code /p2p-circuit} addresses for a {@link Host} (circuit relay v2's client, {@code
 * relay.netty.CircuitTransport}): reaches the relay, asks it to connect, and upgrades the circuit
 * with {@link Host#upgradeRelayed}. Installed with {@link Host#setCircuitDialer}.
 */
@FunctionalInterface
public interface CircuitDialer {
  /**
   * Dials the target of a circuit address through its relay.
   *
   * @param circuitAddr {@code <relay addr>/p2p/<relay>/p2p-circuit/p2p/<target>}
   */
  CompletableFuture<Connection> dial(Multiaddr circuitAddr);
}
