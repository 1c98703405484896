package org.grapevine.libp2p.host;

import io.netty.channel.Channel;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.grapevine.libp2p.identify.IdentifyResult;
import org.grapevine.libp2p.multiaddr.Multiaddr;
import org.grapevine.libp2p.mux.StreamMuxer;
import org.grapevine.libp2p.peer.PeerId;

/**
 * An upgraded connection to an authenticated peer: TCP, [pnet], Noise, Yamux. Streams are opened
 * through {@link Host#newStream}; this object is what the host's listeners and protocol handlers
 * see of it.
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
  private final AtomicReference<IdentifyResult> identify = new AtomicReference<>();

  Connection(
      Channel channel,
      PeerId remotePeer,
      Multiaddr remoteAddr,
      Multiaddr localAddr,
      Direction direction,
      StreamMuxer muxer) {
    this.channel = channel;
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
        + " "
        + remotePeer
        + " at "
        + remoteAddr;
  }
}
