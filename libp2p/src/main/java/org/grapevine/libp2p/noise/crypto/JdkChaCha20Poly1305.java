package org.grapevine.libp2p.noise.crypto;

import io.netty.buffer.ByteBuf;
import java.security.GeneralSecurityException;
import java.security.InvalidAlgorithmParameterException;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.NoSuchPaddingException;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * {@link Aead} over the JDK's {@code Cipher.getInstance("ChaCha20-Poly1305")}, which HotSpot
 * compiles to SIMD intrinsics on newer JDKs (ChaCha20 and Poly1305 stubs; see {@link
 * AeadImplementation} for when that beats {@link ChaCha20Poly1305}).
 *
 * <p>The cipher is initialised once per message with the message's nonce, as Noise requires. The
 * JDK refuses to initialise with the key and nonce of the previous initialisation, even to decrypt
 * (JDK 17 and 25); a Noise CipherState moves to the next nonce after every message and dies on the
 * first failure, so that never happens there. Elsewhere, seal and open with separate instances.
 *
 * <p>Buffers without an array (direct socket reads) are copied into a per-instance array first, as
 * {@link ChaCha20Poly1305} does: one bulk copy, then the array path.
 */
public final class JdkChaCha20Poly1305 implements Aead {
  private static final String TRANSFORMATION = "ChaCha20-Poly1305";

  private final Cipher cipher;
  private final SecretKeySpec key;
  private final byte[] nonce = new byte[ChaCha20Poly1305.NONCE_BYTES];
  private byte[] scratch = new byte[0];

  /**
   * A cipher under the 32-byte {@code key}.
   *
   * @throws IllegalStateException if this JDK has no ChaCha20-Poly1305 (every JDK from 11 on has)
   */
  public JdkChaCha20Poly1305(byte[] key) {
    if (key.length != ChaCha20Poly1305.KEY_BYTES) {
      throw new IllegalArgumentException("a ChaCha20-Poly1305 key is 32 bytes, got " + key.length);
    }
    this.cipher = newCipher();
    this.key = new SecretKeySpec(key, "ChaCha20");
  }

  /** Whether this JDK offers the cipher at all (restricted providers may not). */
  static boolean available() {
    try {
      Cipher.getInstance(TRANSFORMATION);
      return true;
    } catch (NoSuchAlgorithmException | NoSuchPaddingException e) {
      return false;
    }
  }

  @Override
  public int encrypt(
      long nonceCounter, byte[] ad, byte[] in, int inOff, int len, byte[] out, int outOff) {
    init(Cipher.ENCRYPT_MODE, nonceCounter, ad);
    try {
      return cipher.doFinal(in, inOff, len, out, outOff);
    } catch (GeneralSecurityException e) {
      // Encryption has no tag to check; only a short output array gets here: our caller's bug.
      throw new IllegalArgumentException("ChaCha20-Poly1305 encryption failed", e);
    }
  }

  @Override
  public int decrypt(
      long nonceCounter, byte[] ad, byte[] in, int inOff, int len, byte[] out, int outOff)
      throws AEADBadTagException {
    if (len < ChaCha20Poly1305.TAG_BYTES) {
      throw new AEADBadTagException(
          "ciphertext of " + len + " bytes is shorter than its 16-byte tag");
    }
    init(Cipher.DECRYPT_MODE, nonceCounter, ad);
    try {
      return cipher.doFinal(in, inOff, len, out, outOff);
    } catch (AEADBadTagException e) {
      throw e;
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("ChaCha20-Poly1305 decryption failed", e);
    }
  }

  @Override
  public int encrypt(long nonceCounter, ByteBuf in, int len, ByteBuf out) {
    checkReadable(in, len);
    int sealedLen = len + ChaCha20Poly1305.TAG_BYTES;
    out.ensureWritable(sealedLen);
    int r = in.readerIndex();
    int w = out.writerIndex();
    byte[] src = in.hasArray() ? in.array() : copyIn(in, r, len);
    int srcOff = in.hasArray() ? in.arrayOffset() + r : 0;
    if (out.hasArray()) {
      encrypt(nonceCounter, null, src, srcOff, len, out.array(), out.arrayOffset() + w);
    } else {
      byte[] sealed = new byte[sealedLen];
      encrypt(nonceCounter, null, src, srcOff, len, sealed, 0);
      out.setBytes(w, sealed);
    }
    in.readerIndex(r + len);
    out.writerIndex(w + sealedLen);
    return sealedLen;
  }

  @Override
  public int decrypt(long nonceCounter, ByteBuf in, int len, ByteBuf out)
      throws AEADBadTagException {
    checkReadable(in, len);
    if (len < ChaCha20Poly1305.TAG_BYTES) {
      throw new AEADBadTagException(
          "ciphertext of " + len + " bytes is shorter than its 16-byte tag");
    }
    int plainLen = len - ChaCha20Poly1305.TAG_BYTES;
    out.ensureWritable(plainLen);
    int r = in.readerIndex();
    int w = out.writerIndex();
    byte[] src = in.hasArray() ? in.array() : copyIn(in, r, len);
    int srcOff = in.hasArray() ? in.arrayOffset() + r : 0;
    if (out.hasArray()) {
      decrypt(nonceCounter, null, src, srcOff, len, out.array(), out.arrayOffset() + w);
    } else {
      byte[] plain = new byte[plainLen];
      decrypt(nonceCounter, null, src, srcOff, len, plain, 0);
      out.setBytes(w, plain);
    }
    in.readerIndex(r + len);
    out.writerIndex(w + plainLen);
    return plainLen;
  }

  private void init(int mode, long nonceCounter, byte[] ad) {
    for (int i = 0; i < 8; i++) {
      nonce[4 + i] = (byte) (nonceCounter >>> (8 * i));
    }
    try {
      cipher.init(mode, key, new IvParameterSpec(nonce));
    } catch (InvalidKeyException | InvalidAlgorithmParameterException e) {
      // The key is 32 bytes and the nonce fresh (Noise never repeats one): a bug if we get here.
      throw new IllegalStateException("the JDK refused a ChaCha20-Poly1305 key or nonce", e);
    }
    if (ad != null && ad.length > 0) {
      cipher.updateAAD(ad);
    }
  }

  private byte[] copyIn(ByteBuf in, int r, int len) {
    if (scratch.length < len) {
      scratch = new byte[Math.max(len, 4096)];
    }
    in.getBytes(r, scratch, 0, len);
    return scratch;
  }

  private static Cipher newCipher() {
    try {
      return Cipher.getInstance(TRANSFORMATION);
    } catch (NoSuchAlgorithmException | NoSuchPaddingException e) {
      throw new IllegalStateException("this JDK has no " + TRANSFORMATION, e);
    }
  }

  private static void checkReadable(ByteBuf in, int len) {
    if (len < 0 || len > in.readableBytes()) {
      throw new IndexOutOfBoundsException(
          "len " + len + " but " + in.readableBytes() + " readable bytes");
    }
  }
}
