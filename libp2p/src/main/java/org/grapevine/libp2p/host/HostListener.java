package org.grapevine.libp2p.host;

import org.grapevine.libp2p.identify.IdentifyResult;

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
}
