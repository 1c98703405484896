package org.grapevine.protocol.crypto;

/**
 * Ed25519 (RFC 8032, pure, no context) behind one small interface, so that the implementation can
 * be chosen by measurement. Verification of received entries is the node's hot path.
 *
 * <p>{@link #fastest()} is BouncyCastle's lightweight API: measured on the project machine at twice
 * Tink's verify rate and six times the JDK provider's (see benchmarks/README.md and the {@code
 * Ed25519VerifyBenchmark}). Tink still manages keys at rest ({@code keys} package).
 *
 * <p>Implementations are thread-safe and never throw for bad input from others: a malformed key or
 * signature simply does not verify.
 */
public interface Ed25519 {

  /** The implementation used by Grapevine. */
  static Ed25519 fastest() {
    return BouncyCastleEd25519.INSTANCE;
  }

  /** The 32-byte public key of a 32-byte private seed. */
  byte[] publicKey(byte[] seed);

  /** Signs {@code message[off, off+len)} with the seed whose public key is {@code publicKey}. */
  byte[] sign(byte[] seed, byte[] publicKey, byte[] message, int off, int len);

  /**
   * Whether {@code signature} is a valid signature of {@code message[off, off+len)} by {@code
   * publicKey}. Returns false, never throws, for keys or signatures of the wrong length, public
   * keys that are not points of prime order (small-order and mixed-order keys, which honest key
   * generation never produces) and non-canonical scalars.
   */
  boolean verify(byte[] publicKey, byte[] message, int off, int len, byte[] signature);
}
