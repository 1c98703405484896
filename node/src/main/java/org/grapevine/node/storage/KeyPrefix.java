package org.grapevine.node.storage;

/**
 * First byte of every key in every column family. Never renumber; retire a value by commenting it
 * out. Primary records sit in the low range (1-85), indexes and derived records in the high range
 * (86-255), as in Hubble, so one can tell a key's nature from its first byte.
 */
enum KeyPrefix {
  // Primary records.
  ENTRY(1),
  CONTENT(2),
  FORK(3),
  FOLLOW(4),
  MUTE(5),
  PEER(6),
  SCHEMA_VERSION(7),
  METADATA(8),
  /** Identities this node blocks (issue 15): local and private, like MUTE. */
  BLOCK(9),
  /**
   * Loose entries (issue 15): addressed entries of identities whose logs are not held, stored
   * beside the logs until their chain arrives; same layout as ENTRY.
   */
  LOOSE(16),

  // Derived records: everything below is recomputed by RocksPostStore.rebuildIndexes().
  HEAD(86),
  DEVICE(87),
  ENTRY_BY_ID(88),
  TIME(89),
  REPLY(90),
  REACTION(91),
  STORED_BYTES(92),
  /** Entries held without their content that no held delete explains: content to fetch. */
  MISSING(93),
  /**
   * Targets of held deletes, by the deleting identity: a target of the same identity that arrives
   * after its delete is stored without its content (issue 12).
   */
  TOMBSTONE(94),
  /** Reposts by the entry they repost (issue 15: repost counts). */
  REPOST(95),
  /** Quote posts by the entry they quote (issue 15: quote counts). */
  QUOTE(96),
  /**
   * Entries by the identity they address ({@code Addressees}), laid out as TIME rows: an identity's
   * notifications (issue 15).
   */
  NOTIFY(100);

  private final byte value;

  KeyPrefix(int value) {
    this.value = (byte) value;
  }

  byte value() {
    return value;
  }
}
