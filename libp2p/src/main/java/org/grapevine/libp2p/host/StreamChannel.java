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
 *   <li>Writes: flushed {@link ByteBuf}s go to {@link MuxedStream#write} while the outer stream is
 *       writable; once it is not (its peer's window is closed and bytes queue in it), the rest stay
 *       in this channel's outbound buffer, whose water marks make the channel unwritable, until the
 *       stream's {@code onWritable}, as a socket channel waits for OP_WRITE. So at most one flushed
 *       write queues in the outer stream.
 *   <li>Reads: the stream pushes; with {@code autoRead} off, reading pauses after each delivery
 *       ({@link MuxedStream#pauseReading}, so the outer window closes) until {@code read()}.
 *   <li>Close: half-closes the outer stream (FIN), so bytes already queued (Yamux GoAway) still
 *       arrive; the peer's FIN or a reset closes this channel. Closing is whole, as a TCP channel
 *       without ALLOW_HALF_CLOSURE does: the inner connection has its own per-stream half-close.
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
  private boolean readPaused;

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
    if (!config.isAutoRead()) {
      readPaused = true; // nothing is read before the pipeline asks (doBeginRead)
      stream.pauseReading();
    }
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
            if (open && !config.isAutoRead()) {
              readPaused = true;
              stream.pauseReading();
            }
          }

          @Override
          public void onWritable(MuxedStream s) {
            if (open) {
              ((StreamUnsafe) unsafe()).writable();
            }
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
    return new StreamUnsafe();
  }

  private final class StreamUnsafe extends AbstractUnsafe {
    @Override
    public void connect(SocketAddress remote, SocketAddress local, ChannelPromise promise) {
      promise.setFailure(new UnsupportedOperationException("a stream channel is connected"));
    }

    /** The outer stream drained: write what waited (already flushed, so no new flush mark). */
    void writable() {
      flush0();
    }
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
    // Reads are pushed by the stream; this only lifts a pause that autoRead off asked for.
    if (readPaused) {
      readPaused = false;
      stream.resumeReading();
    }
  }

  @Override
  protected void doWrite(ChannelOutboundBuffer in) {
    while (true) {
      Object msg = in.current();
      if (msg == null || !stream.isWritable()) {
        return; // the rest waits for onWritable (or the close, which fails it)
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
