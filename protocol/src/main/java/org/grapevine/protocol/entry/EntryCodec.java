package org.grapevine.protocol.entry;

import com.google.protobuf.ByteString;
import java.nio.charset.StandardCharsets;
import org.grapevine.protocol.proto.Entry;
import org.grapevine.protocol.proto.Envelope;

/**
 * Encodings shared by writers and readers. Decoding untrusted bytes, with its checks, lives in
 * {@code org.grapevine.protocol.validation.EntryValidator}.
 *
 * <pre>
 *   signed message = SIGNING_DOMAIN ("grapevine/v1/entry\n", 19 ASCII bytes) || entry bytes
 *   entry id       = SHA-256(entry bytes)
 *   envelope       = protobuf Envelope { 1: entry bytes, 2: signature (64), 3: content (optional) }
 * </pre>
 */
public final class EntryCodec {
  /**
   * Domain separation: a Grapevine entry signature can never be mistaken for a signature over
   * anything else the same key signs (a libp2p handshake, a future message type).
   */
  public static final byte[] SIGNING_DOMAIN =
      "grapevine/v1/entry\n".getBytes(StandardCharsets.US_ASCII);

  /** Entry.version of this schema. */
  public static final int ENTRY_VERSION = 1;

  private EntryCodec() {}

  /** The bytes the author signs: the domain prefix followed by the entry bytes. */
  public static byte[] signingMessage(byte[] entryBytes) {
    byte[] message = new byte[SIGNING_DOMAIN.length + entryBytes.length];
    System.arraycopy(SIGNING_DOMAIN, 0, message, 0, SIGNING_DOMAIN.length);
    System.arraycopy(entryBytes, 0, message, SIGNING_DOMAIN.length, entryBytes.length);
    return message;
  }

  /**
   * The canonical encoding of a header (protobuf-java writes fields in order and omits defaults).
   */
  public static byte[] encodeHeader(EntryHeader h) {
    Entry.Builder b =
        Entry.newBuilder()
            .setVersion(ENTRY_VERSION)
            .setIdentity(ByteString.copyFrom(h.identity().root().unsafeBytes()))
            .setAuthor(ByteString.copyFrom(h.author().unsafeBytes()))
            .setSeq(h.seq())
            .setTimestampMs(h.timestampMillis())
            .setKindValue(h.kindNumber())
            .setContentHash(ByteString.copyFrom(h.contentHash().unsafeBytes()))
            .setContentSize(h.contentSize());
    if (h.prev() != null) {
      b.setPrev(ByteString.copyFrom(h.prev().unsafeBytes()));
    }
    return b.build().toByteArray();
  }

  /** An Envelope's bytes; {@code content} null means "not held". */
  public static byte[] encodeEnvelope(byte[] entryBytes, byte[] signature, byte[] content) {
    Envelope.Builder b =
        Envelope.newBuilder()
            .setEntry(ByteString.copyFrom(entryBytes))
            .setSignature(ByteString.copyFrom(signature));
    if (content != null) {
      b.setContent(ByteString.copyFrom(content));
    }
    return b.build().toByteArray();
  }
}
