package org.grapevine.libp2p.pnet;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.random.RandomGenerator;
import org.bouncycastle.crypto.StreamCipher;
import org.bouncycastle.crypto.engines.XSalsa20Engine;
import org.bouncycastle.crypto.params.KeyParameter;
import org.bouncycastle.crypto.params.ParametersWithIV;

/**
 * One connection's private-network protection (spec: libp2p/specs pnet/Private-Networks-PSK-V1.md;
 * libp2p-notes §5), sans-I/O: no sockets, clocks or timers; the time comes in with the inputs and
 * the deadline goes out as data. Not thread-safe.
 *
 * <pre>
 *   each direction:  nonce (24 random bytes, plain) || data XOR XSalsa20(PSK, that nonce)
 * </pre>
 *
 * <p>Call order:
 *
 * <ol>
 *   <li>Construct (this draws our nonce); send {@link #pollNonce} before anything else, then arm a
 *       timer for {@link #pollTimeout}.
 *   <li>Outbound: pass every buffer through {@link #encrypt} and send the result, in order.
 *   <li>Inbound: pass every arrival to {@link #decrypt}; it keeps the peer's nonce until it has all
 *       24 bytes and returns the plaintext of whatever follows (null while there is none).
 *   <li>When the timer fires, call {@link #handleTimeout}. A {@link PnetException} from it or from
 *       {@code decrypt} is fatal: close the connection.
 * </ol>
 *
 * The two keystreams are independent and continuous for the life of the connection.
 *
 * <p>There is no MAC and no answer: with a different key the peer's bytes come out as garbage and
 * the next layer (multistream-select) fails. Log {@link SwarmKey#fingerprint}, never the key.
 */
public final class PnetSession {
  public static final int NONCE_BYTES = 24;

  private final SwarmKey key;
  private final byte[] localNonce = new byte[NONCE_BYTES];
  private final byte[] remoteNonce = new byte[NONCE_BYTES];
  private final long deadlineNanos;
  private final long timeoutNanos;
  private final StreamCipher outbound;
  private StreamCipher inbound;
  private int remoteNonceBytes;
  private boolean noncePolled;
  private boolean failed;

  /**
   * @param random the nonce source: a {@code SecureRandom} in production, seeded in tests
   * @param nonceTimeout how long the peer has to send its nonce, from {@code nowNanos}
   */
  public PnetSession(SwarmKey key, RandomGenerator random, Duration nonceTimeout, long nowNanos) {
    this.key = Objects.requireNonNull(key);
    if (nonceTimeout.isNegative()) {
      throw new IllegalArgumentException("negative nonce timeout " + nonceTimeout);
    }
    random.nextBytes(localNonce);
    this.outbound = xsalsa20(localNonce);
    this.timeoutNanos = nonceTimeout.toNanos();
    this.deadlineNanos = nowNanos + timeoutNanos;
  }

  /** Our nonce, once: the first bytes to send, and the only ones sent in the clear. */
  public Optional<byte[]> pollNonce() {
    if (noncePolled) {
      return Optional.empty();
    }
    noncePolled = true;
    return Optional.of(localNonce.clone());
  }

  /**
   * Returns {@code plain} XOR our keystream in a new buffer and releases {@code plain}.
   *
   * @throws IllegalStateException if our nonce has not been polled yet (it must go out first)
   */
  public ByteBuf encrypt(ByteBuf plain, ByteBufAllocator alloc) {
    if (!noncePolled) {
      plain.release();
      throw new IllegalStateException("send pollNonce() before any encrypted byte");
    }
    return xor(outbound, plain, alloc);
  }

  /**
   * Takes the peer's bytes (and releases {@code wire}): nonce bytes are kept, the rest comes back
   * decrypted in a new buffer, or null if there is none yet.
   *
   * @throws PnetException {@link PnetErrorCode#NONCE_TIMEOUT} if the nonce is still incomplete at
   *     or after the deadline
   */
  public ByteBuf decrypt(ByteBuf wire, ByteBufAllocator alloc, long nowNanos) throws PnetException {
    if (inbound == null) {
      try {
        checkDeadline(nowNanos);
      } catch (PnetException e) {
        wire.release();
        throw e;
      }
      int n = Math.min(NONCE_BYTES - remoteNonceBytes, wire.readableBytes());
      wire.readBytes(remoteNonce, remoteNonceBytes, n);
      remoteNonceBytes += n;
      if (remoteNonceBytes == NONCE_BYTES) {
        inbound = xsalsa20(remoteNonce);
      }
    }
    if (!wire.isReadable()) {
      wire.release();
      return null;
    }
    return xor(inbound, wire, alloc);
  }

  /** Whether the peer's whole nonce has arrived. */
  public boolean hasRemoteNonce() {
    return inbound != null;
  }

  /**
   * The deadline for the peer's nonce while it is incomplete; empty once it is here (or failed).
   */
  public OptionalLong pollTimeout() {
    return inbound != null || failed ? OptionalLong.empty() : OptionalLong.of(deadlineNanos);
  }

  /**
   * The timer set from {@link #pollTimeout} fired. A no-op before the deadline (re-arm) and once
   * the nonce is here.
   *
   * @throws PnetException {@link PnetErrorCode#NONCE_TIMEOUT}
   */
  public void handleTimeout(long nowNanos) throws PnetException {
    if (inbound == null && !failed) {
      checkDeadline(nowNanos);
    }
  }

  private void checkDeadline(long nowNanos) throws PnetException {
    if (failed || nowNanos - deadlineNanos >= 0) {
      failed = true;
      throw new PnetException(
          PnetErrorCode.NONCE_TIMEOUT,
          "no pnet nonce from the peer within "
              + timeoutNanos / 1_000_000
              + " ms ("
              + remoteNonceBytes
              + " of "
              + NONCE_BYTES
              + " bytes)");
    }
  }

  private StreamCipher xsalsa20(byte[] nonce) {
    XSalsa20Engine engine = new XSalsa20Engine();
    engine.init(true, new ParametersWithIV(new KeyParameter(key.psk()), nonce));
    return engine;
  }

  /**
   * Returns {@code in} XOR the next keystream bytes in a new buffer and releases {@code in}. Never
   * in place: outbound buffers may be shared or read-only.
   */
  private static ByteBuf xor(StreamCipher cipher, ByteBuf in, ByteBufAllocator alloc) {
    try {
      int length = in.readableBytes();
      ByteBuf out = alloc.heapBuffer(length);
      byte[] dst = out.array();
      int dstOffset = out.arrayOffset() + out.writerIndex();
      if (in.hasArray()) {
        cipher.processBytes(
            in.array(), in.arrayOffset() + in.readerIndex(), length, dst, dstOffset);
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
