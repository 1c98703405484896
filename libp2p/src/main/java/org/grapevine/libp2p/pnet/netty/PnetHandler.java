package org.grapevine.libp2p.pnet.netty;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.AbstractScheduledEventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;
import org.grapevine.libp2p.pnet.PnetException;
import org.grapevine.libp2p.pnet.PnetSession;
import org.grapevine.libp2p.pnet.SwarmKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one {@link PnetSession} as the first handler after the TCP socket. Not sharable: one
 * instance per connection.
 *
 * <p>As soon as the channel is active it writes the session's nonce, then passes every outbound
 * buffer through the session's keystream; inbound bytes go through the session too, which holds
 * back the peer's nonce. Writes from the layers above may start at once: they only need our own
 * nonce, which always goes out first. If the peer's nonce does not arrive by the session's
 * deadline, the channel is closed; this handler only sets a timer for it.
 */
// Futures of close() and write() are not awaited: a write fails only when the channel is closing,
// which channelInactive handles, and a close needs no answer.
@SuppressWarnings("FutureReturnValueIgnored")
public final class PnetHandler extends ChannelDuplexHandler {
  public static final int NONCE_BYTES = PnetSession.NONCE_BYTES;

  /** js waits 1 s; we are not latency-bound and prefer not to drop slow links. */
  public static final Duration DEFAULT_NONCE_TIMEOUT = Duration.ofSeconds(5);

  private static final Logger log = LoggerFactory.getLogger(PnetHandler.class);

  private final SwarmKey key;
  private final RandomGenerator random;
  private final Duration nonceTimeout;
  private PnetSession session;
  private ScheduledFuture<?> timer;
  private boolean failed;

  /**
   * @param random the nonce source: a {@code SecureRandom} in production, seeded in tests
   */
  public PnetHandler(SwarmKey key, RandomGenerator random) {
    this(key, random, DEFAULT_NONCE_TIMEOUT);
  }

  public PnetHandler(SwarmKey key, RandomGenerator random, Duration nonceTimeout) {
    this.key = Objects.requireNonNull(key);
    this.random = Objects.requireNonNull(random);
    this.nonceTimeout = Objects.requireNonNull(nonceTimeout);
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
    if (session != null) {
      return;
    }
    session = new PnetSession(key, random, nonceTimeout, now(ctx));
    // Straight to the context, past our own write(): the nonce is the one unencrypted thing.
    ctx.writeAndFlush(Unpooled.wrappedBuffer(session.pollNonce().orElseThrow()));
    armTimer(ctx);
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (!(msg instanceof ByteBuf data)) {
      ReferenceCountUtil.release(msg);
      promise.setFailure(
          new UnsupportedOperationException(
              "pnet encrypts ByteBufs only, got " + msg.getClass().getName()));
      return;
    }
    if (session == null) {
      data.release();
      promise.setFailure(new IllegalStateException("write before the channel is active"));
      return;
    }
    ctx.write(session.encrypt(data, ctx.alloc()), promise);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof ByteBuf data)) {
      ctx.fireChannelRead(msg);
      return;
    }
    if (failed) {
      data.release();
      return;
    }
    try {
      ByteBuf plain = session.decrypt(data, ctx.alloc(), now(ctx));
      if (session.hasRemoteNonce()) {
        cancelTimer();
      }
      if (plain != null) {
        ctx.fireChannelRead(plain);
      }
    } catch (PnetException e) {
      fail(ctx, e);
    }
  }

  private void armTimer(ChannelHandlerContext ctx) {
    session
        .pollTimeout()
        .ifPresent(
            deadline ->
                timer =
                    ctx.executor()
                        .schedule(() -> onTimer(ctx), deadline - now(ctx), TimeUnit.NANOSECONDS));
  }

  private void onTimer(ChannelHandlerContext ctx) {
    timer = null;
    if (failed) {
      return;
    }
    try {
      session.handleTimeout(now(ctx));
      armTimer(ctx); // Woken early, or the nonce is here (then there is nothing to arm).
    } catch (PnetException e) {
      fail(ctx, e);
    }
  }

  private void fail(ChannelHandlerContext ctx, PnetException e) {
    failed = true;
    cancelTimer();
    log.info("{}: {}; closing", ctx.channel().remoteAddress(), e.getMessage());
    ctx.close();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    cancelTimer();
    ctx.fireChannelInactive();
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    cancelTimer();
  }

  private void cancelTimer() {
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
  }

  /** The event loop's clock, which EmbeddedChannel tests can advance. */
  private static long now(ChannelHandlerContext ctx) {
    return ctx.executor() instanceof AbstractScheduledEventExecutor executor
        ? executor.ticker().nanoTime()
        : System.nanoTime();
  }
}
