package org.grapevine.node.storage;

import com.google.protobuf.InvalidProtocolBufferException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.grapevine.protocol.entry.ContentHash;
import org.grapevine.protocol.entry.ContentKind;
import org.grapevine.protocol.entry.EntryHeader;
import org.grapevine.protocol.entry.EntryId;
import org.grapevine.protocol.entry.SignedEntry;
import org.grapevine.protocol.identity.AuthorKey;
import org.grapevine.protocol.identity.Identity;
import org.grapevine.protocol.proto.Content;
import org.grapevine.protocol.proto.Entry;
import org.grapevine.protocol.proto.Envelope;
import org.grapevine.protocol.validation.DeviceStatus;

/**
 * Value layouts. Values only ever hold what this node verified before writing, so decoding them
 * trusts the bytes (no signature check); a value that does not decode is corruption and throws
 * {@link IllegalStateException}.
 *
 * <pre>
 *   entry value  = entry id (32) ‖ Envelope { entry, signature } (no content)
 *   head value   = seq (8) ‖ entry id (32)
 *   device value = state (1: 1 ACTIVE, 2 REVOKED) ‖ last valid seq (8)
 *   fork value   = held entry value length (4) ‖ held entry value ‖ incoming entry value
 *   location     = author (32) ‖ seq (8)
 *   missing      = author (32) ‖ seq (8) ‖ content size (8)
 * </pre>
 */
final class Values {
  private static final byte ACTIVE = 1;
  private static final byte REVOKED = 2;

  private Values() {}

  static byte[] entry(SignedEntry signed) {
    byte[] envelope = signed.toEnvelopeBytes();
    return ByteBuffer.allocate(Keys.ID_BYTES + envelope.length)
        .put(signed.id().unsafeBytes())
        .put(envelope)
        .array();
  }

  static SignedEntry entry(byte[] value) {
    try {
      EntryId id = EntryId.of(Arrays.copyOfRange(value, 0, Keys.ID_BYTES));
      Envelope envelope =
          Envelope.parseFrom(ByteBuffer.wrap(value, Keys.ID_BYTES, value.length - Keys.ID_BYTES));
      byte[] entryBytes = envelope.getEntry().toByteArray();
      Entry e = Entry.parseFrom(entryBytes);
      EntryHeader header =
          new EntryHeader(
              Identity.of(e.getIdentity().toByteArray()),
              AuthorKey.of(e.getAuthor().toByteArray()),
              e.getSeq(),
              e.getPrev().isEmpty() ? null : EntryId.of(e.getPrev().toByteArray()),
              e.getTimestampMs(),
              ContentKind.ofNumber(e.getKindValue()),
              e.getKindValue(),
              ContentHash.of(e.getContentHash().toByteArray()),
              e.getContentSize());
      return SignedEntry.ofVerified(header, entryBytes, envelope.getSignature().toByteArray(), id);
    } catch (InvalidProtocolBufferException | IllegalArgumentException e) {
      throw new IllegalStateException("stored entry does not decode: " + e.getMessage(), e);
    }
  }

  /** The decoded content of a stored entry; null for a kind this version does not know. */
  static Content content(EntryHeader header, byte[] bytes) {
    if (header.kind() == ContentKind.UNKNOWN) {
      return null;
    }
    try {
      return Content.parseFrom(bytes);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException(
          "stored content of " + header.author() + "#" + header.seq() + " does not decode", e);
    }
  }

  static byte[] head(long seq, EntryId id) {
    return ByteBuffer.allocate(Keys.LONG_BYTES + Keys.ID_BYTES)
        .putLong(seq)
        .put(id.unsafeBytes())
        .array();
  }

  static long headSeq(byte[] value) {
    return value == null ? 0 : ByteBuffer.wrap(value).getLong();
  }

  static EntryId headId(byte[] value) {
    return EntryId.of(Arrays.copyOfRange(value, Keys.LONG_BYTES, value.length));
  }

  static byte[] device(DeviceStatus status) {
    byte state =
        switch (status.state()) {
          case ACTIVE -> ACTIVE;
          case REVOKED -> REVOKED;
          case UNKNOWN ->
              throw new IllegalArgumentException("UNKNOWN is the absence of a device row");
        };
    return ByteBuffer.allocate(1 + Keys.LONG_BYTES)
        .put(state)
        .putLong(status.lastValidSeq())
        .array();
  }

