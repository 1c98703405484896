package org.grapevine.libp2p.noise.crypto;

import io.netty.buffer.ByteBuf;
import java.util.Arrays;
import java.util.Objects;
import javax.crypto.AEADBadTagException;

/**
 * AEAD_CHACHA20_POLY1305 of RFC 8439 section 2.8: a 32-byte key, a 12-byte nonce, any associated
 * data; the output is the ciphertext followed by a 16-byte tag. Pure Java and allocation-free per
 * message, because JDK 17's {@code Cipher "ChaCha20-Poly1305"} has no intrinsics and runs at about
 * a third of this speed; on JDKs with intrinsics the JDK's is faster ({@link AeadImplementation}).
 *
 * <p>Encryption: the Poly1305 key is the first 32 bytes of ChaCha20 block 0; the plaintext is XORed
 * with the keystream from block 1; the tag covers {@code ad || pad16 || ciphertext || pad16 ||
 * le64(len(ad)) || le64(len(ciphertext))}. Decryption computes the tag over the ciphertext first,
 * compares it in constant time and writes plaintext only if it matches; a mismatch throws {@link
 * AEADBadTagException} and leaves {@code out} untouched.
 *
 * <p>Buffers: {@code in} and {@code out} may be the same array, overlapping in any way (same offset
 * is the common in-place case). Direct or composite {@link ByteBuf}s are copied through a
 * per-instance 4 KiB array, 4 KiB at a time.
 *
 * <p>Message size: the 32-bit block counter starts at 1 and allows 2^32 - 1 blocks (256 GiB) per
 * nonce (RFC 8439 section 2.8, note 1). A Java array holds under 2^31 bytes, that is under 2^25
 * blocks, and a Noise message at most 65535, so the counter cannot wrap and is not checked.
 *
 * <p>The caller owns nonce uniqueness. Noise's nonce is {@code 00000000 || le64(n)}: see {@link
 * #encrypt(long, ByteBuf, int, ByteBuf)}.
 *
 * <p>Not thread-safe (per-instance scratch and MAC state): use one instance per direction of a
 * connection, confined to its event loop.
 */
public final class ChaCha20Poly1305 implements Aead {
  public static final int KEY_BYTES = 32;
  public static final int NONCE_BYTES = 12;
  public static final int TAG_BYTES = 16;

  private static final byte[] NO_AD = new byte[0];

  /** Chunk size for buffers without an array; a multiple of 64 so the keystream stays aligned. */
  private static final int CHUNK_BYTES = 4096;

  private final int[] key = new int[8];
  private final Poly1305 mac = new Poly1305();

  /** Block 0 (the Poly1305 key) and partial keystream blocks. */
  private final byte[] block = new byte[ChaCha20.BLOCK_BYTES];

  private final byte[] tag = new byte[TAG_BYTES];
  private byte[] chunk;

  /** A cipher under the 32-byte {@code key}; the key is copied (as eight words). */
  public ChaCha20Poly1305(byte[] key) {
    if (key.length != KEY_BYTES) {
      throw new IllegalArgumentException("a ChaCha20-Poly1305 key is 32 bytes, got " + key.length);
    }
    for (int w = 0; w < 8; w++) {
      this.key[w] = ChaCha20.getIntLe(key, 4 * w);
    }
  }

  /**
   * Encrypts {@code in[inOff, inOff + len)} and writes ciphertext and tag ({@code len + 16} bytes)
   * to {@code out[outOff...]}.
   *
   * @param ad associated data, or {@code null} for none
   * @return {@code len + 16}
   */
  public int encrypt(
      byte[] nonce12, byte[] ad, byte[] in, int inOff, int len, byte[] out, int outOff) {
    checkNonce(nonce12);
    return encrypt(
        ChaCha20.getIntLe(nonce12, 0),
        ChaCha20.getIntLe(nonce12, 4),
        ChaCha20.getIntLe(nonce12, 8),
        ad,
        in,
        inOff,
        len,
        out,
        outOff);
  }

