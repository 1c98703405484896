package org.grapevine.node.storage;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.grapevine.protocol.entry.ContentHash;
import org.grapevine.protocol.entry.EntryId;
import org.grapevine.protocol.identity.AuthorKey;
import org.grapevine.protocol.identity.Identity;

/**
 * Every key of the store. Numbers are 8-byte big-endian, so RocksDB's unsigned byte order is
 * numeric order (all seqs and timestamps stored are positive). Keys and ids are 32 bytes. The
 * column family of each key is named in its doc line.
 */
final class Keys {
  static final int KEY_BYTES = 32;
  static final int ID_BYTES = 32;
  static final int LONG_BYTES = 8;

  private Keys() {}

  /**
   * entries: {@code <ENTRY, author (32), seq (8)>}: prefix iteration over an author is seq order.
   */
  static byte[] entry(AuthorKey author, long seq) {
    return key(KeyPrefix.ENTRY, 1 + KEY_BYTES + LONG_BYTES)
        .put(author.unsafeBytes())
        .putLong(seq)
        .array();
  }

  /** entries: {@code <ENTRY, author (32)>}: the prefix of one author's log. */
  static byte[] entryPrefix(AuthorKey author) {
    return key(KeyPrefix.ENTRY, 1 + KEY_BYTES).put(author.unsafeBytes()).array();
  }

  /**
   * entries: {@code <LOOSE, author (32), seq (8)>}: a loose entry (an addressed entry held outside
   * its author's chain), laid out as {@link #entry} so that index rows point at it the same way.
   */
  static byte[] loose(AuthorKey author, long seq) {
    return key(KeyPrefix.LOOSE, 1 + KEY_BYTES + LONG_BYTES)
        .put(author.unsafeBytes())
        .putLong(seq)
        .array();
  }

  /** entries: {@code <LOOSE, author (32)>}: the prefix of one author's loose entries. */
  static byte[] loosePrefix(AuthorKey author) {
    return key(KeyPrefix.LOOSE, 1 + KEY_BYTES).put(author.unsafeBytes()).array();
  }

  /**
   * content: {@code <CONTENT, content hash (32), entry id (32)>}: by hash first (fetch by hash is a
   * prefix seek); the entry id keeps two entries with equal content apart, so deleting one's
   * content never drops the other's.
   */
  static byte[] content(ContentHash hash, EntryId id) {
    return key(KeyPrefix.CONTENT, 1 + ID_BYTES + ID_BYTES)
        .put(hash.unsafeBytes())
        .put(id.unsafeBytes())
        .array();
  }

  /** content: {@code <CONTENT, content hash (32)>}. */
  static byte[] contentPrefix(ContentHash hash) {
    return key(KeyPrefix.CONTENT, 1 + ID_BYTES).put(hash.unsafeBytes()).array();
  }

  /**
   * entries: {@code <FORK, identity root (32), author (32), incoming seq (8), incoming id (32)>}.
   */
  static byte[] fork(Identity identity, AuthorKey author, long seq, EntryId incoming) {
    return key(KeyPrefix.FORK, 1 + KEY_BYTES + KEY_BYTES + LONG_BYTES + ID_BYTES)
        .put(identity.root().unsafeBytes())
        .put(author.unsafeBytes())
        .putLong(seq)
        .put(incoming.unsafeBytes())
        .array();
  }

  /** entries: {@code <FORK>}, the prefix of every fork row. */
  static byte[] allForks() {
    return new byte[] {KeyPrefix.FORK.value()};
  }

  /** The identity root of a {@link #fork} key. */
  static byte[] forkIdentityRoot(byte[] forkKey) {
    return Arrays.copyOfRange(forkKey, 1, 1 + KEY_BYTES);
  }

  /** entries: {@code <FORK, identity root (32)>}. */
  static byte[] forkPrefix(Identity identity) {
    return identityKey(KeyPrefix.FORK, identity);
  }

  /** local: {@code <FOLLOW, identity root (32)>}, empty value. */
  static byte[] follow(Identity identity) {
    return identityKey(KeyPrefix.FOLLOW, identity);
  }

  /** local: {@code <MUTE, identity root (32)>}, empty value. */
  static byte[] mute(Identity identity) {
    return identityKey(KeyPrefix.MUTE, identity);
  }

  /** local: {@code <BLOCK, identity root (32)>}, empty value. */
  static byte[] block(Identity identity) {
    return identityKey(KeyPrefix.BLOCK, identity);
  }

  /** local: {@code <PEER, peer id text (UTF-8)>}, value: addresses text (UTF-8). */
  static byte[] peer(String peerId) {
    byte[] text = peerId.getBytes(StandardCharsets.UTF_8);
    return key(KeyPrefix.PEER, 1 + text.length).put(text).array();
  }

