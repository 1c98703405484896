package org.grapevine.protocol.identity;

import org.grapevine.protocol.Limits;
import org.grapevine.protocol.internal.FixedBytes;

/**
 * The 32-byte Ed25519 public key that signs a log: an identity's root key (for its own log of
 * delegations) or one of its device keys. Immutable; ordered as unsigned bytes.
 */
public final class AuthorKey extends FixedBytes implements Comparable<AuthorKey> {
  private AuthorKey(byte[] key) {
    super(key, Limits.PUBLIC_KEY_BYTES, "an Ed25519 public key");
  }

  /** Wraps a copy of {@code key}; throws {@link IllegalArgumentException} unless it is 32 bytes. */
  public static AuthorKey of(byte[] key) {
    return new AuthorKey(key);
  }

  @Override
  public int compareTo(AuthorKey other) {
    return compareBytes(other);
  }
}
