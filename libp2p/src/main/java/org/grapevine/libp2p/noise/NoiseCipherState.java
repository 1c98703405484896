package org.grapevine.libp2p.noise;

import java.security.GeneralSecurityException;
import java.util.Arrays;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * A Noise CipherState (Noise spec rev 34, section 5.1) for ChaChaPoly: a 32-byte key {@code k}
 * (or none) and a 64-bit message counter {@code n}, used as the nonce of ChaCha20-Poly1305 (RFC
 * 8439) in the form {@code 00 00 00 00 || little-endian64(n)}.
 *
 * <p>Rules: {@code n} grows by one per successful message and never repeats; {@code n = 2^64 - 1}
 * is reserved, so the 2^64-1st message fails with {@link NoiseErrorCode#NONCE_EXHAUSTED}. A
 * decryption failure is fatal (noise/README.md): the state refuses further use, since a libp2p
 * connection is closed on the first bad tag anyway.
 *
 * <p>The JDK cipher is initialised afresh for every message. The JDK refuses to initialise an
 * encrypting ChaCha20-Poly1305 twice with the same key and nonce, which can only happen here if
 * a caller retried a message; that would be our bug and surfaces as an IllegalStateException.
 *
 * <p>Not thread-safe: one state per direction of one connection, confined to its event loop.
 */
public final class NoiseCipherState {
  public static final int KEY_BYTES = 32;
  public static final int TAG_BYTES = 16;
  private static final int NONCE_BYTES = 12;
  /** 2^64 - 1 as an unsigned long; reserved by the Noise spec. */
  private static final long RESERVED_NONCE = -1L;
  private static final byte[] NO_AD = new byte[0];

  private final byte[] key;
  private long nonce;
  private Cipher cipher;
  private boolean failed;

  /** A state with no key yet: {@code EncryptWithAd} passes plaintext through (handshake start). */
  NoiseCipherState() {
    this.key = null;
  }

  NoiseCipherState(byte[] key) {
    this(key, 0);
  }

  /** Starts at {@code nonce}; other than 0 only in tests of nonce exhaustion. */
  NoiseCipherState(byte[] key, long nonce) {
    if (key.length != KEY_BYTES) {
      throw new IllegalArgumentException("a ChaChaPoly key is 32 bytes, got " + key.length);
    }
    this.key = key.clone();
    this.nonce = nonce;
  }

  public boolean hasKey() {
    return key != null;
  }

  /** The number of messages processed so far (unsigned). */
  public long nonce() {
    return nonce;
  }

  /** Encrypts one transport message (empty associated data): plaintext + 16-byte tag. */
  public byte[] encrypt(byte[] plaintext, int offset, int length) {
    return encryptWithAd(NO_AD, plaintext, offset, length);
  }

  /**
   * Decrypts one transport message (empty associated data).
   *
   * @throws NoiseException {@link NoiseErrorCode#DECRYPT_FAILED} if the tag does not verify
   */
  public byte[] decrypt(byte[] ciphertext, int offset, int length) throws NoiseException {
    return decryptWithAd(NO_AD, ciphertext, offset, length);
  }

  /**
   * Encrypts {@code length} bytes of {@code in} (from its reader index) straight into {@code out}
   * (length + 16 bytes at its writer index), advancing both: the transport path, without the
   * intermediate arrays of {@link #encrypt(byte[], int, int)}. Heap buffers let the JDK cipher
   * work in place; others are copied by the JDK.
   */
  public void encrypt(io.netty.buffer.ByteBuf in, int length, io.netty.buffer.ByteBuf out) {
    checkUsable();
    if (key == null || out.nioBufferCount() != 1) {
      byte[] p = new byte[length];
      in.readBytes(p);
      out.writeBytes(encrypt(p, 0, length));
      return;
    }
    if (nonce == RESERVED_NONCE) {
      throw new IllegalStateException(NoiseErrorCode.NONCE_EXHAUSTED + ": 2^64-1 messages sent; the connection must be closed");
    }
    out.ensureWritable(length + TAG_BYTES);
    try {
      Cipher c = init(Cipher.ENCRYPT_MODE);
      int n = c.doFinal(in.nioBuffer(in.readerIndex(), length), out.nioBuffer(out.writerIndex(), length + TAG_BYTES));
      nonce++;
      in.skipBytes(length);
      out.writerIndex(out.writerIndex() + n);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("ChaCha20-Poly1305 encryption failed", e);
    }
  }

  /** Decrypts {@code length} bytes of {@code in} into {@code out} (length - 16 bytes), advancing both. */
  public void decrypt(io.netty.buffer.ByteBuf in, int length, io.netty.buffer.ByteBuf out) throws NoiseException {
    checkUsable();
    if (key == null || length < TAG_BYTES || nonce == RESERVED_NONCE || out.nioBufferCount() != 1) {
      byte[] c = new byte[length];
      in.readBytes(c);
      out.writeBytes(decrypt(c, 0, length));
      return;
    }
    out.ensureWritable(length - TAG_BYTES);
    try {
      Cipher c = init(Cipher.DECRYPT_MODE);
      int n = c.doFinal(in.nioBuffer(in.readerIndex(), length), out.nioBuffer(out.writerIndex(), length - TAG_BYTES));
      nonce++;
      in.skipBytes(length);
      out.writerIndex(out.writerIndex() + n);
    } catch (AEADBadTagException e) {
      failed = true;
      throw new NoiseException(NoiseErrorCode.DECRYPT_FAILED, "remote sent a message whose tag does not verify (nonce " + Long.toUnsignedString(nonce) + ")", e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("ChaCha20-Poly1305 decryption failed", e);
    }
  }

  byte[] encryptWithAd(byte[] ad, byte[] plaintext, int offset, int length) {
    checkUsable();
    if (key == null) {
      return Arrays.copyOfRange(plaintext, offset, offset + length);
    }
    if (nonce == RESERVED_NONCE) {
      throw new IllegalStateException(NoiseErrorCode.NONCE_EXHAUSTED + ": 2^64-1 messages sent; the connection must be closed");
    }
    try {
      Cipher c = init(Cipher.ENCRYPT_MODE);
      c.updateAAD(ad);
      byte[] out = c.doFinal(plaintext, offset, length);
      nonce++;
      return out;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("ChaCha20-Poly1305 encryption failed", e);
    }
  }

  byte[] decryptWithAd(byte[] ad, byte[] ciphertext, int offset, int length) throws NoiseException {
    checkUsable();
    if (key == null) {
      return Arrays.copyOfRange(ciphertext, offset, offset + length);
    }
    if (length < TAG_BYTES) {
      failed = true;
      throw new NoiseException(NoiseErrorCode.BAD_LENGTH, "remote sent a " + length + "-byte ciphertext, shorter than its 16-byte tag");
    }
    if (nonce == RESERVED_NONCE) {
      failed = true;
      throw new NoiseException(NoiseErrorCode.NONCE_EXHAUSTED, "remote sent more than 2^64-2 messages");
    }
    try {
      Cipher c = init(Cipher.DECRYPT_MODE);
      c.updateAAD(ad);
      byte[] out = c.doFinal(ciphertext, offset, length);
      nonce++;
      return out;
    } catch (AEADBadTagException e) {
      failed = true;
      throw new NoiseException(NoiseErrorCode.DECRYPT_FAILED, "remote sent a message whose tag does not verify (nonce " + Long.toUnsignedString(nonce) + ")", e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("ChaCha20-Poly1305 decryption failed", e);
    }
  }

  private Cipher init(int mode) throws GeneralSecurityException {
    if (cipher == null) {
      cipher = Cipher.getInstance("ChaCha20-Poly1305");
    }
    byte[] iv = new byte[NONCE_BYTES];
    for (int i = 0; i < 8; i++) {
      iv[4 + i] = (byte) (nonce >>> (8 * i));
    }
    cipher.init(mode, new SecretKeySpec(key, "ChaCha20"), new IvParameterSpec(iv));
    return cipher;
  }

  private void checkUsable() {
    if (failed) {
      throw new IllegalStateException("this cipher state failed before; its connection must be closed");
    }
  }
}
