package org.grapevine.node.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;
import org.grapevine.protocol.entry.ContentHash;
import org.grapevine.protocol.entry.EntryId;
import org.grapevine.protocol.identity.AuthorKey;
import org.grapevine.protocol.identity.Identity;
import org.grapevine.protocol.testing.TestAuthors;
import org.junit.jupiter.api.Test;

class KeysTest {
  private static final AuthorKey AUTHOR = TestAuthors.key("a").publicKey();
  private static final Identity IDENTITY = Identity.of(TestAuthors.key("root").publicKey());

  @Test
  void entry_seqsAcrossByteBoundaries_sortInNumericOrder() {
    long[] seqs = {1, 2, 255, 256, 65_535, 65_536, 1L << 32, Long.MAX_VALUE};
    for (int i = 1; i < seqs.length; i++) {
      assertThat(
              Arrays.compareUnsigned(Keys.entry(AUTHOR, seqs[i - 1]), Keys.entry(AUTHOR, seqs[i])))
          .isNegative();
    }
    assertThat(Keys.entry(AUTHOR, 1)).hasSize(1 + 32 + 8).startsWith(Keys.entryPrefix(AUTHOR));
  }

  @Test
  void time_timestampsThenIds_sortInNumericOrder() {
    EntryId low = EntryId.of(new byte[32]);
    byte[] ff = new byte[32];
    Arrays.fill(ff, (byte) 0xff);
    EntryId high = EntryId.of(ff);
    long t = TestAuthors.T0_MILLIS;
    assertThat(
            Arrays.compareUnsigned(Keys.time(IDENTITY, t, high), Keys.time(IDENTITY, t + 1, low)))
        .isNegative();
    assertThat(Arrays.compareUnsigned(Keys.time(IDENTITY, t, low), Keys.time(IDENTITY, t, high)))
        .isNegative();
    assertThat(Keys.timeLast(KeyPrefix.TIME, IDENTITY, t)).isEqualTo(Keys.time(IDENTITY, t, high));
    assertThat(Keys.time(IDENTITY, t, low))
        .hasSize(1 + 32 + 8 + 32)
        .startsWith(Keys.timePrefix(KeyPrefix.TIME, IDENTITY));
  }

  @Test
  void keyPrefix_values_areUnique() {
    Set<Byte> seen = new HashSet<>();
    for (KeyPrefix p : KeyPrefix.values()) {
      assertThat(seen.add(p.value())).as("%s", p).isTrue();
    }
  }

  /**
   * Every prefix's number and one key of its layout, byte for byte. On disk forever: renumbering a
   * prefix or reordering a key's fields silently corrupts every existing store, so each change
   * fails here; a new prefix fails until it is added to this table.
   */
  @Test
  void everyKeyPrefix_numberAndLayout_arePinned() {
    AuthorKey author = AuthorKey.of(filled(0xaa));
    Identity identity = Identity.of(filled(0xbb));
    EntryId id = EntryId.of(filled(0xcc));
    EntryId other = EntryId.of(filled(0xdd));
    ContentHash hash = ContentHash.of(filled(0xee));
    String a = "aa".repeat(32);
    String i = "bb".repeat(32);
    String c = "cc".repeat(32);
    String d = "dd".repeat(32);
    String seq = "0000000000000102"; // 258
    String ms = "0000019b76daa800"; // TestAuthors.T0_MILLIS
    Map<KeyPrefix, String> pinned = new EnumMap<>(KeyPrefix.class);
    pinned.put(KeyPrefix.ENTRY, hex(Keys.entry(author, 258)));
    pinned.put(KeyPrefix.CONTENT, hex(Keys.content(hash, id)));
    pinned.put(KeyPrefix.FORK, hex(Keys.fork(identity, author, 258, id)));
    pinned.put(KeyPrefix.FOLLOW, hex(Keys.follow(identity)));
    pinned.put(KeyPrefix.MUTE, hex(Keys.mute(identity)));
    pinned.put(KeyPrefix.BLOCK, hex(Keys.block(identity)));
    pinned.put(KeyPrefix.PEER, hex(Keys.peer("12D3")));
    pinned.put(KeyPrefix.SCHEMA_VERSION, hex(Keys.schemaVersion()));
    pinned.put(KeyPrefix.METADATA, hex(Keys.metadata("ab")));
    pinned.put(KeyPrefix.LOOSE, hex(Keys.loose(author, 258)));
    pinned.put(KeyPrefix.HEAD, hex(Keys.head(author)));
    pinned.put(KeyPrefix.DEVICE, hex(Keys.device(identity, author)));
    pinned.put(KeyPrefix.ENTRY_BY_ID, hex(Keys.entryById(id)));
    pinned.put(KeyPrefix.TIME, hex(Keys.time(identity, TestAuthors.T0_MILLIS, id)));
    pinned.put(KeyPrefix.REPLY, hex(Keys.reply(id, other)));
    pinned.put(KeyPrefix.REACTION, hex(Keys.reaction(id, other)));
    pinned.put(KeyPrefix.STORED_BYTES, hex(Keys.storedBytes(identity)));
    pinned.put(KeyPrefix.MISSING, hex(Keys.missing(identity, hash, id)));
    pinned.put(KeyPrefix.TOMBSTONE, hex(Keys.tombstone(id, identity)));
    pinned.put(KeyPrefix.REPOST, hex(Keys.repost(id, other)));
    pinned.put(
        KeyPrefix.NOTIFY, hex(Keys.time(KeyPrefix.NOTIFY, identity, TestAuthors.T0_MILLIS, id)));
    pinned.put(KeyPrefix.QUOTE, hex(Keys.quote(id, other)));

    assertThat(pinned).containsOnlyKeys(KeyPrefix.values());
    assertThat(pinned)
        .containsExactly(
            entry(KeyPrefix.ENTRY, "01" + a + seq),
            entry(KeyPrefix.CONTENT, "02" + "ee".repeat(32) + c),
            entry(KeyPrefix.FORK, "03" + i + a + seq + c),
            entry(KeyPrefix.FOLLOW, "04" + i),
            entry(KeyPrefix.MUTE, "05" + i),
            entry(KeyPrefix.PEER, "06" + "31324433"),
            entry(KeyPrefix.SCHEMA_VERSION, "07"),
            entry(KeyPrefix.METADATA, "08" + "6162"),
            entry(KeyPrefix.BLOCK, "09" + i),
            entry(KeyPrefix.LOOSE, "10" + a + seq),
            entry(KeyPrefix.HEAD, "56" + a),
            entry(KeyPrefix.DEVICE, "57" + i + a),
            entry(KeyPrefix.ENTRY_BY_ID, "58" + c),
            entry(KeyPrefix.TIME, "59" + i + ms + c),
            entry(KeyPrefix.REPLY, "5a" + c + d),
            entry(KeyPrefix.REACTION, "5b" + c + d),
            entry(KeyPrefix.STORED_BYTES, "5c" + i),
            entry(KeyPrefix.MISSING, "5d" + i + "ee".repeat(32) + c),
            entry(KeyPrefix.TOMBSTONE, "5e" + c + i),
            entry(KeyPrefix.REPOST, "5f" + c + d),
            entry(KeyPrefix.QUOTE, "60" + c + d),
            entry(KeyPrefix.NOTIFY, "64" + i + ms + c));
  }

  private static byte[] filled(int value) {
    byte[] b = new byte[32];
    Arrays.fill(b, (byte) value);
    return b;
  }

  private static String hex(byte[] key) {
    return HexFormat.of().formatHex(key);
  }
}
