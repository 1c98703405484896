package org.grapevine.protocol.validation;

import com.google.protobuf.InvalidProtocolBufferException;
import java.util.Arrays;
import org.grapevine.protocol.Limits;
import org.grapevine.protocol.crypto.Ed25519;
import org.grapevine.protocol.entry.ContentHash;
import org.grapevine.protocol.entry.ContentKind;
import org.grapevine.protocol.entry.EntryCodec;
import org.grapevine.protocol.entry.EntryHeader;
import org.grapevine.protocol.entry.EntryId;
import org.grapevine.protocol.entry.LogEntry;
import org.grapevine.protocol.entry.SignedEntry;
import org.grapevine.protocol.identity.AuthorKey;
import org.grapevine.protocol.identity.Identity;
import org.grapevine.protocol.proto.Content;
import org.grapevine.protocol.proto.Entry;
import org.grapevine.protocol.proto.Envelope;

/**
 * Stateless validation: everything that can be checked about an entry without knowing any log.
 * Total over its input: any byte string yields {@link Verification.Valid} or {@link
 * Verification.Invalid}, never an exception. Thread-safe.
 *
 * <p>Steps, cheapest first, so that garbage costs no signature check:
 *
 * <ol>
 *   <li>sizes of the envelope and the header;
 *   <li>the envelope and header decode, and the header is canonical (re-encoding gives the same
 *       bytes, no unknown fields), so one entry has exactly one id;
 *   <li>header fields: version, key lengths, seq, prev, timestamp, kind, content hash and size;
 *   <li>the kind belongs in this log (root log: delegations and revocations only);
 *   <li>content, when present: size, hash, decoding and field limits ({@link ContentRules});
 *   <li>the Ed25519 signature over {@link EntryCodec#SIGNING_DOMAIN} || header bytes.
 * </ol>
 */
public final class EntryValidator {
  private final Ed25519 ed25519;

  public EntryValidator() {
    this(Ed25519.fastest());
  }

  public EntryValidator(Ed25519 ed25519) {
    this.ed25519 = ed25519;
  }

  /** Validates an encoded Envelope, as received from gossip or sync. */
  public Verification validate(byte[] envelopeBytes) {
    // 1. Size before parsing.
    if (envelopeBytes.length > Limits.MAX_ENVELOPE_BYTES) {
      return Verification.Invalid.of(
          RejectReason.ENVELOPE_TOO_LARGE,
          "envelope of %d bytes, at most %d",
          envelopeBytes.length,
          Limits.MAX_ENVELOPE_BYTES);
    }
    Envelope envelope;
    try {
      envelope = Envelope.parseFrom(envelopeBytes);
    } catch (InvalidProtocolBufferException e) {
      return Verification.Invalid.of(
          RejectReason.MALFORMED_ENVELOPE, "envelope does not decode: %s", e.getMessage());
    }
    return validate(
        envelope.getEntry().toByteArray(),
        envelope.getSignature().toByteArray(),
        envelope.hasContent() ? envelope.getContent().toByteArray() : null);
  }

  /** Validates an entry given as its parts; {@code content} null means "not held". */
  public Verification validate(byte[] entryBytes, byte[] signature, byte[] content) {
    // 1. Size.
    if (entryBytes.length > Limits.MAX_ENTRY_BYTES) {
      return Verification.Invalid.of(
          RejectReason.ENTRY_TOO_LARGE,
          "entry header of %d bytes, at most %d",
          entryBytes.length,
          Limits.MAX_ENTRY_BYTES);
    }
    // 2-4. Decode and check the header.
    Object decoded = decodeHeader(entryBytes);
    if (decoded instanceof Verification.Invalid invalid) {
      return invalid;
    }
    EntryHeader header = (EntryHeader) decoded;
    // 5. Content, when present.
    Content parsedContent = null;
    if (content != null) {
      Object checked = checkContent(header, content);
      if (checked instanceof Verification.Invalid invalid) {
        return invalid;
      }
      parsedContent = (Content) checked;
    }
    // 6. Signature, last: the one expensive step.
    if (signature.length != Limits.SIGNATURE_BYTES) {
      return Verification.Invalid.of(
          RejectReason.BAD_SIGNATURE,
          "signature of %d bytes, must be %d",
          signature.length,
          Limits.SIGNATURE_BYTES);
    }
    byte[] message = EntryCodec.signingMessage(entryBytes);
    if (!ed25519.verify(header.author().unsafeBytes(), message, 0, message.length, signature)) {
      return Verification.Invalid.of(
          RejectReason.BAD_SIGNATURE,
          "signature does not verify for author %s seq %d",
          header.author(),
          header.seq());
    }
    SignedEntry signed =
        SignedEntry.ofVerified(header, entryBytes, signature, EntryId.ofEntryBytes(entryBytes));
    return new Verification.Valid(LogEntry.of(signed, content, parsedContent));
  }

  /** Checks content that arrives after its entry (fetched by hash during sync) and joins them. */
  public Verification attachContent(SignedEntry entry, byte[] content) {
    Object checked = checkContent(entry.header(), content);
    if (checked instanceof Verification.Invalid invalid) {
      return invalid;
    }
    return new Verification.Valid(LogEntry.of(entry, content, (Content) checked));
  }