  /**
   * {@link #encrypt(byte[], byte[], byte[], int, int, byte[], int)} with Noise's nonce {@code
   * 00000000 || le64(nonceCounter)}.
   */
  @Override
  public int encrypt(
      long nonceCounter, byte[] ad, byte[] in, int inOff, int len, byte[] out, int outOff) {
    return encrypt(
        0, (int) nonceCounter, (int) (nonceCounter >>> 32), ad, in, inOff, len, out, outOff);
  }

  /**
   * Verifies and decrypts {@code in[inOff, inOff + len)} (ciphertext and tag) into {@code
   * out[outOff...]} ({@code len - 16} bytes).
   *
   * @param ad associated data, or {@code null} for none
   * @return {@code len - 16}
   * @throws AEADBadTagException if the tag does not verify or {@code len < 16}; nothing was written
   */
  public int decrypt(
      byte[] nonce12, byte[] ad, byte[] in, int inOff, int len, byte[] out, int outOff)
      throws AEADBadTagException {
    checkNonce(nonce12);
    return decrypt(
        ChaCha20.getIntLe(nonce12, 0),
        ChaCha20.getIntLe(nonce12, 4),
        ChaCha20.getIntLe(nonce12, 8),
        ad,
        in,
        inOff,
        len,
        out,
        outOff);
  }

  /**
   * {@link #decrypt(byte[], byte[], byte[], int, int, byte[], int)} with Noise's nonce {@code
   * 00000000 || le64(nonceCounter)}.
   */
  @Override
  public int decrypt(
      long nonceCounter, byte[] ad, byte[] in, int inOff, int len, byte[] out, int outOff)
      throws AEADBadTagException {
    return decrypt(
        0, (int) nonceCounter, (int) (nonceCounter >>> 32), ad, in, inOff, len, out, outOff);
  }

  /**
   * The Noise transport path: encrypts {@code len} bytes of {@code in} from its reader index with
   * nonce {@code 00000000 || le64(nonceCounter)} and no associated data, writing {@code len + 16}
   * bytes at the writer index of {@code out} (grown if needed). Advances both indices.
   *
   * @return {@code len + 16}
   */
  @Override
  public int encrypt(long nonceCounter, ByteBuf in, int len, ByteBuf out) {
    checkReadable(in, len);
    int n1 = (int) nonceCounter;
    int n2 = (int) (nonceCounter >>> 32);
    out.ensureWritable(len + TAG_BYTES);
    int r = in.readerIndex();
    int w = out.writerIndex();
    if (in.hasArray() && out.hasArray()) {
      encrypt(
          0,
          n1,
          n2,
          NO_AD,
          in.array(),
          in.arrayOffset() + r,
          len,
          out.array(),
          out.arrayOffset() + w);
    } else if (out.hasArray() && len <= MAX_WHOLE_COPY_BYTES) {
      byte[] whole = wholeCopy(len);
      in.getBytes(r, whole, 0, len);
      encrypt(0, n1, n2, NO_AD, whole, 0, len, out.array(), out.arrayOffset() + w);
    } else {
      encryptChunked(n1, n2, in, r, len, out, w);
    }
    in.readerIndex(r + len);
    out.writerIndex(w + len + TAG_BYTES);
    return len + TAG_BYTES;
  }

