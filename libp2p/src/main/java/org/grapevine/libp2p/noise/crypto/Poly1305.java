package org.grapevine.libp2p.noise.crypto;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * The Poly1305 one-time authenticator of RFC 8439 section 2.5: {@code acc = ((acc + block) * r) mod
 * (2^130 - 5)} over 16-byte blocks, then {@code tag = (acc + s) mod 2^128}.
 *
 * <p>Arithmetic: the 130-bit accumulator and {@code r} are five 26-bit limbs in {@code long}s, so
 * every limb product fits in 64 bits with room for the sums. A product limb of weight {@code
 * 2^(26k)} with {@code k >= 5} folds back as {@code 5 * 2^(26(k-5))}, because {@code 2^130 = 5 mod
 * p}; hence the precomputed {@code s_i = 5 r_i}. Between blocks the accumulator is only partially
 * reduced (limbs below 2^27); {@link #finish} reduces it fully.
 *
 * <p>Bounds: accumulator limbs stay below 2^27 after adding a block and {@code 5 r_i < 2^29}, so a
 * product is below 2^56 and a sum of five below 2^59.
 *
 * <p>Why 26-bit limbs and not radix 2^64 (two words, four 64x64-bit products with {@code
 * Math.multiplyHigh} per block): that form was written and checked against every vector, and
 * measured slower on JDK 17 and 25 (1.4-1.8 GB/s against 1.9 GB/s here, 64 KiB messages, one core,
 * December 2026): its carries make one long dependency chain per block, while the 25 independent
 * products here keep the multiplier busy, which bounds this loop at about one block per 25 cycles.
 * On JVMs with Poly1305 intrinsics the JDK's cipher is faster still ({@link AeadImplementation}).
 *
 * <p>Constant time: no branch or memory index depends on the key, the message or the accumulator;
 * the final choice between {@code h} and {@code h - p} is a mask.
 *
 * <p>One MAC at a time: {@link #init} starts over. Not thread-safe.
 */
final class Poly1305 {
  static final int KEY_BYTES = 32;
  static final int TAG_BYTES = 16;
  static final int BLOCK_BYTES = 16;

  private static final long M26 = 0x3ffffffL;

  /** The 2^128 bit of a full 16-byte block, as seen from limb 4 (bits 104..129). */
  private static final long HIBIT = 1L << 24;

  private static final VarHandle LE_LONG =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  private long r0;
  private long r1;
  private long r2;
  private long r3;
  private long r4;
  private long h0;
  private long h1;
  private long h2;
  private long h3;
  private long h4;
  private long pad0;
  private long pad1;

  /** The last block of a message whose length is not a multiple of 16. */
  private final byte[] last = new byte[BLOCK_BYTES];

  /** Starts a MAC with the 32-byte one-time key {@code r || s} at {@code key[off]}. */
  void init(byte[] key, int off) {
    long t0 = (long) LE_LONG.get(key, off);
    long t1 = (long) LE_LONG.get(key, off + 8);
    // clamp(r): r &= 0x0ffffffc0ffffffc0ffffffc0fffffff (RFC 8439 section 2.5.1).
    t0 &= 0x0ffffffc0fffffffL;
    t1 &= 0x0ffffffc0ffffffcL;
    r0 = t0 & M26;
    r1 = (t0 >>> 26) & M26;
    r2 = ((t0 >>> 52) | (t1 << 12)) & M26;
    r3 = (t1 >>> 14) & M26;
    r4 = t1 >>> 40;
    pad0 = (long) LE_LONG.get(key, off + 16);
    pad1 = (long) LE_LONG.get(key, off + 24);
    h0 = 0;
    h1 = 0;
    h2 = 0;
    h3 = 0;
    h4 = 0;
  }

  /**
   * Absorbs {@code len} bytes zero-padded to a multiple of 16, as the AEAD construction does with
   * its associated data and ciphertext ({@code pad16}, RFC 8439 section 2.8). Padding is part of
   * the MAC input there, so every block, even the padded last one, carries the 2^128 bit.
   */
  void padded(byte[] m, int off, int len) {
    int full = len & ~(BLOCK_BYTES - 1);
    blocks(m, off, full, HIBIT);
    int rest = len - full;
    if (rest > 0) {
      System.arraycopy(m, off + full, last, 0, rest);
      java.util.Arrays.fill(last, rest, BLOCK_BYTES, (byte) 0);
      blocks(last, 0, BLOCK_BYTES, HIBIT);
    }
  }

  /**
   * Absorbs a whole message as plain Poly1305 does (RFC 8439 section 2.5): a short last block gets
   * a 0x01 byte after its end instead of the 2^128 bit. Call once, then {@link #finish}.
   */
  void message(byte[] m, int off, int len) {
    int full = len & ~(BLOCK_BYTES - 1);
    blocks(m, off, full, HIBIT);
    int rest = len - full;
    if (rest > 0) {
      System.arraycopy(m, off + full, last, 0, rest);
      last[rest] = 1;
      java.util.Arrays.fill(last, rest + 1, BLOCK_BYTES, (byte) 0);
      blocks(last, 0, BLOCK_BYTES, 0);
    }
  }

  /** Absorbs the AEAD length block: both lengths as 64-bit little-endian integers. */
  void lengths(long adLen, long ctLen) {
    LE_LONG.set(last, 0, adLen);
    LE_LONG.set(last, 8, ctLen);
    blocks(last, 0, BLOCK_BYTES, HIBIT);
  }

  /**
   * The hot loop: {@code len / 16} whole blocks, each with {@code hibit} added above its 128 bits.
   */
  private void blocks(byte[] m, int off, int len, long hibit) {
    final long r0 = this.r0;
    final long r1 = this.r1;
    final long r2 = this.r2;
    final long r3 = this.r3;
    final long r4 = this.r4;
    final long s1 = r1 * 5;
    final long s2 = r2 * 5;
    final long s3 = r3 * 5;
    final long s4 = r4 * 5;
    long h0 = this.h0;
    long h1 = this.h1;
    long h2 = this.h2;
    long h3 = this.h3;
    long h4 = this.h4;
    for (int end = off + (len & ~(BLOCK_BYTES - 1)); off < end; off += BLOCK_BYTES) {
      long lo = (long) LE_LONG.get(m, off);
      long hi = (long) LE_LONG.get(m, off + 8);
      // acc += block, the block split into limbs of bits 0-25, 26-51, 52-77, 78-103, 104-127.
      h0 += lo & M26;
      h1 += (lo >>> 26) & M26;
      h2 += ((lo >>> 52) | (hi << 12)) & M26;
      h3 += (hi >>> 14) & M26;
      h4 += (hi >>> 40) | hibit;
      // acc *= r (schoolbook, high limbs folded by 5).
      long d0 = h0 * r0 + h1 * s4 + h2 * s3 + h3 * s2 + h4 * s1;
      long d1 = h0 * r1 + h1 * r0 + h2 * s4 + h3 * s3 + h4 * s2;
      long d2 = h0 * r2 + h1 * r1 + h2 * r0 + h3 * s4 + h4 * s3;
      long d3 = h0 * r3 + h1 * r2 + h2 * r1 + h3 * r0 + h4 * s4;
      long d4 = h0 * r4 + h1 * r3 + h2 * r2 + h3 * r1 + h4 * r0;
      // Partial reduction: carry each limb into the next; the carry out of limb 4 re-enters times
      // 5.
      d1 += d0 >>> 26;
      h0 = d0 & M26;
      d2 += d1 >>> 26;
      h1 = d1 & M26;
      d3 += d2 >>> 26;
      h2 = d2 & M26;
      d4 += d3 >>> 26;
      h3 = d3 & M26;
      h0 += (d4 >>> 26) * 5;
      h4 = d4 & M26;
      h1 += h0 >>> 26;
      h0 &= M26;
    }
    this.h0 = h0;
    this.h1 = h1;
    this.h2 = h2;
    this.h3 = h3;
    this.h4 = h4;
  }

  /**
   * Writes the 16-byte tag to {@code tag[off]}. The state must be {@link #init}ed again before
   * reuse.
   */
  void finish(byte[] tag, int off) {
    long h0 = this.h0;
    long h1 = this.h1;
    long h2 = this.h2;
    long h3 = this.h3;
    long h4 = this.h4;
    // Two full carry passes leave every limb below 2^26 and h below 2^130 (the second pass carries
    // at most one bit out of limb 4, into a limb 0 that the first pass left tiny).
    for (int pass = 0; pass < 2; pass++) {
      h1 += h0 >>> 26;
      h0 &= M26;
      h2 += h1 >>> 26;
      h1 &= M26;
      h3 += h2 >>> 26;
      h2 &= M26;
      h4 += h3 >>> 26;
      h3 &= M26;
      h0 += (h4 >>> 26) * 5;
      h4 &= M26;
    }
    // g = h + 5 - 2^130 = h - p. If g is not negative, h >= p and the result is g.
    long g0 = h0 + 5;
    long g1 = h1 + (g0 >>> 26);
    g0 &= M26;
    long g2 = h2 + (g1 >>> 26);
    g1 &= M26;
    long g3 = h3 + (g2 >>> 26);
    g2 &= M26;
    long g4 = h4 + (g3 >>> 26) - (1L << 26);
    g3 &= M26;
    long keepH = g4 >> 63; // all ones iff g < 0
    h0 = (h0 & keepH) | (g0 & ~keepH);
    h1 = (h1 & keepH) | (g1 & ~keepH);
    h2 = (h2 & keepH) | (g2 & ~keepH);
    h3 = (h3 & keepH) | (g3 & ~keepH);
    h4 = (h4 & keepH) | (g4 & ~keepH);
    // acc mod 2^128, then + s mod 2^128, as two 64-bit halves with the carry computed branch-free.
    long lo = h0 | (h1 << 26) | (h2 << 52);
    long hi = (h2 >>> 12) | (h3 << 14) | (h4 << 40);
    long sumLo = lo + pad0;
    long carry = ((lo & pad0) | ((lo | pad0) & ~sumLo)) >>> 63;
    long sumHi = hi + pad1 + carry;
    LE_LONG.set(tag, off, sumLo);
    LE_LONG.set(tag, off + 8, sumHi);
  }
}
