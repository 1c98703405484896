package org.grapevine.protocol.entry;

import org.grapevine.protocol.Limits;
import org.grapevine.protocol.crypto.Sha256;
import org.grapevine.protocol.internal.FixedBytes;
import org.grapevine.protocol.internal.Hex;

/**
 * An entry's id: SHA-256 of its encoded, signed Entry bytes. Also the GossipSub message id, so the
 * same entry published twice is one message. Printed as 64 lowercase hex digits.
 */
public final class EntryId extends FixedBytes implements Comparable<EntryId> {
  private EntryId(byte[] id) {
    super(id, Limits.HASH_BYTES, "an entry id");
  }

  public static EntryId of(byte[] id) {
    return new EntryId(id);
  }

  /** The id of the given encoded Entry bytes. */
  public static EntryId ofEntryBytes(byte[] entryBytes) {
    return new EntryId(Sha256.hash(entryBytes));
  }

  /** Parses the 64-digit hex form; throws {@link IllegalArgumentException} naming the fault. */
  public static EntryId parse(String hex) {
    String s = hex.strip();
    if (s.length() != 2 * Limits.HASH_BYTES) {
      throw new IllegalArgumentException(
          "an entry id is " + 2 * Limits.HASH_BYTES + " hex digits, got " + s.length());
    }
    return new EntryId(Hex.decode(s));
  }

  @Override
  public int compareTo(EntryId other) {
    return compareBytes(other);
  }
}
