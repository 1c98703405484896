package org.grapevine.node.storage;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import org.grapevine.protocol.entry.EntryId;
import org.grapevine.protocol.identity.AuthorKey;
import org.grapevine.protocol.identity.Identity;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksIterator;

/** {@link RocksPostStore}'s queries that walk keys rather than read values. */
final class KeyScans {
  private KeyScans() {}

  /**
   * Ids of held entries whose hex form starts with {@code hexPrefix}, in id order, at most {@code
   * max} ({@link PostStore#entryIdsWithPrefix}).
   */
  static List<EntryId> entryIdsWithPrefix(RocksDB db, ColumnFamilies f, String hexPrefix, int max) {
    if (!hexPrefix.matches("[0-9a-f]{1,64}") || max < 0) {
      throw new IllegalArgumentException(
          "not a lower-case hex prefix of an entry id: " + hexPrefix);
    }
    // Whole bytes narrow the seek; an odd last digit is checked on the hex form.
    byte[] whole =
        java.util.HexFormat.of().parseHex(hexPrefix.substring(0, hexPrefix.length() & ~1));
    byte[] prefix = key(KeyPrefix.ENTRY_BY_ID, whole);
    List<EntryId> out = new ArrayList<>();
    try (RocksIterator it = db.newIterator(f.indexes())) {
      for (it.seek(prefix);
          it.isValid() && RocksPostStore.startsWith(it.key(), prefix) && out.size() < max;
          it.next()) {
        EntryId id = EntryId.of(Arrays.copyOfRange(it.key(), 1, it.key().length));
        if (id.hexStartsWith(hexPrefix)) {
          out.add(id);
        }
      }
    }
    return out;
  }

  /**
   * {@link PostStore#counts}: four prefix scans that read index rows only; rows whose value (author
   * first) names an author in {@code except} are left out.
   */
  static EntryCounts counts(RocksDB db, ColumnFamilies f, EntryId id, Set<AuthorKey> except) {
    Predicate<byte[]> counted =
        except.isEmpty()
            ? v -> true
            : v -> !except.contains(AuthorKey.of(Arrays.copyOfRange(v, 0, Keys.KEY_BYTES)));
    java.util.SortedMap<String, Long> reactions = new java.util.TreeMap<>();
    eachValue(
        db,
        f,
        Keys.reactionPrefix(id),
        v -> {
          if (counted.test(v)) {
            reactions.merge(Values.reactionEmoji(v), 1L, Long::sum);
          }
        });
    long[] n = new long[3];
    eachValue(db, f, Keys.replyPrefix(id), v -> n[0] += counted.test(v) ? 1 : 0);
    eachValue(db, f, Keys.repostPrefix(id), v -> n[1] += counted.test(v) ? 1 : 0);
    eachValue(db, f, Keys.quotePrefix(id), v -> n[2] += counted.test(v) ? 1 : 0);
    return new EntryCounts(n[0], n[1], n[2], reactions);
  }

  /** Hands {@code each} the value of every index row under {@code prefix}, in key order. */
  private static void eachValue(
      RocksDB db, ColumnFamilies f, byte[] prefix, java.util.function.Consumer<byte[]> each) {
    try (RocksIterator it = db.newIterator(f.indexes())) {
      for (it.seek(prefix);
          it.isValid() && RocksPostStore.startsWith(it.key(), prefix);
          it.next()) {
        each.accept(it.value());
      }
    }
  }

  /** Identities with at least one device row, in order ({@link PostStore#identities}). */
  static Set<Identity> identities(RocksDB db, ColumnFamilies f) {
    Set<Identity> out = new TreeSet<>();
    byte[] prefix = Keys.prefixOnly(KeyPrefix.DEVICE);
    try (RocksIterator it = db.newIterator(f.devices())) {
      it.seek(prefix);
      while (it.isValid() && RocksPostStore.startsWith(it.key(), prefix)) {
        Identity identity = Identity.of(Arrays.copyOfRange(it.key(), 1, 1 + Keys.KEY_BYTES));
        out.add(identity);
        // Skip the identity's other devices: <DEVICE, root, ff * 32, 00> sorts after all of them.
        byte[] past =
            Arrays.copyOf(Keys.devicePrefix(identity), 1 + Keys.KEY_BYTES + Keys.KEY_BYTES + 1);
        Arrays.fill(past, 1 + Keys.KEY_BYTES, past.length - 1, (byte) 0xff);
        it.seek(past);
      }
    }
    return out;
  }

  private static byte[] key(KeyPrefix prefix, byte[] rest) {
    byte[] k = new byte[1 + rest.length];
    k[0] = prefix.value();
    System.arraycopy(rest, 0, k, 1, rest.length);
    return k;
  }
}
