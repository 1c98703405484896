package org.grapevine.protocol.internal;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Objects;

/**
 * A map from keys to {@code long} values that costs two short arrays while it has at most {@value
 * #ARRAY_MAX} keys (found by a linear scan with {@code equals}). A sync session remembers how far
 * it asked each author's log, nearly always for one to a few authors, and a simulation holds
 * hundreds of thousands of sessions at once: a HashMap of boxed longs spends about 180 bytes for
 * one entry, this about 70. Past {@value #ARRAY_MAX} keys it moves into a HashMap for good, so a
 * large one keeps constant-time look-ups. No removal (the session never forgets an author); null
 * keys are refused. Not thread-safe.
 */
public final class SmallLongMap<K> {
  private static final int ARRAY_MAX = 16;

  private Object[] keys = new Object[1];
  private long[] values = new long[1];
  private int size;
  private HashMap<K, Long> big;

  /** How many keys it holds. */
  public int size() {
    return big != null ? big.size() : size;
  }

  /** The value of {@code key}, or {@code absent} when it has none. */
  public long get(K key, long absent) {
    if (big != null) {
      Long v = big.get(key);
      return v == null ? absent : v;
    }
    int i = indexOf(key);
    return i < 0 ? absent : values[i];
  }

  /** Sets the value of {@code key}. */
  public void put(K key, long value) {
    Objects.requireNonNull(key, "key");
    if (big != null) {
      big.put(key, value);
      return;
    }
    int i = indexOf(key);
    if (i >= 0) {
      values[i] = value;
    } else {
      append(key, value);
    }
  }

  /** Sets the value of {@code key} to {@code value} unless it has a larger one already. */
  public void putMax(K key, long value) {
    Objects.requireNonNull(key, "key");
    if (big != null) {
      big.merge(key, value, Math::max);
      return;
    }
    int i = indexOf(key);
    if (i >= 0) {
      values[i] = Math.max(values[i], value);
    } else {
      append(key, value);
    }
  }

  private int indexOf(Object key) {
    for (int i = 0; i < size; i++) {
      if (keys[i].equals(key)) {
        return i;
      }
    }
    return -1;
  }

  @SuppressWarnings("unchecked")
  private void append(K key, long value) {
    if (size == ARRAY_MAX) {
      big = new HashMap<>();
      for (int i = 0; i < size; i++) {
        big.put((K) keys[i], values[i]);
      }
      big.put(key, value);
      keys = null;
      values = null;
      return;
    }
    if (size == keys.length) {
      int n = Math.min(ARRAY_MAX, size * 2);
      keys = Arrays.copyOf(keys, n);
      values = Arrays.copyOf(values, n);
    }
    keys[size] = key;
    values[size] = value;
    size++;
  }
}
