package org.grapevine.libp2p.host;

import io.netty.channel.Channel;
import java.net.InetSocketAddress;

/**
 * Sees every new TCP channel of a {@link Host} before the connection upgrade is installed on it, so
 * handlers added here sit next to the socket, under pnet, Noise and Yamux. The simulations use it
 * to delay each connection's bytes by a link latency on loopback. Called on the channel's event
 * loop; it must not block.
 */
@FunctionalInterface
public interface ChannelHook {
  /** Adds nothing. */
  ChannelHook NONE = (channel, direction, remote) -> {};

  /**
   * Adds handlers to a new connection's channel before the upgrade starts.
   *
   * @param remote the address dialled (outbound) or the peer's address (inbound)
   */
  void initChannel(Channel channel, Connection.Direction direction, InetSocketAddress remote);
}
