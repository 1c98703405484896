package org.grapevine.node.core;

import java.util.Arrays;
import java.util.List;

/**
 * The running sync streams by id, in id order. Ids only grow, so a new one goes at the end of two
 * parallel arrays and a lookup is a binary search: a {@code TreeMap} spent about 60 bytes per
 * session (entry and boxed key), and a simulation holds millions of sessions at once. A node has a
 * few sessions per connection at most, so removal by shifting is cheap. Same confinement as the
 * core.
 */
final class SyncStates {
  private long[] ids = new long[0];
  private SyncState[] states = new SyncState[0];
  private int size;

  /** Adds {@code s}, whose id must be above every id held. */
  void add(SyncState s) {
    if (size > 0 && ids[size - 1] >= s.id) {
      throw new IllegalArgumentException("sync id " + s.id + " not above " + ids[size - 1]);
    }
    if (size == ids.length) {
      int capacity = Math.max(4, size * 2);
      ids = Arrays.copyOf(ids, capacity);
      states = Arrays.copyOf(states, capacity);
    }
    ids[size] = s.id;
    states[size++] = s;
  }

  SyncState get(long id) {
    int i = Arrays.binarySearch(ids, 0, size, id);
    return i >= 0 ? states[i] : null;
  }

  /** Removes the session with {@code id}; false if none. */
  boolean remove(long id) {
    int i = Arrays.binarySearch(ids, 0, size, id);
    if (i < 0) {
      return false;
    }
    System.arraycopy(ids, i + 1, ids, i, size - i - 1);
    System.arraycopy(states, i + 1, states, i, size - i - 1);
    states[--size] = null;
    if (size == 0) {
      ids = new long[0]; // an idle node holds no arrays
      states = new SyncState[0];
    }
    return true;
  }

  int size() {
    return size;
  }

  SyncState at(int i) {
    return states[i];
  }

  /** A copy in id order, to iterate while sessions end. */
  List<SyncState> snapshot() {
    return Arrays.asList(Arrays.copyOf(states, size));
  }
}
