package org.grapevine.protocol.entry;

import org.grapevine.protocol.Limits;
import org.grapevine.protocol.crypto.Sha256;
import org.grapevine.protocol.internal.FixedBytes;

/**
 * SHA-256 of an entry's content bytes (or of an attachment's bytes); how content is stored and
 * fetched.
 */
public final class ContentHash extends FixedBytes implements Comparable<ContentHash> {
  private ContentHash(byte[] hash) {
    super(hash, Limits.HASH_BYTES, "a content hash");
  }

  public static ContentHash of(byte[] hash) {
    return new ContentHash(hash);
  }

  public static ContentHash ofContent(byte[] content) {
    return new ContentHash(Sha256.hash(content));
  }

  @Override
  public int compareTo(ContentHash other) {
    return compareBytes(other);
  }
}
