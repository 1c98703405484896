package org.grapevine.libp2p.noise;

import io.netty.buffer.ByteBuf;
import java.util.Arrays;
import javax.crypto.AEADBadTagException;
import org.grapevine.libp2p.noise.crypto.Aead;
import org.grapevine.libp2p.noise.crypto.AeadImplementation;

/**
 * A Noise CipherState (Noise spec rev 34, section 5.1) for ChaChaPoly: a 32-byte key {@code k} (or
 * none) and a 64-bit message counter {@code n}, used as the nonce of ChaCha20-Poly1305 (RFC 8439)
 * in the form {@code 00 00 00 00 || little-endian64(n)}.
 *
 * <p>Rules: {@code n} grows by one per successful message and never repeats; {@code n = 2^64 - 1}
 * is reserved, so the 2^64-1st message fails with {@link NoiseErrorCode#NONCE_EXHAUSTED}. A
 * decryption failure is fatal (noise/README.md): the state refuses further use, since a libp2p
 * connection is closed on the first bad tag anyway.
 *
 * <p>The AEAD is the one {@link AeadImplementation#selected()} picks for this JVM: our pure-Java
 * ChaCha20-Poly1305 (about three times the JDK 17 cipher) or, on JDKs whose cipher is compiled to
 * SIMD stubs, the JDK's. Both give the same bytes (checked against each other in tests).
 *
 * <p>Not thread-safe: one state per direction of one connection, confined to its event loop.
 */
public final class NoiseCipherState {
  public static final int KEY_BYTES = 32;
  public static final int TAG_BYTES = 16;

  /** 2^64 - 1 as an unsigned long; reserved by the Noise spec. */
  private static final long RESERVED_NONCE = -1L;

  private final Aead aead;
  private long nonce;
  private boolean failed;

  /** A state with no key yet: {@code EncryptWithAd} passes plaintext through (handshake start). */
  NoiseCipherState() {
    this.aead = null;
  }

  NoiseCipherState(byte[] key) {
    this(key, 0);
  }

  /** Starts at {@code nonce}; other than 0 only in tests of nonce exhaustion. */
  NoiseCipherState(byte[] key, long nonce) {
    this(key, nonce, AeadImplementation.selected());
  }

  /** With a given AEAD implementation: for tests that run both. */
  NoiseCipherState(byte[] key, long nonce, AeadImplementation implementation) {
    if (key.length != KEY_BYTES) {
      throw new IllegalArgumentException("a ChaChaPoly key is 32 bytes, got " + key.length);
    }
    this.aead = implementation.create(key);
    this.nonce = nonce;
  }

  public boolean hasKey() {
    return aead != null;
  }

  /** The number of messages processed so far (unsigned). */
  public long nonce() {
    return nonce;
  }

  /** Encrypts one transport message (empty associated data): plaintext + 16-byte tag. */
  public byte[] encrypt(byte[] plaintext, int offset, int length) {
    return encryptWithAd(null, plaintext, offset, length);
  }

  /**
   * Decrypts one transport message (empty associated data).
   *
   * @throws NoiseException DECRYPT_FAILED for a bad tag, BAD_LENGTH below 16 bytes; the state is
   *     unusable afterwards
   */
  public byte[] decrypt(byte[] ciphertext, int offset, int length) throws NoiseException {
    return decryptWithAd(null, ciphertext, offset, length);
  }

  /**
   * Encrypts {@code length} bytes of {@code in} (from its reader index) straight into {@code out}
   * (length + 16 bytes at its writer index), advancing both: the transport path, without
   * intermediate arrays.
   */
  public void encrypt(ByteBuf in, int length, ByteBuf out) {
    checkEncryptable();
    if (aead == null) {
      out.writeBytes(in, length);
      return;
    }
    aead.encrypt(nonce, in, length, out);
    nonce++;
  }

  /**
   * Decrypts {@code length} bytes of {@code in} into {@code out} (length - 16 bytes), advancing
   * both.
   */
  public void decrypt(ByteBuf in, int length, ByteBuf out) throws NoiseException {
    checkDecryptable(length);
    if (aead == null) {
      out.writeBytes(in, length);
      return;
    }
    try {
      aead.decrypt(nonce, in, length, out);
      nonce++;
    } catch (AEADBadTagException e) {
      throw badTag(e);
    }
  }

  byte[] encryptWithAd(byte[] ad, byte[] plaintext, int offset, int length) {
    checkEncryptable();
    if (aead == null) {
      return Arrays.copyOfRange(plaintext, offset, offset + length);
    }
    byte[] out = new byte[length + TAG_BYTES];
    aead.encrypt(nonce, ad, plaintext, offset, length, out, 0);
    nonce++;
    return out;
  }

  byte[] decryptWithAd(byte[] ad, byte[] ciphertext, int offset, int length) throws NoiseException {
    checkDecryptable(length);
    if (aead == null) {
      return Arrays.copyOfRange(ciphertext, offset, offset + length);
    }
    byte[] out = new byte[length - TAG_BYTES];
    try {
      aead.decrypt(nonce, ad, ciphertext, offset, length, out, 0);
    } catch (AEADBadTagException e) {
      throw badTag(e);
    }
    nonce++;
    return out;
  }

  private void checkEncryptable() {
    checkUsable();
    if (aead != null && nonce == RESERVED_NONCE) {
      throw new IllegalStateException(
          NoiseErrorCode.NONCE_EXHAUSTED + ": 2^64-1 messages sent; the connection must be closed");
    }
  }

  private void checkDecryptable(int length) throws NoiseException {
    checkUsable();
    if (aead == null) {
      return;
    }
    if (length < TAG_BYTES) {
      failed = true;
      throw new NoiseException(
          NoiseErrorCode.BAD_LENGTH,
          "remote sent a " + length + "-byte ciphertext, shorter than its 16-byte tag");
    }
    if (nonce == RESERVED_NONCE) {
      failed = true;
      throw new NoiseException(
          NoiseErrorCode.NONCE_EXHAUSTED, "remote sent more than 2^64-2 messages");
    }
  }

  private NoiseException badTag(AEADBadTagException e) {
    failed = true;
    return new NoiseException(
        NoiseErrorCode.DECRYPT_FAILED,
        "remote sent a message whose tag does not verify (nonce "
            + Long.toUnsignedString(nonce)
            + ")",
        e);
  }

  private void checkUsable() {
    if (failed) {
      throw new IllegalStateException(
          "this cipher state failed before; its connection must be closed");
    }
  }
}
