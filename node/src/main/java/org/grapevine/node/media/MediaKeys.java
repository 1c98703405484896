package org.grapevine.node.media;

import java.nio.ByteBuffer;
import org.grapevine.libp2p.bitswap.Cid;
import org.grapevine.protocol.entry.EntryId;

/**
 * Keys of the media index (its own RocksDB under {@code <media>/index}). CIDs are always {@link
 * MediaCids#CID_BYTES} (36) bytes, entry ids and author keys 32, so every key is fixed-width and a
 * prefix scan never runs into a longer neighbour. First bytes are never renumbered.
 */
final class MediaKeys {
  static final byte ROOT = 1;
  static final byte REF_BY_ROOT = 2;
  static final byte REF_BY_ENTRY = 3;
  static final byte AUTHOR_BYTES = 4;
  static final byte AUTHOR_ROOT = 5;
  static final byte BLOCK_USE = 6;
  static final byte HELD = 7;
  static final byte TOTALS = 8;
  static final byte NAMED = 9;
  static final byte NAMED_BY_ENTRY = 10;

  private MediaKeys() {}

  /** {@code <ROOT, root>} → declared file bytes (8): a referenced file. */
  static byte[] root(Cid root) {
    return key(ROOT, root.bytes());
  }

  /** {@code <REF_BY_ROOT, root, entry>} → author key (32): which entries refer to a file. */
  static byte[] refByRoot(Cid root, EntryId entry) {
    return key(REF_BY_ROOT, root.bytes(), entry.unsafeBytes());
  }

  /** {@code <REF_BY_ENTRY, entry, root>} → author key (32): which files an entry refers to. */
  static byte[] refByEntry(EntryId entry, Cid root) {
    return key(REF_BY_ENTRY, entry.unsafeBytes(), root.bytes());
  }

  /** {@code <AUTHOR_BYTES, author>} → declared bytes (8) of the author's distinct files. */
  static byte[] authorBytes(byte[] author) {
    return key(AUTHOR_BYTES, author);
  }

  /** {@code <AUTHOR_ROOT, author, root>} → how many of the author's entries refer to it (4). */
  static byte[] authorRoot(byte[] author, Cid root) {
    return key(AUTHOR_ROOT, author, root.bytes());
  }

  /**
   * {@code <BLOCK_USE, block, root>} → empty: the block belongs to that referenced file (the root
   * itself from the first reference, its leaves once the root is held). A block is wanted while it
   * has a row, and deleted with its last one: shared leaves are stored once.
   */
  static byte[] blockUse(Cid block, Cid root) {
    return key(BLOCK_USE, block.bytes(), root.bytes());
  }

  /** {@code <HELD, block>} → block bytes (4): a block file on disk. */
  static byte[] held(Cid block) {
    return key(HELD, block.bytes());
  }

  /**
   * {@code <NAMED, root, entry>} → author key (32) and declared file bytes (8): a held entry names
   * the file, but the node does not keep it (its author is not followed) until someone opens it.
   * Counted in no budget.
   */
  static byte[] named(Cid root, EntryId entry) {
    return key(NAMED, root.bytes(), entry.unsafeBytes());
  }

  /** {@code <NAMED_BY_ENTRY, entry, root>} → empty: the names an entry gave. */
  static byte[] namedByEntry(EntryId entry, Cid root) {
    return key(NAMED_BY_ENTRY, entry.unsafeBytes(), root.bytes());
  }

  /** {@code <TOTALS>} → referenced bytes (8), stored bytes (8), stored blocks (8). */
  static byte[] totals() {
    return new byte[] {TOTALS};
  }

  static byte[] key(byte prefix, byte[]... parts) {
    int n = 1;
    for (byte[] p : parts) {
      n += p.length;
    }
    ByteBuffer b = ByteBuffer.allocate(n).put(prefix);
    for (byte[] p : parts) {
      b.put(p);
    }
    return b.array();
  }
}
