package org.grapevine.simulations.virtual;

import java.util.Arrays;
import java.util.function.Predicate;

/**
 * A node's open sync streams by its core's stream id: two parallel arrays sorted by id (binary
 * search to find, a shift to insert or remove). A node has a few streams per connection, and the
 * simulator holds millions of them at once: a {@code HashMap<Long, SimStream>} spent about 50 bytes
 * per stream on its entry and boxed key, these arrays 12.
 */
final class StreamTable {
  private long[] ids = new long[0];
  private SimStream[] streams = new SimStream[0];
  private int size;

  SimStream get(long id) {
    int i = Arrays.binarySearch(ids, 0, size, id);
    return i >= 0 ? streams[i] : null;
  }

  /** Adds or replaces the stream with {@code id}. */
  void put(long id, SimStream s) {
    int i = Arrays.binarySearch(ids, 0, size, id);
    if (i >= 0) {
      streams[i] = s;
      return;
    }
    int at = -i - 1;
    if (size == ids.length) {
      int capacity = Math.max(4, size * 2);
      ids = Arrays.copyOf(ids, capacity);
      streams = Arrays.copyOf(streams, capacity);
    }
    System.arraycopy(ids, at, ids, at + 1, size - at);
    System.arraycopy(streams, at, streams, at + 1, size - at);
    ids[at] = id;
    streams[at] = s;
    size++;
  }

  /** Removes and returns the stream with {@code id}, or null. */
  SimStream remove(long id) {
    int i = Arrays.binarySearch(ids, 0, size, id);
    if (i < 0) {
      return null;
    }
    SimStream s = streams[i];
    System.arraycopy(ids, i + 1, ids, i, size - i - 1);
    System.arraycopy(streams, i + 1, streams, i, size - i - 1);
    streams[--size] = null;
    shrink();
    return s;
  }

  /**
   * Gives back room once at most a quarter is used: a node opens a sync stream on each connection
   * at its start and closes them within seconds, and arrays kept at that peak cost a simulation of
   * 20,000 nodes 7 MB for empty tables.
   */
  private void shrink() {
    if (ids.length > 4 && size <= ids.length / 4) {
      int capacity = Math.max(4, size * 2);
      ids = Arrays.copyOf(ids, capacity);
      streams = Arrays.copyOf(streams, capacity);
    }
  }

  /** Slots held (tests: the room given back). */
  int capacity() {
    return ids.length;
  }

  /** Removes every stream {@code gone} accepts. */
  void removeIf(Predicate<SimStream> gone) {
    int kept = 0;
    for (int i = 0; i < size; i++) {
      if (!gone.test(streams[i])) {
        ids[kept] = ids[i];
        streams[kept++] = streams[i];
      }
    }
    Arrays.fill(streams, kept, size, null);
    size = kept;
    shrink();
  }

  void clear() {
    ids = new long[0];
    streams = new SimStream[0];
    size = 0;
  }

  int size() {
    return size;
  }
}
