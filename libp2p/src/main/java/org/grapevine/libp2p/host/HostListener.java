package org.grapevine.libp2p.host;

import java.util.List;
import org.grapevine.libp2p.autonat.Reachability;
import org.grapevine.libp2p.identify.IdentifyResult;
import org.grapevine.libp2p.multiaddr.Multiaddr;

/**
 * Connection events of a {@link Host}, delivered on the connection's event loop. Keep them short.
 */
public interface HostListener {
  /** A connection finished its upgrade (secure, multiplexed). */
  default void onConnected(Connection connection) {}

  /** The peer answered identify on this connection. */
  default void onIdentified(Connection connection, IdentifyResult identify) {}

  /** A stream was negotiated on the connection, opened by the peer ({@code inbound}) or by us. */
  default void onStreamOpened(Connection connection, String protocol, boolean inbound) {}

  /** The connection closed, for whatever reason. */
  default void onDisconnected(Connection connection) {}

  /**
   * AutoNAT changed its mind about the host's reachability ({@link Host#reachability}); {@code
   * publicAddrs} are the addresses found reachable. Runs on the AutoNAT loop. Only with AutoNAT
   * configured ({@link HostConfig#autonat}).
   */
  default void onReachabilityChanged(
      Reachability from, Reachability to, List<Multiaddr> publicAddrs) {}
}