  /**
   * The Noise transport path: verifies and decrypts {@code len} bytes (ciphertext and tag) of
   * {@code in} from its reader index with nonce {@code 00000000 || le64(nonceCounter)} and no
   * associated data, writing {@code len - 16} bytes at the writer index of {@code out}. Advances
   * both indices on success; on failure neither index moves and nothing is written.
   *
   * @return {@code len - 16}
   * @throws AEADBadTagException if the tag does not verify or {@code len < 16}
   */
  @Override
  public int decrypt(long nonceCounter, ByteBuf in, int len, ByteBuf out)
      throws AEADBadTagException {
    checkReadable(in, len);
    if (len < TAG_BYTES) {
      throw new AEADBadTagException(
          "ciphertext of " + len + " bytes is shorter than its 16-byte tag");
    }
    int n1 = (int) nonceCounter;
    int n2 = (int) (nonceCounter >>> 32);
    int plainLen = len - TAG_BYTES;
    out.ensureWritable(plainLen);
    int r = in.readerIndex();
    int w = out.writerIndex();
    if (in.hasArray() && out.hasArray()) {
      decrypt(
          0,
          n1,
          n2,
          NO_AD,
          in.array(),
          in.arrayOffset() + r,
          len,
          out.array(),
          out.arrayOffset() + w);
    } else {
      if (out.hasArray() && len <= MAX_WHOLE_COPY_BYTES) {
        // Socket reads arrive in direct memory: one bulk copy into an array, then the array path,
        // is faster than streaming through the small chunk buffer.
        byte[] whole = wholeCopy(len);
        in.getBytes(r, whole, 0, len);
        decrypt(0, n1, n2, NO_AD, whole, 0, len, out.array(), out.arrayOffset() + w);
      } else {
        decryptChunked(n1, n2, in, r, len, out, w);
      }
    }
    in.readerIndex(r + len);
    out.writerIndex(w + plainLen);
    return plainLen;
  }

  /** A Noise message with its tag: the most the whole-copy path handles. */
  private static final int MAX_WHOLE_COPY_BYTES = 65535;

  private byte[] whole;

  private byte[] wholeCopy(int len) {
    if (whole == null || whole.length < len) {
      whole = new byte[Math.max(len, 4096)];
    }
    return whole;
  }

  private int encrypt(
      int n0, int n1, int n2, byte[] ad, byte[] in, int inOff, int len, byte[] out, int outOff) {
    Objects.checkFromIndexSize(inOff, len, in.length);
    Objects.checkFromIndexSize(outOff, len + TAG_BYTES, out.length);
    if (ad == null) {
      ad = NO_AD;
    }
    if (overlapsAhead(in, inOff, len, out, outOff)) {
      in = Arrays.copyOfRange(in, inOff, inOff + len);
      inOff = 0;
    }
    startMac(n0, n1, n2);
    mac.padded(ad, 0, ad.length);
    ChaCha20.xor(key, 1, n0, n1, n2, in, inOff, out, outOff, len, block);
    mac.padded(out, outOff, len);
    mac.lengths(ad.length, len);
    mac.finish(out, outOff + len);
    return len + TAG_BYTES;
  }

  private int decrypt(
      int n0, int n1, int n2, byte[] ad, byte[] in, int inOff, int len, byte[] out, int outOff)
      throws AEADBadTagException {
    Objects.checkFromIndexSize(inOff, len, in.length);
    if (len < TAG_BYTES) {
      throw new AEADBadTagException(
          "ciphertext of " + len + " bytes is shorter than its 16-byte tag");
    }
    int plainLen = len - TAG_BYTES;
    Objects.checkFromIndexSize(outOff, plainLen, out.length);
    if (ad == null) {
      ad = NO_AD;
    }
    // 1. Authenticate the ciphertext before any plaintext exists.
    startMac(n0, n1, n2);
    mac.padded(ad, 0, ad.length);
    mac.padded(in, inOff, plainLen);
    mac.lengths(ad.length, plainLen);
    mac.finish(tag, 0);
    if (!tagsEqual(tag, in, inOff + plainLen)) {
      throw new AEADBadTagException("ChaCha20-Poly1305 tag mismatch");
    }
    // 2. Decrypt.
    if (overlapsAhead(in, inOff, plainLen, out, outOff)) {
      in = Arrays.copyOfRange(in, inOff, inOff + plainLen);
      inOff = 0;
    }
    ChaCha20.xor(key, 1, n0, n1, n2, in, inOff, out, outOff, plainLen, block);
    return plainLen;
  }

