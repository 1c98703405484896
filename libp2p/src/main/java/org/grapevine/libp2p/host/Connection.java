package org.grapevine.libp2p.host;

import io.netty.channel.Channel;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.grapevine.libp2p.identify.IdentifyResult;
import org.grapevine.libp2p.multiaddr.Multiaddr;
import org.grapevine.libp2p.mux.StreamMuxer;
import org.grapevine.libp2p.peer.PeerId;
import org.grapevine.libp2p.relay.RelayLimit;

/**
 * An upgraded connection to an authenticated peer: TCP, [pnet], Noise, Yamux. Streams are opened
 * through {@link Host#newStream}; this object is what the host's listeners and protocol handlers
 * see of it.
 *
 * <p>A <em>relayed</em> connection ({@link #isRelayed}) runs the same upgrade inside a circuit of a
 * relay (circuit relay v2): its bytes pass through the relay, which may cut it after the {@link
 * #relayLimit} it announced. {@link #isLimited} says whether such a limit applies; protocols that
 * should not spend the relay's budget (bulk sync, gossip) check it, as js-libp2p's
 * runOnLimitedConnection does.
 */
public final class Connection {
  /** Who dialed. GossipSub cares (its outbound mesh quota). */
  public enum Direction {
    INBOUND,
    OUTBOUND
  }

  private final Channel channel;
  private final PeerId remotePeer;
  private final Multiaddr remoteAddr;
  private final Multiaddr localAddr;
  private final Direction direction;
  private final StreamMuxer muxer;
  private final RelayLimit relayLimit;
  private final AtomicReference<IdentifyResult> identify = new AtomicReference<>();

  Connection(
      Channel channel,
      PeerId remotePeer,
      Multiaddr remoteAddr,
      Multiaddr localAddr,
      Direction direction,
      StreamMuxer muxer,
      RelayLimit relayLimit) {
    this.channel = channel;
    this.relayLimit = relayLimit;
    this.remotePeer = remotePeer;
    this.remoteAddr = remoteAddr;
    this.localAddr = localAddr;
    this.direction = direction;
    this.muxer = muxer;
  }

  public PeerId remotePeer() {
    return remotePeer;
  }

  /** The peer's address as this connection sees it (without /p2p). */
  public Multiaddr remoteAddr() {
    return remoteAddr;
  }

  public Multiaddr localAddr() {
    return localAddr;
  }

  public Direction direction() {
    return direction;
  }

  /** Whether this connection runs through a relay's circuit (its address has /p2p-circuit). */
  public boolean isRelayed() {
    return relayLimit != null;
  }

  /** Whether the relay announced a duration or data limit for this (relayed) connection. */
  public boolean isLimited() {
    return relayLimit != null && !relayLimit.isNone();
  }

  /** The relay's limit for a relayed connection ({@link RelayLimit#NONE} if it gave none). */
  public Optional<RelayLimit> relayLimit() {
    return Optional.ofNullable(relayLimit);
  }

  public boolean isOpen() {
    return channel.isActive();
  }

  /** What the peer said in identify, once it answered. */
  public Optional<IdentifyResult> identify() {
    return Optional.ofNullable(identify.get());
  }

  void identified(IdentifyResult result) {
    identify.set(result);
  }

  StreamMuxer muxer() {
    return muxer;
  }

  Channel channel() {
    return channel;
  }

  /** Closes gracefully: Yamux GoAway, then the socket. */
  public void close() {
    channel.eventLoop().execute(muxer::close);
  }

  @Override
  public String toString() {
    return direction.name().toLowerCase(java.util.Locale.ROOT)
        + (relayLimit != null ? " relayed " : " ")
        + remotePeer
        + " at "
        + remoteAddr;
  }
}
