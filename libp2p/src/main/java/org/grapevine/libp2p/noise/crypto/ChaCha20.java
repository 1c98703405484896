package org.grapevine.libp2p.noise.crypto;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * The ChaCha20 stream cipher of RFC 8439 sections 2.3 and 2.4 (IETF variant: 256-bit key, 32-bit
 * block counter, 96-bit nonce), XORing its keystream into a byte array. Long runs of blocks go to
 * {@link ChaCha20Lanes}, which computes many blocks side by side in SIMD registers; short ones and
 * the tail use the scalar block loop here.
 *
 * <p>Scalar loop: the sixteen state words live in local variables (RFC 8439 section 3: work on a
 * copy and only bump the counter between blocks), and each keystream block is XORed into the output
 * as eight little-endian longs through a byte-array view {@link VarHandle}. C2 in JDK 17 compiles
 * these views to single unaligned loads and stores, where assembling words from bytes with shifts
 * costs 128 byte accesses per block.
 *
 * <p>Constant time: only additions, XORs and fixed rotations; no branch or memory index depends on
 * the key or the data.
 */
final class ChaCha20 {
  static final int BLOCK_BYTES = 64;

  /** "expand 32-byte k" as four little-endian words (RFC 8439 section 2.3). */
  static final int C0 = 0x61707865;

  static final int C1 = 0x3320646e;
  static final int C2 = 0x79622d32;
  static final int C3 = 0x6b206574;

  /** From this many whole blocks on, {@link ChaCha20Lanes} is faster than the scalar loop. */
  static final int LANES_MIN_BLOCKS = 16;

  private static final VarHandle LE_LONG =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final VarHandle LE_INT =
      MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

  private ChaCha20() {}

  /** Reads four bytes of {@code b} from {@code off} as a little-endian word. */
  static int getIntLe(byte[] b, int off) {
    return (int) LE_INT.get(b, off);
  }

  static void putIntLe(byte[] b, int off, int v) {
    LE_INT.set(b, off, v);
  }

  /**
   * XORs {@code len} bytes of keystream, starting at block {@code counter}, from {@code in} into
   * {@code out}. A trailing partial block goes through {@code scratch} (64 bytes), so the caller
   * owns every buffer and nothing is allocated. {@code out} may equal {@code in} at the same or a
   * lower offset: each word is read before the word it overwrites.
   *
   * <p>The block counter is 32 bits and must not wrap (RFC 8439 section 2.8, note 1: 2^32 - 1
   * blocks per nonce); with {@code len} an {@code int} a call covers at most 2^25 blocks.
   *
   * @param key the eight key words (state words 4-11)
   * @param n0 the first nonce word (state word 13); {@code n1}, {@code n2} follow
   */
  static void xor(
      int[] key,
      int counter,
      int n0,
      int n1,
      int n2,
      byte[] in,
      int inOff,
      byte[] out,
      int outOff,
      int len,
      byte[] scratch) {
    int full = len & ~(BLOCK_BYTES - 1);
    if (full / BLOCK_BYTES >= LANES_MIN_BLOCKS) {
      ChaCha20Lanes.xorBlocks(key, counter, n0, n1, n2, in, inOff, out, outOff, full / BLOCK_BYTES);
    } else {
      xorBlocks(key, counter, n0, n1, n2, in, inOff, out, outOff, full / BLOCK_BYTES);
    }
    int rest = len - full;
    if (rest > 0) {
      System.arraycopy(in, inOff + full, scratch, 0, rest);
      xorBlocks(key, counter + full / BLOCK_BYTES, n0, n1, n2, scratch, 0, scratch, 0, 1);
      System.arraycopy(scratch, 0, out, outOff + full, rest);
    }
  }