  /** meta: {@code <SCHEMA_VERSION>}, value: version (4, big-endian). */
  static byte[] schemaVersion() {
    return prefixOnly(KeyPrefix.SCHEMA_VERSION);
  }

  /** meta: {@code <METADATA, name (UTF-8)>}, value: opaque bytes. */
  static byte[] metadata(String name) {
    byte[] text = name.getBytes(StandardCharsets.UTF_8);
    return key(KeyPrefix.METADATA, 1 + text.length).put(text).array();
  }

  /** heads: {@code <HEAD, author (32)>}, value: contiguous head seq (8) ‖ its entry id (32). */
  static byte[] head(AuthorKey author) {
    return key(KeyPrefix.HEAD, 1 + KEY_BYTES).put(author.unsafeBytes()).array();
  }

  /**
   * devices: {@code <DEVICE, identity root (32), device (32)>}, value: state (1) ‖ last valid seq
   * (8).
   */
  static byte[] device(Identity identity, AuthorKey device) {
    return key(KeyPrefix.DEVICE, 1 + KEY_BYTES + KEY_BYTES)
        .put(identity.root().unsafeBytes())
        .put(device.unsafeBytes())
        .array();
  }

  /** devices: {@code <DEVICE, identity root (32)>}: every device row of one identity. */
  static byte[] devicePrefix(Identity identity) {
    return identityKey(KeyPrefix.DEVICE, identity);
  }

  /** indexes: {@code <ENTRY_BY_ID, entry id (32)>}, value: author (32) ‖ seq (8). */
  static byte[] entryById(EntryId id) {
    return key(KeyPrefix.ENTRY_BY_ID, 1 + ID_BYTES).put(id.unsafeBytes()).array();
  }

  /**
   * indexes: {@code <TIME, identity root (32), timestamp ms (8), entry id (32)>}, value: author
   * (32) ‖ seq (8). Posts and reposts only; backwards iteration is a timeline, newest first.
   */
  static byte[] time(Identity identity, long timestampMillis, EntryId id) {
    return time(KeyPrefix.TIME, identity, timestampMillis, id);
  }

  /**
   * indexes: a TIME-like key under {@code prefix} ({@link KeyPrefix#TIME}, or {@link
   * KeyPrefix#NOTIFY}: {@code <NOTIFY, addressee root (32), timestamp ms (8), entry id (32)>},
   * value: author (32) ‖ seq (8), one row per identity an entry addresses other than its writer).
   */
  static byte[] time(KeyPrefix prefix, Identity identity, long timestampMillis, EntryId id) {
    return timeRaw(prefix, identity, timestampMillis, id.unsafeBytes());
  }

  /** indexes: the greatest possible key under {@code prefix} of the identity at that time. */
  static byte[] timeLast(KeyPrefix prefix, Identity identity, long timestampMillis) {
    byte[] ff = new byte[ID_BYTES];
    java.util.Arrays.fill(ff, (byte) 0xff);
    return timeRaw(prefix, identity, timestampMillis, ff);
  }

  /** indexes: {@code <prefix, identity root (32)>}. */
  static byte[] timePrefix(KeyPrefix prefix, Identity identity) {
    return identityKey(prefix, identity);
  }

  /**
   * indexes: {@code <REPLY, parent id (32), child id (32)>}, value: child author (32) ‖ seq (8).
   */
  static byte[] reply(EntryId parent, EntryId child) {
    return pair(KeyPrefix.REPLY, parent, child);
  }

  /** indexes: {@code <REPLY, parent id (32)>}. */
  static byte[] replyPrefix(EntryId parent) {
    return key(KeyPrefix.REPLY, 1 + ID_BYTES).put(parent.unsafeBytes()).array();
  }

  /**
   * indexes: {@code <REACTION, target id (32), reaction entry id (32)>}, value: author (32) ‖ seq
   * (8) ‖ emoji (UTF-8, at most the protocol's emoji bound): counting reactions per emoji is one
   * prefix scan that reads no entry.
   */
  static byte[] reaction(EntryId target, EntryId reaction) {
    return pair(KeyPrefix.REACTION, target, reaction);
  }

  /** indexes: {@code <REACTION, target id (32)>}. */
  static byte[] reactionPrefix(EntryId target) {
    return key(KeyPrefix.REACTION, 1 + ID_BYTES).put(target.unsafeBytes()).array();
  }

  /**
   * indexes: {@code <REPOST, original id (32), repost entry id (32)>}, value: author (32) ‖ seq
   * (8).
   */
  static byte[] repost(EntryId original, EntryId repost) {
    return pair(KeyPrefix.REPOST, original, repost);
  }

