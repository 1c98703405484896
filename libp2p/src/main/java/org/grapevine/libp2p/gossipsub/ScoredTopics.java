package org.grapevine.libp2p.gossipsub;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Supplier;

/**
 * A peer's per-topic score counters: a map from topic to value that iterates in exactly the order a
 * {@code new HashMap<String, V>()} filled the same way would, at the cost of two small arrays.
 *
 * <p>Why the order: the score is a floating-point sum over topics, and a different order can give a
 * different last bit, so a different mesh, so a different simulation. Why not the HashMap: a large
 * simulation holds millions of these maps, most with a few topics, and the score iterates one on
 * every look-up; starting a HashMap iterator scans its sixteen-slot table, and that was the
 * simulator's largest single cost (15% of bench-10k's samples).
 *
 * <p>How: a default HashMap (never removed from, as here) has 16 buckets until its 13th entry,
 * takes bucket {@code (h ^ h >>> 16) & 15} of a key's hash {@code h}, and iterates bucket by
 * bucket; {@code computeIfAbsent} puts a new key first in its bucket (where {@code put} would put
 * it last). While there are at most {@value #ARRAY_MAX} entries (too few for a bucket to reach the
 * eight at which computeIfAbsent resizes the table or grows a tree) the arrays are kept sorted by
 * bucket, a new entry first among its bucket's. Past that the entries are put, in that order, into
 * a real HashMap, which so gets the same buckets in the same order and goes on as the old map did.
 * No removal, no null keys or values. Not thread-safe.
 */
final class ScoredTopics<V> {
  static final int ARRAY_MAX = 7;

  private static final int BUCKETS = 16;

  private String[] keys = new String[1];
  private Object[] values = new Object[1];
  private int size;

  /** Past {@link #ARRAY_MAX} entries; the arrays are unused then. */
  private HashMap<String, V> big;

  int size() {
    return big != null ? big.size() : size;
  }

  V get(String key) {
    if (big != null) {
      return big.get(key);
    }
    int i = indexOf(key);
    return i < 0 ? null : value(i);
  }

  V computeIfAbsent(String key, Supplier<V> make) {
    if (big != null) {
      return big.computeIfAbsent(key, k -> make.get());
    }
    int i = indexOf(key);
    if (i >= 0) {
      return value(i);
    }
    V v = make.get();
    if (size == ARRAY_MAX) {
      big = new HashMap<>();
      for (int j = 0; j < size; j++) {
        big.put(keys[j], value(j));
      }
      big.computeIfAbsent(key, k -> v);
      keys = null;
      values = null;
      return v;
    }
    int bucket = bucket(key);
    int at = 0;
    while (at < size && bucket(keys[at]) < bucket) {
      at++;
    }
    if (size == keys.length) {
      keys = Arrays.copyOf(keys, Math.min(ARRAY_MAX, size * 2));
      values = Arrays.copyOf(values, keys.length);
    }
    System.arraycopy(keys, at, keys, at + 1, size - at);
    System.arraycopy(values, at, values, at + 1, size - at);
    keys[at] = key;
    values[at] = v;
    size++;
    return v;
  }

  void forEach(BiConsumer<String, V> action) {
    if (big != null) {
      big.forEach(action);
      return;
    }
    for (int i = 0; i < size; i++) {
      action.accept(keys[i], value(i));
    }
  }

  /** One topic's term of a sum at a time; a field, not a lambda per call (no allocation). */
  interface Term<V> {
    double at(String topic, V value, long nowNanos);
  }

  /** {@code Σ term(topic, value, nowNanos)}, added up in iteration order. */
  double sum(Term<V> term, long nowNanos) {
    double sum = 0;
    if (big != null) {
      for (Map.Entry<String, V> e : big.entrySet()) {
        sum += term.at(e.getKey(), e.getValue(), nowNanos);
      }
      return sum;
    }
    for (int i = 0; i < size; i++) {
      sum += term.at(keys[i], value(i), nowNanos);
    }
    return sum;
  }

  private int indexOf(String key) {
    for (int i = 0; i < size; i++) {
      if (keys[i].equals(key)) {
        return i;
      }
    }
    return -1;
  }

  @SuppressWarnings("unchecked") // Only Vs are stored.
  private V value(int i) {
    return (V) values[i];
  }

  /** HashMap's bucket for a key while it has {@value #BUCKETS} of them. */
  private static int bucket(String key) {
    int h = key.hashCode();
    return (h ^ (h >>> 16)) & (BUCKETS - 1);
  }
}
