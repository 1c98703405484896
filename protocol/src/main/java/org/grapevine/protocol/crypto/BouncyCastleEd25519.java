package org.grapevine.protocol.crypto;

import org.grapevine.protocol.Limits;

/**
 * Ed25519 through BouncyCastle's low-level {@code rfc8032} API: no provider lookup, no key
 * objects, no allocation beyond the signature. BouncyCastle's verify rejects non-canonical S
 * (no signature malleability) and public keys that are not valid points.
 */
final class BouncyCastleEd25519 implements Ed25519 {
  static final BouncyCastleEd25519 INSTANCE = new BouncyCastleEd25519();

  private BouncyCastleEd25519() {
    // Builds the fixed-base tables once instead of on the first signature.
    org.bouncycastle.math.ec.rfc8032.Ed25519.precompute();
  }

  @Override
  public byte[] publicKey(byte[] seed) {
    requireLength(seed, Limits.PRIVATE_SEED_BYTES, "seed");
    byte[] pk = new byte[Limits.PUBLIC_KEY_BYTES];
    org.bouncycastle.math.ec.rfc8032.Ed25519.generatePublicKey(seed, 0, pk, 0);
    return pk;
  }

  @Override
  public byte[] sign(byte[] seed, byte[] publicKey, byte[] message, int off, int len) {
    requireLength(seed, Limits.PRIVATE_SEED_BYTES, "seed");
    requireLength(publicKey, Limits.PUBLIC_KEY_BYTES, "public key");
    byte[] sig = new byte[Limits.SIGNATURE_BYTES];
    org.bouncycastle.math.ec.rfc8032.Ed25519.sign(seed, 0, publicKey, 0, message, off, len, sig, 0);
    return sig;
  }

  @Override
  public boolean verify(byte[] publicKey, byte[] message, int off, int len, byte[] signature) {
    if (publicKey.length != Limits.PUBLIC_KEY_BYTES || signature.length != Limits.SIGNATURE_BYTES) {
      return false;
    }
    return org.bouncycastle.math.ec.rfc8032.Ed25519.verify(signature, 0, publicKey, 0, message, off, len);
  }

  private static void requireLength(byte[] bytes, int length, String what) {
    if (bytes.length != length) {
      throw new IllegalArgumentException(what + " must be " + length + " bytes, got " + bytes.length);
    }
  }
}
