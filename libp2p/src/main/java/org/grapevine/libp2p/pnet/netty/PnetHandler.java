package org.grapevine.libp2p.pnet.netty;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;
import org.bouncycastle.crypto.StreamCipher;
import org.bouncycastle.crypto.engines.XSalsa20Engine;
import org.bouncycastle.crypto.params.KeyParameter;
import org.bouncycastle.crypto.params.ParametersWithIV;
import org.grapevine.libp2p.pnet.SwarmKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Private-network protection (spec: libp2p/specs pnet/Private-Networks-PSK-V1.md; libp2p-notes
 * §5): the first handler after the TCP socket. Not sharable: one instance per connection.
 *
 * <p>As soon as the channel is active it writes a fresh 24-byte nonce, then XORs every outbound
 * byte with XSalsa20(PSK, own nonce). Inbound, it buffers until the peer's 24-byte nonce is
 * complete, then XORs everything after it with XSalsa20(PSK, peer nonce). The two keystreams are
 * independent and continuous for the life of the connection. Writes from the layers above may
 * start at once: they only need our own nonce, which always goes out first.
 *
 * <p>There is no MAC and no handshake answer: with a different key the peer's bytes simply come
 * out as garbage and the next layer (multistream-select) fails. Log {@link SwarmKey#fingerprint}
 * then, never the key.
 *
 * <p>If the peer's nonce does not arrive within the timeout, the channel is closed.
 */
// Futures of close() and write() are not awaited: a write fails only when the channel is closing,
// which channelInactive handles, and a close needs no answer.
@SuppressWarnings("FutureReturnValueIgnored")
public final class PnetHandler extends ChannelDuplexHandler {
  public static final int NONCE_BYTES = 24;
  /** js waits 1 s; we are not latency-bound and prefer not to drop slow links. */
  public static final Duration DEFAULT_NONCE_TIMEOUT = Duration.ofSeconds(5);
  private static final Logger log = LoggerFactory.getLogger(PnetHandler.class);

  private final SwarmKey key;
  private final RandomGenerator random;
  private final Duration nonceTimeout;
  private final byte[] peerNonce = new byte[NONCE_BYTES];
  private int peerNonceBytes;
  private StreamCipher outbound;
  private StreamCipher inbound;
  private ScheduledFuture<?> timer;

  /** @param random the nonce source: a {@code SecureRandom} in production, seeded in tests */
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
    if (outbound != null) {
      return;
    }
    byte[] nonce = new byte[NONCE_BYTES];
    random.nextBytes(nonce);
    outbound = xsalsa20(nonce);
    // Straight to the context, past our own write(): the nonce is the one unencrypted thing.
    ctx.writeAndFlush(Unpooled.wrappedBuffer(nonce));
    timer = ctx.executor().schedule(() -> {
      log.info("{}: no pnet nonce within {} ms; closing", ctx.channel().remoteAddress(), nonceTimeout.toMillis());
      ctx.close();
    }, nonceTimeout.toNanos(), TimeUnit.NANOSECONDS);
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (!(msg instanceof ByteBuf data)) {
      ReferenceCountUtil.release(msg);
      promise.setFailure(new UnsupportedOperationException("pnet encrypts ByteBufs only, got " + msg.getClass().getName()));
      return;
    }
    if (outbound == null) {
      data.release();
      promise.setFailure(new IllegalStateException("write before the channel is active"));
      return;
    }
    ctx.write(xor(outbound, data, ctx.alloc()), promise);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof ByteBuf data)) {
      ctx.fireChannelRead(msg);
      return;
    }
    if (inbound == null) {
      int n = Math.min(NONCE_BYTES - peerNonceBytes, data.readableBytes());
      data.readBytes(peerNonce, peerNonceBytes, n);
      peerNonceBytes += n;
      if (peerNonceBytes < NONCE_BYTES) {
        data.release();
        return;
      }
      inbound = xsalsa20(peerNonce);
      cancelTimer();
    }
    if (!data.isReadable()) {
      data.release();
      return;
    }
    ctx.fireChannelRead(xor(inbound, data, ctx.alloc()));
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

  private StreamCipher xsalsa20(byte[] nonce) {
    XSalsa20Engine engine = new XSalsa20Engine();
    engine.init(true, new ParametersWithIV(new KeyParameter(key.psk()), nonce));
    return engine;
  }

  /**
   * Returns {@code in} XOR the next keystream bytes in a new buffer and releases {@code in}.
   * Never in place: outbound buffers may be shared or read-only.
   */
  static ByteBuf xor(StreamCipher cipher, ByteBuf in, ByteBufAllocator alloc) {
    try {
      int length = in.readableBytes();
      ByteBuf out = alloc.heapBuffer(length);
      byte[] dst = out.array();
      int dstOffset = out.arrayOffset() + out.writerIndex();
      if (in.hasArray()) {
        cipher.processBytes(in.array(), in.arrayOffset() + in.readerIndex(), length, dst, dstOffset);
      } else {
        in.getBytes(in.readerIndex(), dst, dstOffset, length);
        cipher.processBytes(dst, dstOffset, length, dst, dstOffset);
      }
      out.writerIndex(out.writerIndex() + length);
      return out;
    } finally {
      in.release();
    }
  }
}
