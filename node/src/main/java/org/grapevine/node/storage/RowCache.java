package org.grapevine.node.storage;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.grapevine.protocol.entry.EntryId;
import org.grapevine.protocol.entry.SignedEntry;
import org.grapevine.protocol.identity.AuthorKey;
import org.grapevine.protocol.identity.Identity;
import org.grapevine.protocol.validation.DeviceStatus;

/**
 * The rows that every ingested entry reads, kept in memory: each log's head (with the head entry,
 * which the chain check reads as the next entry's predecessor), device rows, byte counts and mutes.
 * Without it an entry cost eight point reads (mute, device, head, the entry at its seq, its
 * predecessor, the byte count twice, the head again in apply), most of them misses that walk every
 * level of the LSM tree, and the predecessor decoded from its stored bytes: half of the storage
 * thread's time ({@code StoreWriteHarness}).
 *
 * <p>Rules, which keep it equal to the store:
 *
 * <ol>
 *   <li>A writer of one cached row {@link #put}s the new value after its write succeeded, under the
 *       store's write lock; a writer of several cached rows in one batch gathers them in a {@link
 *       Write}, {@link #begin}s it before the batch and {@link #end}s it after (all rows at once);
 *       a writer of many rows (the rebuild, a test's raw delete) {@link #clear}s after it.
 *   <li>A reader that missed reads the store and offers the value with {@link #fill}, passing the
 *       {@link #generation} it saw before reading: the offer is dropped if any write came in
 *       between or is under way, so a value read before a write can never overwrite that write's
 *       value.
 *   <li>Bounded, least recently used first out: a missing row costs a read, never a wrong answer.
 * </ol>
 *
 * <p>Why {@link Write}: the rows of one batch depend on each other (a delegation's device row and
 * its root log's head; a revocation's purged device head and the revoking entry). Put one by one
 * after the batch, a reader on another thread could see one new and another old (CI once saw a
 * device delegated while its root log's head was still the one before). While a {@code Write} is
 * under way its rows read as misses, so a reader reads them from the store, where the batch lands
 * at once; after it they are all in the cache together.
 *
 * <p>Thread-safe (one monitor; each call is a map operation).
 */
final class RowCache {
  /** The contiguous head of a log; {@code entry} is the head entry when known, else null. */
  record Head(long seq, EntryId id, SignedEntry entry) {
    static final Head EMPTY = new Head(0, null, null);
  }

  /** A cached row: which kind and of whom; {@code V} is its value's type. */
  @SuppressWarnings(
      "UnusedTypeParameter") // A phantom type: a key says the type of its row's value.
  static final class Key<V> {
    private final char kind;
    private final Object first;
    private final Object second;

    private Key(char kind, Object first, Object second) {
      this.kind = kind;
      this.first = first;
      this.second = second;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Key<?> k
          && kind == k.kind
          && first.equals(k.first)
          && java.util.Objects.equals(second, k.second);
    }

    @Override
    public int hashCode() {
      return (kind * 31 + first.hashCode()) * 31 + java.util.Objects.hashCode(second);
    }
  }

  static Key<Head> head(AuthorKey author) {
    return new Key<>('h', author, null);
  }

  static Key<DeviceStatus> device(Identity identity, AuthorKey device) {
    return new Key<>('d', identity, device);
  }

  static Key<Long> storedBytes(Identity identity) {
    return new Key<>('b', identity, null);
  }

  static Key<Boolean> muted(Identity identity) {
    return new Key<>('m', identity, null);
  }

  static Key<Boolean> blocked(Identity identity) {
    return new Key<>('k', identity, null);
  }

  private final int capacity;
  private final LinkedHashMap<Key<?>, Object> rows;
  private long generation;
  private int writing;

  RowCache(int capacity) {
    this.capacity = capacity;
    this.rows =
        new LinkedHashMap<>(Math.min(capacity, 1024) * 2, 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<Key<?>, Object> eldest) {
            return size() > RowCache.this.capacity;
          }
        };
  }

  /** The cached value of the row, or null. */
  @SuppressWarnings("unchecked") // Only put and fill store values, each typed by its key.
  synchronized <V> V get(Key<V> key) {
    return (V) rows.get(key);
  }

  /** Taken before a reader's store read; see {@link #fill}. */
  synchronized long generation() {
    return generation;
  }

  /**
   * Offers a value a reader read from the store; dropped if a write came since {@code generation}.
   */
  synchronized <V> void fill(Key<V> key, V value, long generation) {
    if (generation == this.generation && writing == 0) {
      rows.putIfAbsent(key, value);
    }
  }

  /** The value a writer just wrote. */
  synchronized <V> void put(Key<V> key, V value) {
    generation++;
    rows.put(key, value);
  }

  /** The rows of a batch about to be written: they read as misses until {@link #end}. */
  synchronized void begin(Write write) {
    generation++;
    writing++;
    for (int i = 0; i < write.keys.size(); i++) {
      rows.remove(write.keys.get(i));
    }
  }

  /** The batch of {@code write} landed: its rows' new values, all at once. */
  synchronized void end(Write write) {
    for (int i = 0; i < write.keys.size(); i++) {
      rows.put(write.keys.get(i), write.values.get(i));
    }
    generation++;
    writing--;
  }

  /** The batch of {@code write} failed: its rows stay out of the cache, read again when asked. */
  synchronized void abort(Write write) {
    generation++;
    writing--;
  }

  /** The cached rows one batch writes, with their new values (see the class comment). */
  static final class Write {
    private final List<Key<?>> keys = new ArrayList<>(4);
    private final List<Object> values = new ArrayList<>(4);

    <V> void put(Key<V> key, V value) {
      keys.add(key);
      values.add(value);
    }
  }

  /** Forgets every row, after a write of many rows. */
  synchronized void clear() {
    generation++;
    rows.clear();
  }

  synchronized int size() {
    return rows.size();
  }
}