  /** indexes: {@code <REPOST, original id (32)>}. */
  static byte[] repostPrefix(EntryId original) {
    return key(KeyPrefix.REPOST, 1 + ID_BYTES).put(original.unsafeBytes()).array();
  }

  /** indexes: {@code <QUOTE, quoted id (32), quote post id (32)>}, value: author (32) ‖ seq (8). */
  static byte[] quote(EntryId quoted, EntryId quotePost) {
    return pair(KeyPrefix.QUOTE, quoted, quotePost);
  }

  /** indexes: {@code <QUOTE, quoted id (32)>}. */
  static byte[] quotePrefix(EntryId quoted) {
    return key(KeyPrefix.QUOTE, 1 + ID_BYTES).put(quoted.unsafeBytes()).array();
  }

  /** indexes: {@code <STORED_BYTES, identity root (32)>}, value: content bytes held (8). */
  static byte[] storedBytes(Identity identity) {
    return identityKey(KeyPrefix.STORED_BYTES, identity);
  }

  /**
   * indexes: {@code <MISSING, identity root (32), content hash (32), entry id (32)>}, value: author
   * (32) ‖ seq (8) ‖ content size (8). An entry held without its content and not deleted (no held
   * delete names it): its content is missing and is fetched by hash. By identity first, so the
   * fetcher lists one identity's missing content with a prefix scan; then by hash, so content that
   * arrives fills every entry that lacks it with one more prefix scan.
   */
  static byte[] missing(Identity identity, ContentHash hash, EntryId id) {
    return key(KeyPrefix.MISSING, 1 + KEY_BYTES + ID_BYTES + ID_BYTES)
        .put(identity.root().unsafeBytes())
        .put(hash.unsafeBytes())
        .put(id.unsafeBytes())
        .array();
  }

  /** indexes: {@code <MISSING, identity root (32)>}. */
  static byte[] missingPrefix(Identity identity) {
    return identityKey(KeyPrefix.MISSING, identity);
  }

  /** indexes: {@code <MISSING, identity root (32), content hash (32)>}. */
  static byte[] missingPrefix(Identity identity, ContentHash hash) {
    return key(KeyPrefix.MISSING, 1 + KEY_BYTES + ID_BYTES)
        .put(identity.root().unsafeBytes())
        .put(hash.unsafeBytes())
        .array();
  }

  /**
   * indexes: {@code <TOMBSTONE, target id (32), identity root (32)>}, value: the ids (32 each, in
   * id order) of the identity's held deletes that name the target. One row per (target, deleting
   * identity), so the check made for every entry applied ("does a held delete of my identity name
   * me?") is a point read, which the bloom filter answers for the common "no" without reading a
   * block. Kept while one of those deletes is held, whether or not the target is: a target that
   * arrives later is stored without its content. A delete by another identity deletes nothing, so
   * its row never matches its target's identity.
   */
  static byte[] tombstone(EntryId target, Identity identity) {
    return key(KeyPrefix.TOMBSTONE, 1 + ID_BYTES + KEY_BYTES)
        .put(target.unsafeBytes())
        .put(identity.root().unsafeBytes())
        .array();
  }

  /** The one-byte key {@code <prefix>}: the start of the prefix's range. */
  static byte[] prefixOnly(KeyPrefix prefix) {
    return new byte[] {prefix.value()};
  }

  /** author (32) ‖ seq (8): the value of the index rows that point at an entry. */
  static byte[] location(AuthorKey author, long seq) {
    return ByteBuffer.allocate(KEY_BYTES + LONG_BYTES)
        .put(author.unsafeBytes())
        .putLong(seq)
        .array();
  }

  private static byte[] timeRaw(
      KeyPrefix prefix, Identity identity, long timestampMillis, byte[] id) {
    return key(prefix, 1 + KEY_BYTES + LONG_BYTES + ID_BYTES)
        .put(identity.root().unsafeBytes())
        .putLong(timestampMillis)
        .put(id)
        .array();
  }

  private static byte[] pair(KeyPrefix prefix, EntryId first, EntryId second) {
    return key(prefix, 1 + ID_BYTES + ID_BYTES)
        .put(first.unsafeBytes())
        .put(second.unsafeBytes())
        .array();
  }

  private static byte[] identityKey(KeyPrefix prefix, Identity identity) {
    return key(prefix, 1 + KEY_BYTES).put(identity.root().unsafeBytes()).array();
  }

  private static ByteBuffer key(KeyPrefix prefix, int length) {
    return ByteBuffer.allocate(length).put(prefix.value());
  }
}
