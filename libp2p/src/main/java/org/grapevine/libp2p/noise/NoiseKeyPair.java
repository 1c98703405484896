package org.grapevine.libp2p.noise;

import java.util.random.RandomGenerator;
import org.bouncycastle.math.ec.rfc7748.X25519;

/**
 * An X25519 key pair (RFC 7748) for the Noise static or ephemeral key. Distinct from the libp2p
 * identity key (noise/README.md, "Distinct Noise and Identity Keys"). Holds secret material: no
 * {@code toString} of it.
 */
final class NoiseKeyPair {
  static final int KEY_BYTES = X25519.POINT_SIZE;

  private final byte[] privateKey;
  private final byte[] publicKey;

  private NoiseKeyPair(byte[] privateKey) {
    this.privateKey = privateKey;
    this.publicKey = new byte[KEY_BYTES];
    // Clamping happens inside the scalar multiplication, so any 32 bytes make a valid key.
    X25519.scalarMultBase(privateKey, 0, publicKey, 0);
  }

  /**
   * 32 bytes from {@code random}; pass a SecureRandom in production, a seeded generator in tests.
   */
  static NoiseKeyPair generate(RandomGenerator random) {
    byte[] k = new byte[KEY_BYTES];
    random.nextBytes(k);
    return new NoiseKeyPair(k);
  }

  static NoiseKeyPair fromPrivateKey(byte[] privateKey) {
    if (privateKey.length != KEY_BYTES) {
      throw new IllegalArgumentException(
          "an X25519 private key is 32 bytes, got " + privateKey.length);
    }
    return new NoiseKeyPair(privateKey.clone());
  }

  byte[] publicKey() {
    return publicKey.clone();
  }

  /**
   * DH(this, remote). Signals an error for the all-zero output that low-order remote points
   * produce, which the Noise spec (section 4.1, DH) allows; honest peers never send such keys.
   */
  byte[] dh(byte[] remotePublicKey) throws NoiseException {
    byte[] shared = new byte[KEY_BYTES];
    if (!X25519.calculateAgreement(privateKey, 0, remotePublicKey, 0, shared, 0)) {
      throw new NoiseException(NoiseErrorCode.BAD_KEY, "remote sent a low-order X25519 public key");
    }
    return shared;
  }
}
