package org.grapevine.protocol.keys;

import com.google.crypto.tink.AccessesPartialKey;
import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.Key;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.signature.Ed25519Parameters;
import com.google.crypto.tink.signature.Ed25519PrivateKey;
import com.google.crypto.tink.signature.Ed25519PublicKey;
import com.google.crypto.tink.signature.SignatureConfig;
import com.google.crypto.tink.util.Bytes;
import com.google.crypto.tink.util.SecretBytes;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import org.grapevine.protocol.crypto.SigningKey;

/**
 * Ed25519 keys as Tink keysets. Tink manages keys at rest (its keyset format, encryption of
 * keysets); signing itself goes through {@link org.grapevine.protocol.crypto.Ed25519}, which was
 * measured faster, so the seed is taken out of the keyset with Tink's explicit secret access.
 */
public final class TinkKeys {
  static {
    try {
      SignatureConfig.register();
    } catch (GeneralSecurityException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private TinkKeys() {}

  /**
   * Makes sure Tink's Ed25519 serialisation is registered (this class's static initialiser).
   * Without it Tink parses an Ed25519 keyset as an opaque legacy key.
   */
  static void ensureRegistered() {
    // Calling any static method runs the static initialiser; a class literal would not.
  }

  /** A one-key keyset holding {@code key} (variant NO_PREFIX: plain RFC 8032 signatures). */
  // Tink's marker for code that builds a key from raw parts (required by its @RestrictedApi):
  // the seed-to-keyset bridge is the point of this class.
  @AccessesPartialKey
  public static KeysetHandle toKeyset(SigningKey key) {
    byte[] seed = key.seed();
    try {
      Ed25519PublicKey pub = Ed25519PublicKey.create(Bytes.copyFrom(key.publicKey().unsafeBytes()));
      Ed25519PrivateKey priv =
          Ed25519PrivateKey.create(pub, SecretBytes.copyFrom(seed, InsecureSecretKeyAccess.get()));
      return KeysetHandle.newBuilder()
          .addEntry(KeysetHandle.importKey(priv).withRandomId().makePrimary())
          .build();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("Tink refused a valid Ed25519 key", e);
    } finally {
      Arrays.fill(seed, (byte) 0);
    }
  }

  /** The signing key of a keyset's primary key; the keyset must hold an Ed25519 private key. */
  @AccessesPartialKey // takes the raw seed out, for Ed25519's faster signer (see the class doc)
  public static SigningKey signingKey(KeysetHandle keyset) throws KeyFileException {
    Key key = keyset.getPrimary().getKey();
    if (!(key instanceof Ed25519PrivateKey priv)) {
      throw new KeyFileException(
          KeyFileException.Problem.NOT_AN_ED25519_KEY,
          "the key file holds a "
              + key.getClass().getSimpleName()
              + ", not an Ed25519 private key");
    }
    if (priv.getParameters().getVariant() != Ed25519Parameters.Variant.NO_PREFIX) {
      throw new KeyFileException(
          KeyFileException.Problem.NOT_AN_ED25519_KEY,
          "the Ed25519 key uses Tink's "
              + priv.getParameters().getVariant()
              + " variant; Grapevine signs plain RFC 8032");
    }
    byte[] seed = priv.getPrivateKeyBytes().toByteArray(InsecureSecretKeyAccess.get());
    try {
      return SigningKey.fromSeed(seed);
    } finally {
      Arrays.fill(seed, (byte) 0);
    }
  }
}
