package org.grapevine.protocol.crypto;

import java.nio.ByteBuffer;
import java.util.concurrent.ConcurrentHashMap;
import org.bouncycastle.math.ec.rfc8032.Ed25519.PublicPoint;
import org.grapevine.protocol.Limits;

/**
 * Ed25519 through BouncyCastle's low-level {@code rfc8032} API: no provider lookup, no key objects,
 * no allocation beyond the signature. BouncyCastle's verify rejects non-canonical S (no signature
 * malleability).
 *
 * <p>Public keys are decompressed and fully validated (a point of prime order) once and cached: a
 * device writes many entries, and decompression is about a tenth of a verify (measured: {@code
 * Ed25519VerifyBenchmark.bouncyCastlePrevalidatedKey}). Every key goes through the same full
 * validation whether cached or not, so the answer never depends on the cache.
 */
final class BouncyCastleEd25519 implements Ed25519 {
  static final BouncyCastleEd25519 INSTANCE = new BouncyCastleEd25519();

  /** About 200 bytes a key; when full the cache is dropped, which costs only re-decompression. */
  private static final int MAX_CACHED_KEYS = 8192;

  /** Marks keys that failed validation, so that garbage keys are not re-validated either. */
  private static final Object INVALID = new Object();

  private final ConcurrentHashMap<ByteBuffer, Object> points = new ConcurrentHashMap<>();

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
    Object point = point(publicKey);
    return point != INVALID
        && org.bouncycastle.math.ec.rfc8032.Ed25519.verify(
            signature, 0, (PublicPoint) point, message, off, len);
  }

  private Object point(byte[] publicKey) {
    ByteBuffer key = ByteBuffer.wrap(publicKey);
    Object cached = points.get(key);
    if (cached != null) {
      return cached;
    }
    PublicPoint p =
        org.bouncycastle.math.ec.rfc8032.Ed25519.validatePublicKeyFullExport(publicKey, 0);
    Object value = p == null ? INVALID : p;
    if (points.size() >= MAX_CACHED_KEYS) {
      points.clear();
    }
    points.put(ByteBuffer.wrap(publicKey.clone()), value);
    return value;
  }

  private static void requireLength(byte[] bytes, int length, String what) {
    if (bytes.length != length) {
      throw new IllegalArgumentException(
          what + " must be " + length + " bytes, got " + bytes.length);
    }
  }
}
