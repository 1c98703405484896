package org.grapevine.libp2p.noise.crypto;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * The Poly1305 one-time authenticator of RFC 8439 section 2.5: {@code acc = ((acc + block) * r) mod
 * (2^130 - 5)} over 16-byte blocks, then {@code tag = (acc + s) mod 2^128}.
 *
 * <p>Arithmetic in radix 2^64: the accumulator is {@code h0 + h1 2^64 + h2 2^128} (two full 64-bit
 * words, read as unsigned, and a small top word), {@code r = r0 + r1 2^64}. A block then costs four
 * 64x64-bit products with their 128-bit results ({@code *} for the low half, {@link
 * Math#multiplyHigh} for the high half) and two small ones, where five 26-bit limbs cost 25
 * products; that is why this form replaced them (Poly1305 was 55% of the Noise transport's Java
 * time).
 *
 * <p>The product, with {@code a = h + block} and {@code 2^130 = 5 (mod p)}:
 *
 * <pre>
 *   a * r = a0 r0 + (a0 r1 + a1 r0) 2^64 + (a1 r1 + a2 r0) 2^128 + a2 r1 2^192
 * </pre>
 *
 * Clamping clears the low two bits of {@code r1}, so {@code r1 2^128 = (r1 / 4) 2^130 = 5 (r1 / 4)
 * (mod p)}; with {@code s1 = 5 (r1 / 4) = r1 + r1 / 4}:
 *
 * <pre>
 *   t0 = a0 r0 + a1 s1                      (< 2^126)
 *   t1 = a0 r1 + a1 r0 + a2 s1 + t0 / 2^64  (< 2^126)
 *   t2 = a2 r0 + t1 / 2^64                  (< 2^63)
 * </pre>
 *
 * and the bits of {@code t2} from 2 up (weight 2^130 and more) fold back times 5 into the low word.
 * The accumulator stays partially reduced: {@code h2 <= 4} after a block, so {@code a2 <= 6},
 * {@code a2 s1 < 2^64} and {@code a2 r0 < 2^63} (clamping keeps {@code r0, r1 < 2^60}). {@link
 * #finish} reduces fully.
 *
 * <p>Unsigned high halves: {@link Math#multiplyHigh} is signed (JDK 17 has no {@code
 * unsignedMultiplyHigh}, which arrived in 18). With {@code b < 2^63}, as every {@code r} word is,
 * the unsigned high half of {@code a * b} is the signed one plus {@code b} when the top bit of
 * {@code a} is set: {@link #mulHigh}. Carries out of 64-bit additions are computed branch-free
 * ({@link #carry}).
 *
 * <p>Constant time: no branch or memory index depends on the key, the message or the accumulator;
 * the final choice between {@code h} and {@code h - p} is a mask. (x86-64 {@code mul}/{@code imul}
 * take the same time for all operands.)
 *
 * <p>One MAC at a time: {@link #init} starts over. Not thread-safe.
 */
final class Poly1305 {
  static final int KEY_BYTES = 32;
  static final int TAG_BYTES = 16;
  static final int BLOCK_BYTES = 16;

  private static final VarHandle LE_LONG =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  private long r0;
  private long r1;
  private long h0;
  private long h1;
  private long h2;
  private long pad0;
  private long pad1;

  /** The last block of a message whose length is not a multiple of 16. */
  private final byte[] last = new byte[BLOCK_BYTES];

  /** Starts a MAC with the 32-byte one-time key {@code r || s} at {@code key[off]}. */
  void init(byte[] key, int off) {
    // clamp(r): r &= 0x0ffffffc0ffffffc0ffffffc0fffffff (RFC 8439 section 2.5.1).
    r0 = (long) LE_LONG.get(key, off) & 0x0ffffffc0fffffffL;
    r1 = (long) LE_LONG.get(key, off + 8) & 0x0ffffffc0ffffffcL;
    pad0 = (long) LE_LONG.get(key, off + 16);
    pad1 = (long) LE_LONG.get(key, off + 24);
    h0 = 0;
    h1 = 0;
    h2 = 0;
  }

  /**
   * Absorbs {@code len} bytes zero-padded to a multiple of 16, as the AEAD construction does with
   * its associated data and ciphertext ({@code pad16}, RFC 8439 section 2.8). Padding is part of
   * the MAC input there, so every block, even the padded last one, carries the 2^128 bit.
   */
  void padded(byte[] m, int off, int len) {
    int full = len & ~(BLOCK_BYTES - 1);
    blocks(m, off, full, 1);
    int rest = len - full;
    if (rest > 0) {
      System.arraycopy(m, off + full, last, 0, rest);
      Arrays.fill(last, rest, BLOCK_BYTES, (byte) 0);
      blocks(last, 0, BLOCK_BYTES, 1);
    }
  }

  /**
   * Absorbs a whole message as plain Poly1305 does (RFC 8439 section 2.5): a short last block gets
   * a 0x01 byte after its end instead of the 2^128 bit. Call once, then {@link #finish}.
   */
  void message(byte[] m, int off, int len) {
    int full = len & ~(BLOCK_BYTES - 1);
    blocks(m, off, full, 1);
    int rest = len - full;
    if (rest > 0) {
      System.arraycopy(m, off + full, last, 0, rest);
      last[rest] = 1;
      Arrays.fill(last, rest + 1, BLOCK_BYTES, (byte) 0);
      blocks(last, 0, BLOCK_BYTES, 0);
    }
  }

  /** Absorbs the AEAD length block: both lengths as 64-bit little-endian integers. */
  void lengths(long adLen, long ctLen) {
    LE_LONG.set(last, 0, adLen);
    LE_LONG.set(last, 8, ctLen);
    blocks(last, 0, BLOCK_BYTES, 1);
  }

  /**
   * The hot loop: {@code len / 16} whole blocks, each with {@code hibit} (0 or 1) added at 2^128.
   */
  private void blocks(byte[] m, int off, int len, long hibit) {
    final long r0 = this.r0;
    final long r1 = this.r1;
    final long s1 = r1 + (r1 >>> 2);
    long h0 = this.h0;
    long h1 = this.h1;
    long h2 = this.h2;
    for (int end = off + (len & ~(BLOCK_BYTES - 1)); off < end; off += BLOCK_BYTES) {
      // a = h + block + hibit 2^128
      long m0 = (long) LE_LONG.get(m, off);
      long m1 = (long) LE_LONG.get(m, off + 8);
      long a0 = h0 + m0;
      long a1 = h1 + m1 + carry(h0, m0, a0);
      long a2 = h2 + hibit + carry(h1, m1, a1);
      // t0 = a0 r0 + a1 s1
      long x = a0 * r0;
      long y = a1 * s1;
      long t0 = x + y;
      long t0hi = mulHigh(a0, r0) + mulHigh(a1, s1) + carry(x, y, t0);
      // t1 = a0 r1 + a1 r0 + a2 s1 + t0hi
      x = a0 * r1;
      y = a1 * r0;
      long t1 = x + y;
      long t1hi = mulHigh(a0, r1) + mulHigh(a1, r0) + carry(x, y, t1);
      x = t1;
      y = a2 * s1;
      t1 = x + y;
      t1hi += carry(x, y, t1);
      x = t1;
      t1 = x + t0hi;
      t1hi += carry(x, t0hi, t1);
      // t2 = a2 r0 + t1hi; fold its bits from 2^130 up as 5 * (t2 >> 2) = (t2 & ~3) + (t2 >> 2).
      long t2 = a2 * r0 + t1hi;
      long fold = (t2 & ~3L) + (t2 >>> 2);
      h0 = t0 + fold;
      h1 = t1 + carry(t0, fold, h0);
      h2 = (t2 & 3) + carry(t1, 0, h1);
    }
    this.h0 = h0;
    this.h1 = h1;
    this.h2 = h2;
  }

  /**
   * The carry out of {@code sum = a + b (+ an incoming carry)} as 0 or 1: the majority of the top
   * bits of {@code a}, {@code b} and the carry into bit 63, which is {@code ~sum}'s top bit when
   * exactly one of {@code a}, {@code b} has it.
   */
  private static long carry(long a, long b, long sum) {
    return ((a & b) | ((a | b) & ~sum)) >>> 63;
  }

  /** The high 64 bits of the unsigned 128-bit product {@code a * b}, for {@code 0 <= b < 2^63}. */
  private static long mulHigh(long a, long b) {
    return Math.multiplyHigh(a, b) + ((a >> 63) & b);
  }

  /**
   * Writes the 16-byte tag to {@code tag[off]}. The state must be {@link #init}ed again before
   * reuse.
   */
  void finish(byte[] tag, int off) {
    // Fold the bits from 2^130 up once more: now h < 2^130 + 5 < 2p.
    long fold = (h2 & ~3L) + (h2 >>> 2);
    long h0 = this.h0 + fold;
    long h1 = this.h1 + carry(this.h0, fold, h0);
    long h2 = (this.h2 & 3) + carry(this.h1, 0, h1);
    // g = h + 5 = h - p + 2^130. If g reaches 2^130, h >= p and the result is g mod 2^130.
    long g0 = h0 + 5;
    long g1 = h1 + carry(h0, 5, g0);
    long g2 = h2 + carry(h1, 0, g1);
    long useG = -(g2 >>> 2); // all ones iff g >= 2^130 (g2 <= 5, so g2 >>> 2 is 0 or 1)
    h0 = (h0 & ~useG) | (g0 & useG);
    h1 = (h1 & ~useG) | (g1 & useG);
    // (acc + s) mod 2^128.
    long lo = h0 + pad0;
    long hi = h1 + pad1 + carry(h0, pad0, lo);
    LE_LONG.set(tag, off, lo);
    LE_LONG.set(tag, off + 8, hi);
  }
}