  static DeviceStatus device(byte[] value) {
    if (value == null) {
      return DeviceStatus.UNKNOWN;
    }
    ByteBuffer b = ByteBuffer.wrap(value);
    byte state = b.get();
    long last = b.getLong();
    return state == ACTIVE ? DeviceStatus.ACTIVE : DeviceStatus.revoked(last);
  }

  static byte[] fork(SignedEntry held, SignedEntry incoming) {
    byte[] a = entry(held);
    byte[] b = entry(incoming);
    return ByteBuffer.allocate(4 + a.length + b.length).putInt(a.length).put(a).put(b).array();
  }

  static ForkEvidence fork(byte[] value) {
    int heldLength = ByteBuffer.wrap(value).getInt();
    return new ForkEvidence(
        entry(Arrays.copyOfRange(value, 4, 4 + heldLength)),
        entry(Arrays.copyOfRange(value, 4 + heldLength, value.length)));
  }

  static byte[] longValue(long v) {
    return ByteBuffer.allocate(Keys.LONG_BYTES).putLong(v).array();
  }

  static long longValue(byte[] value) {
    return value == null ? 0 : ByteBuffer.wrap(value).getLong();
  }

  static AuthorKey locationAuthor(byte[] value) {
    return AuthorKey.of(Arrays.copyOfRange(value, 0, Keys.KEY_BYTES));
  }

  /** A REACTION row's value: author (32) ‖ seq (8) ‖ emoji (UTF-8). */
  static byte[] reaction(byte[] location, String emoji) {
    byte[] text = emoji.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    return ByteBuffer.allocate(location.length + text.length).put(location).put(text).array();
  }

  /** The emoji of a {@link #reaction} row's value. */
  static String reactionEmoji(byte[] value) {
    int at = Keys.KEY_BYTES + Keys.LONG_BYTES;
    return new String(value, at, value.length - at, java.nio.charset.StandardCharsets.UTF_8);
  }

  static long locationSeq(byte[] value) {
    return ByteBuffer.wrap(value, Keys.KEY_BYTES, Keys.LONG_BYTES).getLong();
  }

  /** A MISSING row's value: author (32) ‖ seq (8) ‖ content size (8). */
  static byte[] missing(EntryHeader h) {
    return ByteBuffer.allocate(Keys.KEY_BYTES + 2 * Keys.LONG_BYTES)
        .put(h.author().unsafeBytes())
        .putLong(h.seq())
        .putLong(h.contentSize())
        .array();
  }

  /** A MISSING row, key and value, as the store's callers see it. */
  static MissingContent missing(byte[] key, byte[] value) {
    int at = 1 + Keys.KEY_BYTES;
    Identity identity = Identity.of(Arrays.copyOfRange(key, 1, at));
    ContentHash hash = ContentHash.of(Arrays.copyOfRange(key, at, at + Keys.ID_BYTES));
    EntryId id = EntryId.of(Arrays.copyOfRange(key, at + Keys.ID_BYTES, key.length));
    ByteBuffer v = ByteBuffer.wrap(value);
    byte[] author = new byte[Keys.KEY_BYTES];
    v.get(author);
    return new MissingContent(identity, id, AuthorKey.of(author), v.getLong(), hash, v.getLong());
  }

  /** A TOMBSTONE row's value: the delete ids, 32 bytes each, in id order. */
  static byte[] tombstone(java.util.SortedSet<EntryId> deletes) {
    ByteBuffer out = ByteBuffer.allocate(deletes.size() * Keys.ID_BYTES);
    deletes.forEach(id -> out.put(id.unsafeBytes()));
    return out.array();
  }

  /** The delete ids of a TOMBSTONE row's value (empty for null: no row). */
  static java.util.SortedSet<EntryId> tombstone(byte[] value) {
    java.util.TreeSet<EntryId> out = new java.util.TreeSet<>();
    for (int at = 0; value != null && at + Keys.ID_BYTES <= value.length; at += Keys.ID_BYTES) {
      out.add(EntryId.of(Arrays.copyOfRange(value, at, at + Keys.ID_BYTES)));
    }
    return out;
  }
}
