package org.grapevine.libp2p.yamux.netty;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import org.grapevine.libp2p.mux.MuxedStream;
import org.grapevine.libp2p.mux.StreamMuxer;
import org.grapevine.libp2p.yamux.YamuxConfig;
import org.grapevine.libp2p.yamux.YamuxErrorCode;
import org.grapevine.libp2p.yamux.YamuxEvent;
import org.grapevine.libp2p.yamux.YamuxSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a {@link YamuxSession} on a channel, after the secure channel: inbound {@link ByteBuf}s are
 * decrypted connection bytes, and frames are written downstream as ByteBufs. Makes no protocol
 * decisions: it feeds reads and timer ticks to the session, writes its output (one flush per
 * input), and turns its events into {@link MuxedStream} callbacks.
 *
 * <p>Session death: on a protocol error (logged with its reason) or a completed close, the handler
 * writes the session's last frames (GoAway) and closes the channel; the host watches {@code
 * channel.closeFuture()}. When the channel goes inactive, every open stream gets {@code onReset}.
 *
 * <p>Threading: {@link #openStream} and {@link #openStreams} are called on the channel's event
 * loop; {@link #setInboundHandler} and {@link #close} may be called from any thread and hop onto
 * it. Data reaches readers synchronously; the window is reopened once a reader has it.
 */
// Futures of close() and write() are not awaited: a write fails only when the channel is closing,
// which channelInactive handles, and a close needs no answer.
@SuppressWarnings("FutureReturnValueIgnored")
public final class YamuxHandler extends ChannelInboundHandlerAdapter implements StreamMuxer {
  private static final Logger log = LoggerFactory.getLogger(YamuxHandler.class);

  private final YamuxConfig config;
  private final boolean client;
  private final Map<Long, YamuxMuxedStream> streams = new HashMap<>();

  /** Inbound streams waiting for {@link #setInboundHandler}; at most maxInboundStreams. */
  private final ArrayDeque<YamuxMuxedStream> unclaimed = new ArrayDeque<>();

  private ChannelHandlerContext ctx;
  private YamuxSession session;
  private InboundStreamHandler inboundHandler;
  private ScheduledFuture<?> timer;
  private long timerDeadline;
  private ChannelFuture lastWrite;
  private boolean driving;
  private boolean closeChannel;
  private volatile int openStreams;

  /**
   * @param client true on the side that dialed the connection (odd stream ids), false on the
   *     listener's side
   */
  public YamuxHandler(YamuxConfig config, boolean client) {
    this.config = config;
    this.client = client;
  }

  public static YamuxHandler client(YamuxConfig config) {
    return new YamuxHandler(config, true);
  }

  public static YamuxHandler server(YamuxConfig config) {
    return new YamuxHandler(config, false);
  }

  // ------------------------------------------------------------------------- channel events

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    session = new YamuxSession(config, client, ctx.alloc(), System.nanoTime());
    drive();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof ByteBuf bytes)) {
      ctx.fireChannelRead(msg);
      return;
    }
    session.handleInbound(bytes, System.nanoTime());
    drive();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    shutDown();
    ctx.fireChannelInactive();
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    shutDown();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    log.warn("yamux: closing {} after an exception", ctx.channel(), cause);
    ctx.close();
  }

  // ----------------------------------------------------------------------------- StreamMuxer

  @Override
  public MuxedStream openStream() {
    if (ctx == null || !ctx.executor().inEventLoop()) {
      throw new IllegalStateException("openStream must run on the connection's event loop");
    }
    YamuxMuxedStream stream = new YamuxMuxedStream(this, session.openStream(), true);
    streams.put(stream.id(), stream);
    drive();
    return stream;
  }

  @Override
  public void setInboundHandler(InboundStreamHandler handler) {
    onLoop(
        () -> {
          inboundHandler = handler;
          YamuxMuxedStream s;
          while ((s = unclaimed.poll()) != null) {
            handler.onInboundStream(s);
          }
        });
  }

  @Override
  public void close() {
    onLoop(
        () -> {
          session.goAway(YamuxErrorCode.NORMAL, System.nanoTime());
          drive();
        });
  }

  @Override
  public int openStreams() {
    return openStreams;
  }

  // ------------------------------------------------------- called by YamuxMuxedStream, on loop

  EventExecutor executor() {
    return ctx.executor();
  }

  boolean write(YamuxMuxedStream s, ByteBuf data) {
    session.write(s.id(), data);
    boolean writable = session.isWritable(s.id());
    drive();
    return writable;
  }

  void closeWrite(YamuxMuxedStream s) {
    session.closeWrite(s.id());
    drive();
  }

  void reset(YamuxMuxedStream s) {
    session.reset(s.id());
    streams.remove(s.id());
    s.onReset();
    drive();
  }

  void consumed(YamuxMuxedStream s, int bytes) {
    session.consumed(s.id(), bytes);
    drive();
  }

  // ---------------------------------------------------------------------------------- driving

  /** Drains the session: outbound bytes, then events (whose callbacks may add more), until idle. */
  private void drive() {
    if (driving || session == null) {
      return; // a callback inside the loop below: the loop picks up what it queued
    }
    driving = true;
    try {
      boolean wrote = false;
      boolean more = true;
      while (more) {
        ByteBuf out;
        while ((out = session.pollOutbound()) != null) {
          lastWrite = ctx.write(out);
          wrote = true;
        }
        more = false;
        for (Optional<YamuxEvent> event = session.pollEvent();
            event.isPresent();
            event = session.pollEvent()) {
          dispatch(event.get());
          more = true;
        }
      }
      if (wrote) {
        ctx.flush();
      }
    } finally {
      driving = false;
    }
    openStreams = session.openStreams();
    rescheduleTimer();
    if (closeChannel) {
      closeChannel = false;
      if (lastWrite != null) {
        lastWrite.addListener(f -> ctx.close()); // close only after the GoAway is out
      } else {
        ctx.close();
      }
    }
  }

  private void dispatch(YamuxEvent event) {
    if (event instanceof YamuxEvent.InboundStreamOpened e) {
      onInboundStream(e.streamId());
    } else if (event instanceof YamuxEvent.StreamData e) {
      YamuxMuxedStream s = streams.get(e.streamId());
      if (s == null) {
        e.data().release();
      } else {
        s.onData(e.data());
      }
    } else if (event instanceof YamuxEvent.StreamRemoteClosed e) {
      YamuxMuxedStream s = streams.get(e.streamId());
      if (s != null) {
        s.onRemoteClosed();
      }
    } else if (event instanceof YamuxEvent.StreamClosed e) {
      streams.remove(e.streamId());
    } else if (event instanceof YamuxEvent.StreamReset e) {
      YamuxMuxedStream s = streams.remove(e.streamId());
      if (s != null) {
        s.onReset();
      }
    } else if (event instanceof YamuxEvent.StreamWritable e) {
      YamuxMuxedStream s = streams.get(e.streamId());
      if (s != null) {
        s.onWritable();
      }
    } else if (event instanceof YamuxEvent.SessionError e) {
      log.warn("yamux: session error on {}: {} (GoAway {})", ctx.channel(), e.reason(), e.code());
      closeChannel = true;
    } else if (event instanceof YamuxEvent.SessionClosed) {
      closeChannel = true;
    } else if (event instanceof YamuxEvent.GoAwayReceived e) {
      log.debug("yamux: GoAway {} from {}", e.code(), ctx.channel());
    }
  }

  private void onInboundStream(long id) {
    YamuxMuxedStream s = new YamuxMuxedStream(this, id, false);
    streams.put(id, s);
    if (inboundHandler != null) {
      inboundHandler.onInboundStream(s);
    } else if (unclaimed.size() < config.maxInboundStreams()) {
      unclaimed.add(s);
    } else {
      reset(s); // nobody is accepting, and waiting streams must stay bounded
    }
  }

  private void rescheduleTimer() {
    OptionalLong next = session.pollTimeout();
    if (timer != null && (next.isEmpty() || next.getAsLong() != timerDeadline)) {
      timer.cancel(false);
      timer = null;
    }
    if (timer == null && next.isPresent()) {
      timerDeadline = next.getAsLong();
      long delay = Math.max(0, timerDeadline - System.nanoTime());
      timer = ctx.executor().schedule(this::onTimer, delay, TimeUnit.NANOSECONDS);
    }
  }

  private void onTimer() {
    timer = null;
    session.handleTimeout(System.nanoTime());
    drive();
  }

  private void shutDown() {
    if (session == null) {
      return;
    }
    session.handleTransportClosed();
    drive();
    YamuxMuxedStream s;
    while ((s = unclaimed.poll()) != null) {
      s.onReset(); // releases data nobody will read
    }
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
  }

  private void onLoop(Runnable task) {
    if (ctx == null) {
      throw new IllegalStateException("YamuxHandler is not in a pipeline yet");
    }
    if (ctx.executor().inEventLoop()) {
      task.run();
    } else {
      ctx.executor().execute(task);
    }
  }
}
