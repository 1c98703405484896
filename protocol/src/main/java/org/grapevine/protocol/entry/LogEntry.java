package org.grapevine.protocol.entry;

import java.util.Optional;
import org.grapevine.protocol.proto.Content;

/**
 * A signed entry with its content, if held: what travels in an Envelope. The content bytes are kept
 * exactly as received (they are hashed into the signature); {@link #content()} is their decoded
 * form, absent when the content is not held or its kind is unknown to this version.
 */
public final class LogEntry {
  private final SignedEntry signed;
  private final byte[] contentBytes;
  private final Content content;

  private LogEntry(SignedEntry signed, byte[] contentBytes, Content content) {
    this.signed = signed;
    this.contentBytes = contentBytes;
    this.content = content;
  }

  /**
   * Combines a verified entry with content already checked against its hash and size.
   *
   * @param contentBytes null when the content is not held
   * @param content the decoded content; null when not held or of an unknown kind
   */
  public static LogEntry of(SignedEntry signed, byte[] contentBytes, Content content) {
    return new LogEntry(signed, contentBytes == null ? null : contentBytes.clone(), content);
  }

  public SignedEntry signed() {
    return signed;
  }

  public EntryHeader header() {
    return signed.header();
  }

  public EntryId id() {
    return signed.id();
  }

  public boolean hasContent() {
    return contentBytes != null;
  }

  /** A copy of the content bytes, exactly as hashed. */
  public Optional<byte[]> contentBytes() {
    return contentBytes == null ? Optional.empty() : Optional.of(contentBytes.clone());
  }

  /** The decoded content, when held and of a kind this version knows. */
  public Optional<Content> content() {
    return Optional.ofNullable(content);
  }

  /** The same entry without its content, as kept after a delete. */
  public LogEntry withoutContent() {
    return new LogEntry(signed, null, null);
  }

  /**
   * The size of {@link #toEnvelopeBytes()}, computed without encoding (sync batches are bounded by
   * it).
   */
  public int envelopeSize() {
    int size =
        com.google.protobuf.CodedOutputStream.computeByteArraySize(1, signed.unsafeEntryBytes())
            + com.google.protobuf.CodedOutputStream.computeByteArraySize(
                2, signed.unsafeSignature());
    return contentBytes == null
        ? size
        : size + com.google.protobuf.CodedOutputStream.computeByteArraySize(3, contentBytes);
  }

  /** The wire form: entry, signature and content if held. */
  public byte[] toEnvelopeBytes() {
    return EntryCodec.encodeEnvelope(signed.entryBytes(), signed.signature(), contentBytes);
  }

  @Override
  public String toString() {
    return signed
        + (contentBytes == null ? " (no content)" : " (" + contentBytes.length + " content bytes)");
  }
}