  /** XORs {@code blocks} whole 64-byte keystream blocks: the hot loop. */
  static void xorBlocks(
      int[] key,
      int counter,
      int n0,
      int n1,
      int n2,
      byte[] in,
      int inOff,
      byte[] out,
      int outOff,
      int blocks) {
    final int j0 = C0;
    final int j1 = C1;
    final int j2 = C2;
    final int j3 = C3;
    final int j4 = key[0];
    final int j5 = key[1];
    final int j6 = key[2];
    final int j7 = key[3];
    final int j8 = key[4];
    final int j9 = key[5];
    final int j10 = key[6];
    final int j11 = key[7];
    final int j13 = n0;
    final int j14 = n1;
    final int j15 = n2;
    int j12 = counter;
    int i = inOff;
    int o = outOff;
    for (int b = 0; b < blocks; b++, j12++, i += BLOCK_BYTES, o += BLOCK_BYTES) {
      int x0 = j0;
      int x1 = j1;
      int x2 = j2;
      int x3 = j3;
      int x4 = j4;
      int x5 = j5;
      int x6 = j6;
      int x7 = j7;
      int x8 = j8;
      int x9 = j9;
      int x10 = j10;
      int x11 = j11;
      int x12 = j12;
      int x13 = j13;
      int x14 = j14;
      int x15 = j15;
      for (int round = 0; round < 10; round++) {
        // Column round: QUARTERROUND(0, 4, 8, 12) ... (3, 7, 11, 15).
        x0 += x4;
        x12 = Integer.rotateLeft(x12 ^ x0, 16);
        x8 += x12;
        x4 = Integer.rotateLeft(x4 ^ x8, 12);
        x0 += x4;
        x12 = Integer.rotateLeft(x12 ^ x0, 8);
        x8 += x12;
        x4 = Integer.rotateLeft(x4 ^ x8, 7);
        x1 += x5;
        x13 = Integer.rotateLeft(x13 ^ x1, 16);
        x9 += x13;
        x5 = Integer.rotateLeft(x5 ^ x9, 12);
        x1 += x5;
        x13 = Integer.rotateLeft(x13 ^ x1, 8);
        x9 += x13;
        x5 = Integer.rotateLeft(x5 ^ x9, 7);
        x2 += x6;
        x14 = Integer.rotateLeft(x14 ^ x2, 16);
        x10 += x14;
        x6 = Integer.rotateLeft(x6 ^ x10, 12);
        x2 += x6;
        x14 = Integer.rotateLeft(x14 ^ x2, 8);
        x10 += x14;
        x6 = Integer.rotateLeft(x6 ^ x10, 7);
        x3 += x7;
        x15 = Integer.rotateLeft(x15 ^ x3, 16);
        x11 += x15;
        x7 = Integer.rotateLeft(x7 ^ x11, 12);
        x3 += x7;
        x15 = Integer.rotateLeft(x15 ^ x3, 8);
        x11 += x15;
        x7 = Integer.rotateLeft(x7 ^ x11, 7);
        // Diagonal round: QUARTERROUND(0, 5, 10, 15) ... (3, 4, 9, 14).
        x0 += x5;
        x15 = Integer.rotateLeft(x15 ^ x0, 16);
        x10 += x15;
        x5 = Integer.rotateLeft(x5 ^ x10, 12);
        x0 += x5;
        x15 = Integer.rotateLeft(x15 ^ x0, 8);
        x10 += x15;
        x5 = Integer.rotateLeft(x5 ^ x10, 7);
        x1 += x6;
        x12 = Integer.rotateLeft(x12 ^ x1, 16);
        x11 += x12;
        x6 = Integer.rotateLeft(x6 ^ x11, 12);
        x1 += x6;
        x12 = Integer.rotateLeft(x12 ^ x1, 8);
        x11 += x12;
        x6 = Integer.rotateLeft(x6 ^ x11, 7);
        x2 += x7;
        x13 = Integer.rotateLeft(x13 ^ x2, 16);
        x8 += x13;
        x7 = Integer.rotateLeft(x7 ^ x8, 12);
        x2 += x7;
        x13 = Integer.rotateLeft(x13 ^ x2, 8);
        x8 += x13;
        x7 = Integer.rotateLeft(x7 ^ x8, 7);
        x3 += x4;
        x14 = Integer.rotateLeft(x14 ^ x3, 16);
        x9 += x14;
        x4 = Integer.rotateLeft(x4 ^ x9, 12);
        x3 += x4;
        x14 = Integer.rotateLeft(x14 ^ x3, 8);
        x9 += x14;
        x4 = Integer.rotateLeft(x4 ^ x9, 7);
      }
      // Add the input words back (RFC 8439 section 2.3) and XOR, two words per long.
      LE_LONG.set(
          out,
          o + 0,
          (long) LE_LONG.get(in, i + 0) ^ (((x0 + j0) & 0xFFFFFFFFL) | (long) (x1 + j1) << 32));
      LE_LONG.set(
          out,
          o + 8,
          (long) LE_LONG.get(in, i + 8) ^ (((x2 + j2) & 0xFFFFFFFFL) | (long) (x3 + j3) << 32));
      LE_LONG.set(
          out,
          o + 16,
          (long) LE_LONG.get(in, i + 16) ^ (((x4 + j4) & 0xFFFFFFFFL) | (long) (x5 + j5) << 32));
      LE_LONG.set(
          out,
          o + 24,
          (long) LE_LONG.get(in, i + 24) ^ (((x6 + j6) & 0xFFFFFFFFL) | (long) (x7 + j7) << 32));
      LE_LONG.set(
          out,
          o + 32,
          (long) LE_LONG.get(in, i + 32) ^ (((x8 + j8) & 0xFFFFFFFFL) | (long) (x9 + j9) << 32));
      LE_LONG.set(
          out,
          o + 40,
          (long) LE_LONG.get(in, i + 40)
              ^ (((x10 + j10) & 0xFFFFFFFFL) | (long) (x11 + j11) << 32));
      LE_LONG.set(
          out,
          o + 48,
          (long) LE_LONG.get(in, i + 48)
              ^ (((x12 + j12) & 0xFFFFFFFFL) | (long) (x13 + j13) << 32));
      LE_LONG.set(
          out,
          o + 56,
          (long) LE_LONG.get(in, i + 56)
              ^ (((x14 + j14) & 0xFFFFFFFFL) | (long) (x15 + j15) << 32));
    }
  }
}
