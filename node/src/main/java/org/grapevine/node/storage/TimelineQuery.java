package org.grapevine.node.storage;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Set;
import org.grapevine.protocol.identity.Identity;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksIterator;
import org.rocksdb.Snapshot;

/**
 * A timeline page: one backwards iterator per identity over its TIME rows, merged newest first
 * by (timestamp, entry id). Runs on one snapshot, so a page never mixes two states of the store.
 */
final class TimelineQuery {
  /** Offset of (timestamp, id) in a TIME key: after the prefix byte and the identity. */
  private static final int ORDER_FROM = 1 + Keys.KEY_BYTES;

  private TimelineQuery() {}

  /** The locations (author ‖ seq) of the page's entries, newest first. */
  static List<byte[]> run(RocksDB db, ColumnFamilyHandle indexes, Set<Identity> identities, TimelineCursor before, int limit) {
    if (limit < 0) {
      throw new IllegalArgumentException("limit " + limit);
    }
    List<byte[]> out = new ArrayList<>();
    if (limit == 0 || identities.isEmpty() || (before.id() == null && before.timestampMillis() <= 0)) {
      return out;
    }
    Snapshot snapshot = db.getSnapshot();
    List<RocksIterator> iterators = new ArrayList<>();
    try (ReadOptions read = new ReadOptions().setSnapshot(snapshot)) {
      PriorityQueue<Cursor> queue = new PriorityQueue<>();
      for (Identity identity : identities) {
        RocksIterator it = db.newIterator(indexes, read);
        iterators.add(it);
        Cursor c = new Cursor(it, Keys.timePrefix(identity));
        byte[] start = before.id() == null
            ? Keys.timeLast(identity, before.timestampMillis() - 1)
            : Keys.time(identity, before.timestampMillis(), before.id());
        it.seekForPrev(start);
        if (before.id() != null && it.isValid() && Arrays.equals(it.key(), start)) {
          it.prev(); // The cursor itself was the last entry of the previous page.
        }
        if (c.load()) {
          queue.add(c);
        }
      }
      while (out.size() < limit && !queue.isEmpty()) {
        Cursor c = queue.poll();
        out.add(c.value);
        c.it.prev();
        if (c.load()) {
          queue.add(c);
        }
      }
    } finally {
      iterators.forEach(RocksIterator::close);
      db.releaseSnapshot(snapshot);
      snapshot.close();
    }
    return out;
  }

  private static final class Cursor implements Comparable<Cursor> {
    final RocksIterator it;
    final byte[] prefix;
    byte[] key;
    byte[] value;

    Cursor(RocksIterator it, byte[] prefix) {
      this.it = it;
      this.prefix = prefix;
    }

    boolean load() {
      if (!it.isValid() || !RocksPostStore.startsWith(it.key(), prefix)) {
        return false;
      }
      key = it.key();
      value = it.value();
      return true;
    }

    /** Newest first: the greater (timestamp, id) comes out of the queue first. */
    @Override
    public int compareTo(Cursor o) {
      return Arrays.compareUnsigned(o.key, ORDER_FROM, o.key.length, key, ORDER_FROM, key.length);
    }
  }
}
