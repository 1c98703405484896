package org.grapevine.node.storage;

import java.util.ArrayDeque;
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
 * A timeline page: the newest TIME row of each identity before the cursor, merged newest first by
 * (timestamp, entry id); taking an identity's row moves on to that identity's next older row. Runs
 * on one snapshot, so a page never mixes two states of the store.
 *
 * <p>One iterator serves every identity, by seeking: one seek per identity to start, reading {@link
 * #FIRST_READ_ROWS} rows, and another seek (reading {@link #MORE_ROWS}) only for an identity whose
 * rows the page used up. An iterator per identity costs as many seeks plus creating and disposing
 * as many native iterators, which was a quarter of a page's time over 200 identities ({@code
 * TimelineHarness}); re-seeking for every row taken made deep pages slower.
 */
final class TimelineQuery {
  /** Offset of (timestamp, id) in a TIME key: after the prefix byte and the identity. */
  private static final int ORDER_FROM = 1 + Keys.KEY_BYTES;

  /** Rows read per identity at its first seek: the next one usually lies in the same block. */
  static final int FIRST_READ_ROWS = 2;

  /** Rows read per further seek, for an identity that fills much of the page. */
  static final int MORE_ROWS = 8;

  private TimelineQuery() {}

  /** The locations (author ‖ seq) of the page's entries, newest first. */
  static List<byte[]> run(
      RocksDB db,
      ColumnFamilyHandle indexes,
      Set<Identity> identities,
      TimelineCursor before,
      int limit) {
    return run(db, indexes, KeyPrefix.TIME, identities, before, limit);
  }

  /**
   * {@link #run(RocksDB, ColumnFamilyHandle, Set, TimelineCursor, int)} over the rows of {@code
   * prefix}, laid out as TIME rows ({@link KeyPrefix#NOTIFY}: an identity's notifications).
   */
  static List<byte[]> run(
      RocksDB db,
      ColumnFamilyHandle indexes,
      KeyPrefix prefix,
      Set<Identity> identities,
      TimelineCursor before,
      int limit) {
    if (limit < 0) {
      throw new IllegalArgumentException("limit " + limit);
    }
    List<byte[]> out = new ArrayList<>();
    if (limit == 0
        || identities.isEmpty()
        || (before.id() == null && before.timestampMillis() <= 0)) {
      return out;
    }
    Snapshot snapshot = db.getSnapshot();
    try (ReadOptions read = new ReadOptions().setSnapshot(snapshot);
        RocksIterator it = db.newIterator(indexes, read)) {
      PriorityQueue<Rows> queue = new PriorityQueue<>();
      for (Identity identity : identities) {
        byte[] start =
            before.id() == null
                ? Keys.timeLast(prefix, identity, before.timestampMillis() - 1)
                : Keys.time(prefix, identity, before.timestampMillis(), before.id());
        it.seekForPrev(start);
        if (before.id() != null && it.isValid() && Arrays.equals(it.key(), start)) {
          it.prev(); // The cursor itself was the last entry of the previous page.
        }
        Rows rows = new Rows(Keys.timePrefix(prefix, identity));
        if (rows.read(it, FIRST_READ_ROWS)) {
          queue.add(rows);
        }
      }
      while (out.size() < limit && !queue.isEmpty()) {
        Rows rows = queue.poll();
        out.add(rows.take());
        if (rows.isEmpty() && rows.mayHaveMore && out.size() < limit) {
          it.seekForPrev(
              rows.lastKey); // Lands on that row itself: it is still there in the snapshot.
          it.prev();
          rows.read(it, MORE_ROWS);
        }
        if (!rows.isEmpty()) {
          queue.add(rows);
        }
      }
    } finally {
      db.releaseSnapshot(snapshot);
      snapshot.close();
    }
    return out;
  }

  /** One identity's next rows, read ahead; ordered by the newest of them. */
  private static final class Rows implements Comparable<Rows> {
    final byte[] prefix;
    final ArrayDeque<byte[][]> buffered = new ArrayDeque<>();
    byte[] lastKey;
    boolean mayHaveMore;

    Rows(byte[] prefix) {
      this.prefix = prefix;
    }

    /**
     * Reads up to {@code n} rows of this identity from the iterator's position backwards; false if
     * none.
     */
    boolean read(RocksIterator it, int n) {
      int read = 0;
      for (; read < n && it.isValid(); read++) {
        byte[] key = it.key();
        if (!RocksPostStore.startsWith(key, prefix)) {
          break;
        }
        buffered.add(new byte[][] {key, it.value()});
        lastKey = key;
        if (read + 1 < n) {
          it.prev();
        }
      }
      mayHaveMore = read == n;
      return read > 0;
    }

    boolean isEmpty() {
      return buffered.isEmpty();
    }

    /** The location of the newest buffered row, which leaves the buffer. */
    byte[] take() {
      return buffered.poll()[1];
    }

    /** Newest first: the greater (timestamp, id) comes out of the queue first. */
    @Override
    public int compareTo(Rows o) {
      byte[] mine = buffered.peek()[0];
      byte[] theirs = o.buffered.peek()[0];
      return Arrays.compareUnsigned(
          theirs, ORDER_FROM, theirs.length, mine, ORDER_FROM, mine.length);
    }
  }
}
