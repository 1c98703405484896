package org.grapevine.libp2p.noise.crypto;

import io.netty.buffer.ByteBuf;
import javax.crypto.AEADBadTagException;

/**
 * AEAD_CHACHA20_POLY1305 (RFC 8439 section 2.8) under one key, with Noise's nonce {@code 00000000
 * || le64(nonceCounter)}: the operations a Noise CipherState needs. Two implementations give the
 * same bytes: our pure-Java {@link ChaCha20Poly1305} and {@link JdkChaCha20Poly1305} over the JDK's
 * {@code Cipher}; {@link AeadImplementation} picks one per JVM.
 *
 * <p>Rules for both: the caller never repeats a nonce under a key; decryption verifies the tag
 * before any plaintext is written and throws {@link AEADBadTagException} on a mismatch (or a
 * ciphertext shorter than the tag) with {@code out} and both buffer indices untouched. Not
 * thread-safe: one instance per direction of a connection, confined to its event loop.
 */
public interface Aead {
  /**
   * Seals {@code in[inOff, inOff + len)} into {@code out[outOff...]}: {@code len + 16} bytes. The
   * arrays may be the same, overlapping in any way.
   *
   * @param ad associated data, or {@code null} for none
   * @return {@code len + 16}
   */
  int encrypt(long nonceCounter, byte[] ad, byte[] in, int inOff, int len, byte[] out, int outOff);

  /**
   * Opens {@code in[inOff, inOff + len)} (ciphertext and tag) into {@code out[outOff...]}: {@code
   * len - 16} bytes.
   *
   * @param ad associated data, or {@code null} for none
   * @return {@code len - 16}
   */
  int decrypt(long nonceCounter, byte[] ad, byte[] in, int inOff, int len, byte[] out, int outOff)
      throws AEADBadTagException;

  /**
   * The transport path (no associated data): seals {@code len} bytes from the reader index of
   * {@code in} to the writer index of {@code out} (grown if needed), advancing both.
   *
   * @return {@code len + 16}
   */
  int encrypt(long nonceCounter, ByteBuf in, int len, ByteBuf out);

  /**
   * The transport path (no associated data): opens {@code len} bytes (ciphertext and tag) from the
   * reader index of {@code in} to the writer index of {@code out}, advancing both on success only.
   *
   * @return {@code len - 16}
   */
  int decrypt(long nonceCounter, ByteBuf in, int len, ByteBuf out) throws AEADBadTagException;
}