  private void encryptChunked(int n1, int n2, ByteBuf in, int r, int len, ByteBuf out, int w) {
    byte[] c = chunk();
    startMac(0, n1, n2);
    int counter = 1;
    for (int pos = 0;
        pos < len;
        pos += CHUNK_BYTES, counter += CHUNK_BYTES / ChaCha20.BLOCK_BYTES) {
      int n = Math.min(CHUNK_BYTES, len - pos);
      in.getBytes(r + pos, c, 0, n);
      ChaCha20.xor(key, counter, 0, n1, n2, c, 0, c, 0, n, block);
      mac.padded(c, 0, n); // only the last chunk can be short, so padding happens only at the end
      out.setBytes(w + pos, c, 0, n);
    }
    mac.lengths(0, len);
    mac.finish(tag, 0);
    out.setBytes(w + len, tag);
  }

  private void decryptChunked(int n1, int n2, ByteBuf in, int r, int len, ByteBuf out, int w)
      throws AEADBadTagException {
    byte[] c = chunk();
    int plainLen = len - TAG_BYTES;
    startMac(0, n1, n2);
    for (int pos = 0; pos < plainLen; pos += CHUNK_BYTES) {
      int n = Math.min(CHUNK_BYTES, plainLen - pos);
      in.getBytes(r + pos, c, 0, n);
      mac.padded(c, 0, n);
    }
    mac.lengths(0, plainLen);
    mac.finish(tag, 0);
    in.getBytes(r + plainLen, c, 0, TAG_BYTES);
    if (!tagsEqual(tag, c, 0)) {
      throw new AEADBadTagException("ChaCha20-Poly1305 tag mismatch");
    }
    int counter = 1;
    for (int pos = 0;
        pos < plainLen;
        pos += CHUNK_BYTES, counter += CHUNK_BYTES / ChaCha20.BLOCK_BYTES) {
      int n = Math.min(CHUNK_BYTES, plainLen - pos);
      in.getBytes(r + pos, c, 0, n);
      ChaCha20.xor(key, counter, 0, n1, n2, c, 0, c, 0, n, block);
      out.setBytes(w + pos, c, 0, n);
    }
  }

  /** Poly1305 key generation (RFC 8439 section 2.6): the first 32 bytes of block 0. */
  private void startMac(int n0, int n1, int n2) {
    Arrays.fill(block, (byte) 0);
    ChaCha20.xorBlocks(key, 0, n0, n1, n2, block, 0, block, 0, 1);
    mac.init(block, 0);
  }

  /**
   * Constant-time comparison of the computed tag with the received one: the time does not depend on
   * where they differ (RFC 8439 section 4 forbids memcmp-like early exits).
   */
  private static boolean tagsEqual(byte[] computed, byte[] received, int off) {
    int diff = 0;
    for (int i = 0; i < TAG_BYTES; i++) {
      diff |= computed[i] ^ received[off + i];
    }
    return diff == 0;
  }

  /**
   * Whether writing {@code out} forwards would overwrite input not yet read: the same array with
   * the output starting inside the input, after its first byte. Output at or before the input
   * offset is safe because {@link ChaCha20#xor} reads each word before writing its own.
   */
  private static boolean overlapsAhead(byte[] in, int inOff, int len, byte[] out, int outOff) {
    return in == out && outOff > inOff && outOff < inOff + len;
  }

  private byte[] chunk() {
    if (chunk == null) {
      chunk = new byte[CHUNK_BYTES];
    }
    return chunk;
  }

  private static void checkNonce(byte[] nonce12) {
    if (nonce12.length != NONCE_BYTES) {
      throw new IllegalArgumentException(
          "a ChaCha20-Poly1305 nonce is 12 bytes, got " + nonce12.length);
    }
  }

  private static void checkReadable(ByteBuf in, int len) {
    if (len < 0 || len > in.readableBytes()) {
      throw new IndexOutOfBoundsException(
          "len " + len + " but " + in.readableBytes() + " readable bytes");
    }
  }
}
