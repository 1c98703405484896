package org.grapevine.protocol.internal;

import java.util.Arrays;

/**
 * Base of the fixed-length byte values (keys, hashes, ids): immutable, compared by content and
 * class, ordered as unsigned bytes (the order RocksDB keys sort in), printed as hex.
 */
public abstract class FixedBytes {
  private final byte[] bytes;
  private final int hash;

  protected FixedBytes(byte[] bytes, int expectedLength, String what) {
    if (bytes.length != expectedLength) {
      throw new IllegalArgumentException(
          what + " must be " + expectedLength + " bytes, got " + bytes.length);
    }
    this.bytes = bytes.clone();
    this.hash = Arrays.hashCode(this.bytes);
  }

  /** A copy of the bytes. */
  public final byte[] toBytes() {
    return bytes.clone();
  }

  /** The bytes without a copy, for hot paths inside this module; callers must not modify them. */
  public final byte[] unsafeBytes() {
    return bytes;
  }

  public final String toHex() {
    return Hex.encode(bytes);
  }

  /** Unsigned lexicographic comparison with another value of the same length. */
  protected final int compareBytes(FixedBytes other) {
    return Arrays.compareUnsigned(bytes, other.bytes);
  }

  /** Whether the hex form starts with the given prefix (case-insensitive), for abbreviations. */
  public final boolean hexStartsWith(String prefix) {
    return toHex().startsWith(prefix.toLowerCase(java.util.Locale.ROOT));
  }

  // Two kinds of fixed bytes (a key and a hash, say) with the same bytes are different values:
  // the class is part of the value, which instanceof would ignore.
  @SuppressWarnings("EqualsGetClass")
  @Override
  public final boolean equals(Object o) {
    return o == this
        || (o != null
            && o.getClass() == getClass()
            && Arrays.equals(bytes, ((FixedBytes) o).bytes));
  }

  @Override
  public final int hashCode() {
    return hash;
  }

  @Override
  public String toString() {
    return toHex();
  }
}
