package org.grapevine.libp2p.noise.netty;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageCodec;
import io.netty.util.concurrent.AbstractScheduledEventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;
import org.grapevine.libp2p.crypto.PrivKey;
import org.grapevine.libp2p.noise.NoiseConfig;
import org.grapevine.libp2p.noise.NoiseException;
import org.grapevine.libp2p.noise.NoiseFrameCodec;
import org.grapevine.libp2p.noise.NoiseHandshake;
import org.grapevine.libp2p.noise.NoiseRole;
import org.grapevine.libp2p.noise.NoiseSession;
import org.grapevine.libp2p.peer.PeerId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs {@link NoiseHandshake} on a channel and then encrypts and decrypts its bytes. Add it right
 * after multistream-select has chosen {@code /noise}; bytes that arrived with the selection reach
 * it through {@code channelRead} as usual.
 *
 * <ul>
 *   <li>The handshake starts when the handler is added to an active channel (or on {@code
 *       channelActive}); the initiator writes message 1 then.
 *   <li>On completion it fires {@link NoiseHandshakeCompleted} before passing on anything else, so
 *       the host can add the muxer; transport frames that came in the same read as the last
 *       handshake message follow as plaintext ByteBufs.
 *   <li>Outbound ByteBufs are encrypted into frames of at most 65519 plaintext bytes. Writing
 *       before the event is our bug: the write fails with an IllegalStateException.
 *   <li>A {@link NoiseException} (bad bytes, wrong peer, no common muxer, timeout) is logged with
 *       the remote address and closes the channel.
 * </ul>
 *
 * <p>One instance per channel; everything runs on the channel's event loop.
 */
// Futures of close() and write() are not awaited: a write fails only when the channel is closing,
// which channelInactive handles, and a close needs no answer.
@SuppressWarnings("FutureReturnValueIgnored")
public final class NoiseHandler extends ByteToMessageCodec<ByteBuf> {
  private static final Logger log = LoggerFactory.getLogger(NoiseHandler.class);

  private final NoiseRole role;
  private final PrivKey identity;
  private final Optional<PeerId> expectedRemote;
  private final NoiseConfig config;
  private final RandomGenerator random;
  private NoiseHandshake handshake;
  private NoiseSession session;
  private ScheduledFuture<?> timer;
  private boolean failed;

  /**
   * @param expectedRemote the peer we dialed, if known (initiators); empty for responders
   * @param random source of the X25519 keys; a (shared, thread-safe) SecureRandom in production
   */
  public NoiseHandler(
      NoiseRole role,
      PrivKey identity,
      Optional<PeerId> expectedRemote,
      NoiseConfig config,
      RandomGenerator random) {
    // Heap buffers: the JDK cipher encrypts arrays in place and copies direct memory first.
    super(ByteBuf.class, false);
    this.role = role;
    this.identity = identity;
    this.expectedRemote = expectedRemote;
    this.config = config;
    this.random = random;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) throws Exception {
    super.handlerAdded(ctx);
    if (ctx.channel().isActive()) {
      start(ctx);
    }
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) throws Exception {
    start(ctx);
    super.channelActive(ctx);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    cancelTimer();
    super.channelInactive(ctx);
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) throws Exception {
    cancelTimer();
    super.handlerRemoved(ctx);
  }

  private void start(ChannelHandlerContext ctx) {
    if (handshake != null) {
      return;
    }
    handshake = new NoiseHandshake(role, identity, expectedRemote, config, random, now(ctx));
    sendHandshakeMessages(ctx);
    armTimer(ctx);
  }

  /**
   * One frame per call; ByteToMessageDecoder calls again while bytes remain and passes on {@code
   * out} in between.
   */
  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    if (failed) {
      in.skipBytes(in.readableBytes());
      return;
    }
    start(ctx); // No-op once started; a read implies an active channel.
    ByteBuf frame = NoiseFrameCodec.decode(in);
    if (frame == null) {
      return;
    }
    try {
      if (session == null) {
        onHandshakeMessage(ctx, ByteBufUtil.getBytes(frame));
      } else {
        ByteBuf plaintext = ctx.alloc().heapBuffer(Math.max(0, frame.readableBytes() - 16));
        try {
          session.decrypt(frame, plaintext);
        } catch (NoiseException e) {
          plaintext.release();
          throw e;
        }
        if (plaintext.isReadable()) {
          out.add(plaintext);
        } else {
          plaintext.release(); // An empty frame is legal and carries nothing to pass on.
        }
      }
    } catch (NoiseException e) {
      fail(ctx, e);
      in.skipBytes(in.readableBytes());
    } finally {
      frame.release();
    }
  }

  private void onHandshakeMessage(ChannelHandlerContext ctx, byte[] message) throws NoiseException {
    handshake.handleMessage(message, now(ctx));
    sendHandshakeMessages(ctx);
    Optional<NoiseSession> done = handshake.session();
    if (done.isPresent()) {
      session = done.get();
      cancelTimer();
      ctx.fireUserEventTriggered(
          new NoiseHandshakeCompleted(session.remotePeer(), session.remoteKey(), session.muxer()));
    }
  }

  @Override
  protected void encode(ChannelHandlerContext ctx, ByteBuf msg, ByteBuf out) {
    if (session == null) {
      throw new IllegalStateException(
          "write before the Noise handshake completed; wait for NoiseHandshakeCompleted");
    }
    if (msg.isReadable()) { // An empty write is a no-op, not an empty frame.
      session.encrypt(msg, out);
    }
  }

  private void sendHandshakeMessages(ChannelHandlerContext ctx) {
    boolean wrote = false;
    for (Optional<byte[]> message = handshake.pollOutbound();
        message.isPresent();
        message = handshake.pollOutbound()) {
      ByteBuf frame = ctx.alloc().buffer(NoiseFrameCodec.LENGTH_BYTES + message.get().length);
      NoiseFrameCodec.encode(message.get(), frame);
      ctx.write(frame);
      wrote = true;
    }
    if (wrote) {
      ctx.flush();
    }
  }

  private void armTimer(ChannelHandlerContext ctx) {
    handshake
        .pollTimeout()
        .ifPresent(
            deadline ->
                timer =
                    ctx.executor()
                        .schedule(() -> onTimer(ctx), deadline - now(ctx), TimeUnit.NANOSECONDS));
  }

  private void onTimer(ChannelHandlerContext ctx) {
    timer = null;
    if (failed || session != null) {
      return;
    }
    try {
      handshake.handleTimeout(now(ctx));
      armTimer(ctx); // Woken early: wait for the rest.
    } catch (NoiseException e) {
      fail(ctx, e);
    }
  }

  private void fail(ChannelHandlerContext ctx, NoiseException e) {
    failed = true;
    cancelTimer();
    log.info(
        "Noise {} with {} failed, closing: {}",
        session == null ? "handshake" : "session",
        ctx.channel().remoteAddress(),
        e.getMessage());
    // Tell the handlers after us why (the host turns it into the dial's error message), then close.
    ctx.fireUserEventTriggered(new NoiseFailed(e.code(), e.getMessage()));
    ctx.close();
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
