package org.grapevine.protocol.crypto;

import java.security.SecureRandom;
import java.util.Arrays;
import org.grapevine.protocol.Limits;
import org.grapevine.protocol.identity.AuthorKey;

/**
 * An Ed25519 private key (its 32-byte seed) with its public key. Holds secret material: it has no
 * {@code toString} of the seed, and {@link #destroy()} wipes it.
 */
public final class SigningKey {
  private final byte[] seed;
  private final byte[] publicKey;
  private final AuthorKey author;
  private final Ed25519 ed25519;

  private SigningKey(byte[] seed, Ed25519 ed25519) {
    if (seed.length != Limits.PRIVATE_SEED_BYTES) {
      throw new IllegalArgumentException(
          "an Ed25519 seed is " + Limits.PRIVATE_SEED_BYTES + " bytes, got " + seed.length);
    }
    this.seed = seed.clone();
    this.ed25519 = ed25519;
    this.publicKey = ed25519.publicKey(this.seed);
    this.author = AuthorKey.of(publicKey);
  }

  public static SigningKey fromSeed(byte[] seed) {
    return new SigningKey(seed, Ed25519.fastest());
  }

  public static SigningKey generate(SecureRandom random) {
    byte[] seed = new byte[Limits.PRIVATE_SEED_BYTES];
    random.nextBytes(seed);
    try {
      return fromSeed(seed);
    } finally {
      Arrays.fill(seed, (byte) 0);
    }
  }

  /** The public key, as the author of the logs this key signs. */
  public AuthorKey publicKey() {
    return author;
  }

  public byte[] sign(byte[] message) {
    return sign(message, 0, message.length);
  }

  public byte[] sign(byte[] message, int off, int len) {
    return ed25519.sign(seed, publicKey, message, off, len);
  }

  /** A copy of the secret seed, for sealing into a key file or a recovery phrase. */
  public byte[] seed() {
    return seed.clone();
  }

  /** Overwrites the seed; the key must not be used afterwards. */
  public void destroy() {
    Arrays.fill(seed, (byte) 0);
  }

  @Override
  public String toString() {
    return "SigningKey[" + author + "]";
  }
}
