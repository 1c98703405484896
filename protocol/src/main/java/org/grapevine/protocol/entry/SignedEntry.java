package org.grapevine.protocol.entry;

import java.util.Arrays;

/**
 * A signed log entry: the exact Entry bytes that were signed, the signature, their decoded header
 * and id. Instances come from {@link LogWriter} or from {@code
 * org.grapevine.protocol.validation.EntryValidator}, which verified the signature; code that loads
 * entries from its own trusted store may rebuild them with {@link #ofVerified}. Byte arrays are
 * never exposed for modification.
 */
public final class SignedEntry {
  private final EntryHeader header;
  private final byte[] entryBytes;
  private final byte[] signature;
  private final EntryId id;

  private SignedEntry(EntryHeader header, byte[] entryBytes, byte[] signature, EntryId id) {
    this.header = header;
    this.entryBytes = entryBytes;
    this.signature = signature;
    this.id = id;
  }

  /** Wraps an entry whose signature the caller has verified (or stored after verifying). */
  public static SignedEntry ofVerified(
      EntryHeader header, byte[] entryBytes, byte[] signature, EntryId id) {
    return new SignedEntry(header, entryBytes.clone(), signature.clone(), id);
  }

  public EntryHeader header() {
    return header;
  }

  public EntryId id() {
    return id;
  }

  /** A copy of the signed Entry bytes. */
  public byte[] entryBytes() {
    return entryBytes.clone();
  }

  /** The entry bytes without a copy, for sizing in this package; never modified. */
  byte[] unsafeEntryBytes() {
    return entryBytes;
  }

  /** The signature without a copy, for sizing in this package; never modified. */
  byte[] unsafeSignature() {
    return signature;
  }

  /** A copy of the signature. */
  public byte[] signature() {
    return signature.clone();
  }

  /** The envelope for this entry without content. */
  public byte[] toEnvelopeBytes() {
    return EntryCodec.encodeEnvelope(entryBytes, signature, null);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SignedEntry other
        && id.equals(other.id)
        && Arrays.equals(signature, other.signature);
  }

  @Override
  public int hashCode() {
    return id.hashCode();
  }

  @Override
  public String toString() {
    return "SignedEntry["
        + header.author()
        + "#"
        + header.seq()
        + " "
        + header.kind()
        + " id="
        + id
        + "]";
  }
}