  /**
   * Returns the decoded {@link Content} (null for an unknown kind) or a {@link
   * Verification.Invalid}.
   */
  private static Object checkContent(EntryHeader header, byte[] content) {
    if (content.length > Limits.MAX_CONTENT_BYTES) {
      return Verification.Invalid.of(
          RejectReason.CONTENT_TOO_LARGE,
          "content of %d bytes, at most %d",
          content.length,
          Limits.MAX_CONTENT_BYTES);
    }
    if (content.length != header.contentSize()) {
      return Verification.Invalid.of(
          RejectReason.CONTENT_SIZE_MISMATCH,
          "content is %d bytes, the signed entry says %d",
          content.length,
          header.contentSize());
    }
    if (!ContentHash.ofContent(content).equals(header.contentHash())) {
      return Verification.Invalid.of(
          RejectReason.CONTENT_HASH_MISMATCH, "content does not hash to the signed hash");
    }
    if (header.kind() == ContentKind.UNKNOWN) {
      return null; // Kept byte for byte; a newer reader decodes it.
    }
    return ContentRules.decode(header, content);
  }

  /** Returns an {@link EntryHeader} or a {@link Verification.Invalid}. */
  private static Object decodeHeader(byte[] entryBytes) {
    Entry e;
    try {
      e = Entry.parseFrom(entryBytes);
    } catch (InvalidProtocolBufferException ex) {
      return Verification.Invalid.of(
          RejectReason.MALFORMED_ENTRY, "entry header does not decode: %s", ex.getMessage());
    }
    // 2. One entry, one encoding: otherwise a relay could re-encode an entry under a new id.
    if (!e.getUnknownFields().asMap().isEmpty()) {
      return Verification.Invalid.of(
          RejectReason.NON_CANONICAL_ENTRY,
          "entry header has unknown fields %s",
          e.getUnknownFields().asMap().keySet());
    }
    if (!Arrays.equals(e.toByteArray(), entryBytes)) {
      return Verification.Invalid.of(
          RejectReason.NON_CANONICAL_ENTRY,
          "entry header is not canonically encoded (field order, default values or varint form)");
    }
    // 3. Fields.
    if (e.getVersion() != EntryCodec.ENTRY_VERSION) {
      return Verification.Invalid.of(
          RejectReason.UNSUPPORTED_VERSION,
          "entry version %d, this reader knows %d",
          e.getVersion(),
          EntryCodec.ENTRY_VERSION);
    }
    if (e.getIdentity().size() != Limits.PUBLIC_KEY_BYTES
        || e.getAuthor().size() != Limits.PUBLIC_KEY_BYTES) {
      return Verification.Invalid.of(
          RejectReason.BAD_KEY,
          "identity is %d bytes and author %d bytes, both must be %d",
          e.getIdentity().size(),
          e.getAuthor().size(),
          Limits.PUBLIC_KEY_BYTES);
    }
    long seq = e.getSeq();
    if (seq < 1) { // Also catches uint64 values of 2^63 and above, which Java sees as negative.
      return Verification.Invalid.of(
          RejectReason.BAD_SEQ, "seq %s, must be 1 to 2^63-1", Long.toUnsignedString(seq));
    }
    EntryId prev = null;
    if (seq == 1) {
      if (!e.getPrev().isEmpty()) {
        return Verification.Invalid.of(
            RejectReason.BAD_PREV, "seq 1 must not name a previous entry");
      }
    } else if (e.getPrev().size() != Limits.HASH_BYTES) {
      return Verification.Invalid.of(
          RejectReason.BAD_PREV,
          "seq %d names a previous entry of %d bytes, must be %d",
          seq,
          e.getPrev().size(),
          Limits.HASH_BYTES);
    } else {
      prev = EntryId.of(e.getPrev().toByteArray());
    }
    if (e.getTimestampMs() <= 0) {
      return Verification.Invalid.of(
          RejectReason.BAD_TIMESTAMP, "timestamp %d is not after 1970", e.getTimestampMs());
    }
    int kindNumber = e.getKindValue();
    if (kindNumber <= 0) {
      return Verification.Invalid.of(RejectReason.BAD_KIND, "kind %d", kindNumber);
    }
    if (e.getContentHash().size() != Limits.HASH_BYTES) {
      return Verification.Invalid.of(
          RejectReason.MALFORMED_ENTRY,
          "content hash of %d bytes, must be %d",
          e.getContentHash().size(),
          Limits.HASH_BYTES);
    }
    if (e.getContentSize() < 0 || e.getContentSize() > Limits.MAX_CONTENT_BYTES) {
      return Verification.Invalid.of(
          RejectReason.CONTENT_TOO_LARGE,
          "declared content of %s bytes, at most %d",
          Long.toUnsignedString(e.getContentSize()),
          Limits.MAX_CONTENT_BYTES);
    }
    ContentKind kind = ContentKind.ofNumber(kindNumber);
    EntryHeader header =
        new EntryHeader(
            Identity.of(AuthorKey.of(e.getIdentity().toByteArray())),
            AuthorKey.of(e.getAuthor().toByteArray()),
            seq,
            prev,
            e.getTimestampMs(),
            kind,
            kindNumber,
            ContentHash.of(e.getContentHash().toByteArray()),
            e.getContentSize());
    // 4. Root logs hold delegations and revocations; device logs hold everything else.
    // Unknown kinds are allowed in both, for readers older than the writer.
    if (kind != ContentKind.UNKNOWN && kind.rootLogOnly() != header.inRootLog()) {
      return Verification.Invalid.of(
          RejectReason.KIND_NOT_ALLOWED_IN_LOG,
          "%s is not allowed in a %s log",
          kind,
          header.inRootLog() ? "root" : "device");
    }
    return header;
  }
}
