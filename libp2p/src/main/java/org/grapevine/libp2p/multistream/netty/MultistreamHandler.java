package org.grapevine.libp2p.multistream.netty;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.util.concurrent.AbstractScheduledEventExecutor;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.grapevine.libp2p.multistream.MultistreamConfig;
import org.grapevine.libp2p.multistream.MultistreamErrorCode;
import org.grapevine.libp2p.multistream.MultistreamNegotiator;
import org.grapevine.libp2p.multistream.NegotiationEvent;
import org.grapevine.libp2p.multistream.NegotiationEvent.Failed;
import org.grapevine.libp2p.multistream.NegotiationEvent.Selected;
import org.grapevine.libp2p.multistream.NegotiationEvent.Send;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one {@link MultistreamNegotiator} on a connection, e.g. to choose {@code /noise} on top of
 * TCP (or pnet), or {@code /yamux/1.0.0} inside Noise. Not sharable: one instance per channel.
 *
 * <p>On success, in this order, all on the event loop and before any later read:
 *
 * <ol>
 *   <li>{@link NextLayer#install} is called; it must add the protocol's handler right after this
 *       one ({@code ctx.pipeline().addAfter(ctx.name(), ...)});
 *   <li>this handler removes itself;
 *   <li>the user event {@link ProtocolSelected} travels down the pipeline (the host may install the
 *       next layer here instead, from a handler after this one);
 *   <li>bytes that arrived after the deciding message are passed on as one {@code channelRead},
 *       followed by {@code channelReadComplete}.
 * </ol>
 *
 * On failure or timeout it fires {@link NegotiationFailed}, logs and closes the channel. The
 * negotiation starts when the channel is active (at once if it already is, as inside Noise). The
 * deadline is the negotiator's; this handler only sets a timer for it.
 */
// Futures of close() and write() are not awaited: a write fails only when the channel is closing,
// which channelInactive handles, and a close needs no answer.
@SuppressWarnings("FutureReturnValueIgnored")
public final class MultistreamHandler extends ChannelInboundHandlerAdapter {
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
  private static final Logger log = LoggerFactory.getLogger(MultistreamHandler.class);

  /** Installs the handler of the chosen protocol; see the class comment. */
  @FunctionalInterface
  public interface NextLayer {
    void install(ChannelHandlerContext ctx, String protocol);
  }

  private final MultistreamNegotiator negotiator;
  private final NextLayer nextLayer;
  private final Duration timeout;
  private ByteBuf cumulation;
  private ScheduledFuture<?> timer;
  private boolean started;
  private boolean finished;

  /** A dialer's handler proposing {@code proposals} in order, e.g. {@code List.of("/noise")}. */
  public static MultistreamHandler initiator(List<String> proposals, NextLayer nextLayer) {
    return new MultistreamHandler(MultistreamNegotiator.initiator(proposals), nextLayer);
  }

  /**
   * A listener's handler accepting {@code protocols}; it answers the dialer's header (js style).
   */
  public static MultistreamHandler responder(List<String> protocols, NextLayer nextLayer) {
    return new MultistreamHandler(
        MultistreamNegotiator.responder(protocols, MultistreamConfig.DEFAULT), nextLayer);
  }

  public MultistreamHandler(MultistreamNegotiator negotiator, NextLayer nextLayer) {
    this(negotiator, nextLayer, DEFAULT_TIMEOUT);
  }

  public MultistreamHandler(
      MultistreamNegotiator negotiator, NextLayer nextLayer, Duration timeout) {
    this.negotiator = Objects.requireNonNull(negotiator);
    this.nextLayer = Objects.requireNonNull(nextLayer);
    this.timeout = Objects.requireNonNull(timeout);
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    if (ctx.channel().isActive()) {
      start(ctx);
    }
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    start(ctx);
    ctx.fireChannelActive();
  }

  private void start(ChannelHandlerContext ctx) {
    if (started) {
      return;
    }
    started = true;
    ByteBuf first = negotiator.start(ctx.alloc(), now(ctx.executor()), timeout);
    if (first.isReadable()) {
      ctx.writeAndFlush(first);
    } else {
      first.release();
    }
    armTimer(ctx);
  }

  private void armTimer(ChannelHandlerContext ctx) {
    negotiator
        .pollTimeout()
        .ifPresent(
            deadline ->
                timer =
                    ctx.executor()
                        .schedule(
                            () -> onTimer(ctx),
                            deadline - now(ctx.executor()),
                            TimeUnit.NANOSECONDS));
  }

  private void onTimer(ChannelHandlerContext ctx) {
    timer = null;
    if (finished) {
      return;
    }
    negotiator
        .handleTimeout(now(ctx.executor()))
        .ifPresentOrElse(
            failed -> fail(ctx, failed.code(), failed.detail()),
            () -> armTimer(ctx)); // Woken early: wait for the rest.
  }

  /** The event loop's clock, which EmbeddedChannel tests can advance. */
  static long now(EventExecutor executor) {
    return executor instanceof AbstractScheduledEventExecutor scheduled
        ? scheduled.ticker().nanoTime()
        : System.nanoTime();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (finished || !(msg instanceof ByteBuf in)) {
      ctx.fireChannelRead(msg); // Not ours: the negotiation is over (in flight) or it is no byte.
      return;
    }
    cumulation =
        cumulation == null
            ? in
            : ByteToMessageDecoder.MERGE_CUMULATOR.cumulate(ctx.alloc(), cumulation, in);
    while (!finished) {
      NegotiationEvent event = negotiator.receive(cumulation, now(ctx.executor()));
      if (event instanceof Send send) {
        ctx.writeAndFlush(send.data());
      } else if (event instanceof Selected selected) {
        onSelected(ctx, selected);
      } else if (event instanceof Failed failed) {
        fail(ctx, failed.code(), failed.detail());
      } else {
        break;
      }
    }
  }

  private void onSelected(ChannelHandlerContext ctx, Selected selected) {
    finished = true;
    ByteBuf leftover = selected.leftover();
    try {
      nextLayer.install(ctx, selected.protocol());
    } catch (RuntimeException e) {
      leftover.release();
      fail(ctx, MultistreamErrorCode.CLOSED, "installing " + selected.protocol() + " failed: " + e);
      return;
    }
    // Removed contexts keep their links, so events fired below still reach the next layer.
    ctx.pipeline().remove(this);
    ctx.fireUserEventTriggered(new ProtocolSelected(selected.protocol()));
    if (leftover.isReadable()) {
      ctx.fireChannelRead(leftover);
      ctx.fireChannelReadComplete();
    } else {
      leftover.release();
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    if (finished) {
      ctx.fireChannelReadComplete();
    } else if (!ctx.channel().config().isAutoRead()) {
      ctx.read(); // Still negotiating: the layers above have nothing to read yet, we do.
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (!finished) {
      finished = true;
      log.debug("{}: closed during multistream negotiation", ctx.channel().remoteAddress());
      release();
    }
    ctx.fireChannelInactive();
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    release();
  }

  private void fail(ChannelHandlerContext ctx, MultistreamErrorCode code, String detail) {
    finished = true;
    release();
    log.info(
        "{}: multistream negotiation failed: {} {}", ctx.channel().remoteAddress(), code, detail);
    ctx.fireUserEventTriggered(new NegotiationFailed(code, detail));
    ctx.close();
  }

  private void release() {
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
    if (cumulation != null) {
      cumulation.release();
      cumulation = null;
    }
  }
}
