package org.grapevine.protocol.identity;

import java.util.Locale;
import org.grapevine.protocol.Limits;

/**
 * A Grapevine identity: an Ed25519 root public key.
 *
 * <p>Its text form is self-certifying (it <em>is</em> the public key, so anyone can check a
 * signature against it without asking anyone), checksummed and copy-paste safe:
 *
 * <pre>
 *   gv1 q  &lt;52 more data characters&gt;  &lt;6 checksum characters&gt;     (62 characters)
 *   └┬┘ └────────────────┬─────────────┘
 *  prefix   bech32m (BIP-350) of: version byte 0x01 || 32-byte root public key
 * </pre>
 *
 * Lowercase is canonical; an all-uppercase string (for QR codes) is accepted. Any error in up to
 * four characters is detected by the checksum, so a typo never resolves to another identity.
 */
public final class Identity implements Comparable<Identity> {
  /** Human-readable prefix of every identity string. */
  public static final String HRP = "gv";

  /** Payload version for an Ed25519 root key. */
  static final byte VERSION_ED25519 = 0x01;

  /** Length of every v1 identity string. */
  public static final int STRING_LENGTH = 62;

  private final AuthorKey root;
  // Computed on first use: validators build an Identity for every entry and rarely print it.
  // A benign race: two threads may both compute the same immutable String.
  private String text;

  private Identity(AuthorKey root) {
    this.root = root;
  }

  /** The identity whose root public key is {@code root}. */
  public static Identity of(AuthorKey root) {
    return new Identity(root);
  }

  /** The identity whose root public key is {@code rootKey} (32 bytes). */
  public static Identity of(byte[] rootKey) {
    return new Identity(AuthorKey.of(rootKey));
  }

  /**
   * Parses an identity string, ignoring surrounding white space.
   *
   * @throws IdentityFormatException saying what is wrong, never an unchecked exception
   */
  public static Identity parse(String input) throws IdentityFormatException {
    String s = input == null ? "" : input.strip();
    if (s.isEmpty()) {
      throw new IdentityFormatException(
          IdentityFormatException.Problem.EMPTY, "the string is empty");
    }
    if (s.length() > STRING_LENGTH) {
      throw new IdentityFormatException(
          IdentityFormatException.Problem.TOO_LONG,
          "it is " + s.length() + " characters long; identities are " + STRING_LENGTH);
    }
    String lower = s.toLowerCase(Locale.ROOT);
    if (!s.equals(lower) && !s.equals(s.toUpperCase(Locale.ROOT))) {
      throw new IdentityFormatException(
          IdentityFormatException.Problem.MIXED_CASE,
          "it mixes upper- and lowercase letters; use one case");
    }
    if (!lower.startsWith(HRP + "1")) {
      throw new IdentityFormatException(
          IdentityFormatException.Problem.WRONG_PREFIX, "identities start with \"" + HRP + "1\"");
    }
    if (lower.length() != STRING_LENGTH) {
      throw new IdentityFormatException(
          IdentityFormatException.Problem.WRONG_LENGTH,
          "it is "
              + lower.length()
              + " characters long; identities are "
              + STRING_LENGTH
              + " (was it cut off when copied?)");
    }
    Bech32m.Decoded decoded = Bech32m.decode(lower);
    if (!decoded.hrp().equals(HRP)) {
      throw new IdentityFormatException(
          IdentityFormatException.Problem.WRONG_PREFIX, "identities start with \"" + HRP + "1\"");
    }
    byte[] payload = decoded.payload();
    if (payload.length != 1 + Limits.PUBLIC_KEY_BYTES) {
      throw new IdentityFormatException(
          IdentityFormatException.Problem.WRONG_LENGTH,
          "it carries "
              + payload.length
              + " bytes, an identity carries "
              + (1 + Limits.PUBLIC_KEY_BYTES));
    }
    if (payload[0] != VERSION_ED25519) {
      throw new IdentityFormatException(
          IdentityFormatException.Problem.UNKNOWN_VERSION,
          "key version " + (payload[0] & 0xff) + " is not known to this version of Grapevine");
    }
    byte[] key = java.util.Arrays.copyOfRange(payload, 1, payload.length);
    if (!org.bouncycastle.math.ec.rfc8032.Ed25519.validatePublicKeyFull(key, 0)) {
      throw new IdentityFormatException(
          IdentityFormatException.Problem.NOT_A_PUBLIC_KEY,
          "the checksum is right but the key is not a usable Ed25519 public key");
    }
    return new Identity(AuthorKey.of(key));
  }

  /** The root public key. */
  public AuthorKey root() {
    return root;
  }

  /** The identity string. */
  @Override
  public String toString() {
    String t = text;
    if (t == null) {
      byte[] payload = new byte[1 + Limits.PUBLIC_KEY_BYTES];
      payload[0] = VERSION_ED25519;
      System.arraycopy(root.unsafeBytes(), 0, payload, 1, Limits.PUBLIC_KEY_BYTES);
      t = Bech32m.encode(HRP, payload);
      text = t;
    }
    return t;
  }

  @Override
  public boolean equals(Object o) {
    return o == this || (o instanceof Identity other && root.equals(other.root));
  }

  @Override
  public int hashCode() {
    return root.hashCode();
  }

  @Override
  public int compareTo(Identity other) {
    return root.compareTo(other.root);
  }
}
