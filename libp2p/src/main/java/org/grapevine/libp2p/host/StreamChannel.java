package org.grapevine.libp2p.host;

import io.netty.buffer.ByteBuf;
import io.netty.channel.AbstractChannel;
import io.netty.channel.ChannelConfig;
import io.netty.channel.ChannelMetadata;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelPromise;
import io.netty.channel.DefaultChannelConfig;
import io.netty.channel.EventLoop;
import java.net.SocketAddress;
import org.grapevine.libp2p.mux.MuxedStream;
import org.grapevine.libp2p.mux.StreamReader;

/**
 * A Netty {@link io.netty.channel.Channel} over a {@link MuxedStream} of another connection, so
 * that a relayed circuit (a hop or stop stream) can carry a whole connection upgrade (multistream,
 * Noise, Yamux) exactly as a TCP socket does. It lives on the stream's event loop.
 *
 * <p>Call order: construct, {@link Host} registers it on {@link MuxedStream#executor()}, adds the
 * upgrade's handlers, then {@link #activate} fires {@code channelActive} and starts reading.
 *
 * <ul>
 *   <li>Writes: each flushed {@link ByteBuf} goes to {@link MuxedStream#write} (which queues by the
 *       outer stream's flow control). The channel stays writable: there is no back-pressure from
 *       the outer stream into this channel's pipeline; a relayed connection is short and limited
 *       (the relay's data limit bounds what can queue).
 *   <li>Reads: everything the stream delivers is fired at once ({@code autoRead} is not honoured,
 *       for the same reason).
 *   <li>Close: half-closes the outer stream (FIN), so bytes already queued (Yamux GoAway) still
 *       arrive; the peer's FIN or a reset closes this channel.
 * </ul>
 */
// close() needs no answer: channelInactive tells the pipeline.
@SuppressWarnings("FutureReturnValueIgnored")
final class StreamChannel extends AbstractChannel {
  private static final ChannelMetadata METADATA = new ChannelMetadata(false);

  private final MuxedStream stream;
  private final ChannelConfig config = new DefaultChannelConfig(this);
  private boolean open = true;
  private boolean active;

  StreamChannel(MuxedStream stream) {
    super(null);
    this.stream = stream;
  }

  /** Starts the connection: {@code channelActive}, then the stream's bytes. On the event loop. */
  void activate() {
    if (!open) {
      return;
    }
    active = true;
    pipeline().fireChannelActive();
    stream.setReader(
        new StreamReader() {
          @Override
          public void onData(MuxedStream s, ByteBuf data) {
            if (!open) {
              data.release();
              return;
            }
            pipeline().fireChannelRead(data);
            pipeline().fireChannelReadComplete();
          }

          @Override
          public void onRemoteClosed(MuxedStream s) {
            close();
          }

          @Override
          public void onReset(MuxedStream s) {
            close();
          }
        });
  }

  @Override
  public ChannelConfig config() {
    return config;
  }

  @Override
  public boolean isOpen() {
    return open;
  }

  @Override
  public boolean isActive() {
    return open && active;
  }

  @Override
  public ChannelMetadata metadata() {
    return METADATA;
  }

  @Override
  protected AbstractUnsafe newUnsafe() {
    return new AbstractUnsafe() {
      @Override
      public void connect(SocketAddress remote, SocketAddress local, ChannelPromise promise) {
        promise.setFailure(new UnsupportedOperationException("a stream channel is connected"));
      }
    };
  }

  @Override
  protected boolean isCompatible(EventLoop loop) {
    return loop == stream.executor();
  }

  @Override
  protected SocketAddress localAddress0() {
    return null;
  }

  @Override
  protected SocketAddress remoteAddress0() {
    return null;
  }

  @Override
  protected void doBind(SocketAddress local) {
    throw new UnsupportedOperationException("a stream channel cannot bind");
  }

  @Override
  protected void doDisconnect() {
    doClose();
  }

  @Override
  protected void doClose() {
    if (open) {
      open = false;
      active = false;
      stream.closeWrite();
    }
  }

  @Override
  protected void doBeginRead() {
    // Reads are pushed by the stream (see the class comment).
  }

  @Override
  protected void doWrite(ChannelOutboundBuffer in) {
    while (true) {
      Object msg = in.current();
      if (msg == null) {
        return;
      }
      if (msg instanceof ByteBuf buf) {
        stream.write(buf.retain());
        in.remove();
      } else {
        in.remove(new UnsupportedOperationException("a stream channel carries ByteBufs only"));
      }
    }
  }
}
