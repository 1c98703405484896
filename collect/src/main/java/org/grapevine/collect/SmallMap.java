package org.grapevine.collect;

import java.util.AbstractCollection;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Arrays;
import java.util.Collection;
import java.util.ConcurrentModificationException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * A map in insertion order, as {@link LinkedHashMap} iterates (putting a present key again keeps
 * its place; removing and putting it moves it last), that costs two small arrays while it has at
 * most {@value #ARRAY_MAX} entries. Most of a node's per-peer and per-topic tables are that small
 * (a router's peers and meshes, a node's sync states), and a LinkedHashMap spends a 40-byte entry
 * on each mapping plus its table: at a million simulated nodes those tables were a fifth of the
 * heap.
 *
 * <p>How: keys and values interleaved in one array, in order, with the keys' hash codes beside
 * them, so that a look-up compares ints and calls {@code equals} only on a hash match (a linear
 * scan of at most {@value #ARRAY_MAX} ints). Removal shifts the later entries down. Past {@value
 * #ARRAY_MAX} entries the map moves into a LinkedHashMap for good, in the same order. Null keys and
 * values are refused. Iterators fail fast. Not thread-safe.
 */
public final class SmallMap<K, V> extends AbstractMap<K, V> {
  static final int ARRAY_MAX = 32;

  private static final Object[] NO_SLOTS = {};
  private static final int[] NO_HASHES = {};

  /** Key i at {@code 2i}, its value at {@code 2i + 1}; unused once {@link #big} is set. */
  private Object[] slots = NO_SLOTS;

  private int[] hashes = NO_HASHES;
  private int size;
  private LinkedHashMap<K, V> big;

  /** Structural changes, so that an iterator fails fast as the JDK's maps do. */
  private int modCount;

  @Override
  public int size() {
    return big != null ? big.size() : size;
  }

  @Override
  public boolean isEmpty() {
    return size() == 0;
  }

  @Override
  public boolean containsKey(Object key) {
    return big != null ? big.containsKey(key) : indexOf(key) >= 0;
  }

  @Override
  public V get(Object key) {
    if (big != null) {
      return big.get(key);
    }
    int i = indexOf(key);
    return i < 0 ? null : value(i);
  }

  @Override
  public V getOrDefault(Object key, V defaultValue) {
    V v = get(key);
    return v != null ? v : defaultValue;
  }

  @Override
  public V put(K key, V value) {
    Objects.requireNonNull(key, "SmallMap refuses null keys");
    Objects.requireNonNull(value, "SmallMap refuses null values");
    if (big != null) {
      return big.put(key, value);
    }
    int h = key.hashCode();
    int i = indexOf(key, h);
    if (i >= 0) {
      V old = value(i);
      slots[2 * i + 1] = value;
      return old;
    }
    if (size == ARRAY_MAX) {
      big = new LinkedHashMap<>();
      for (int j = 0; j < size; j++) {
        big.put(key(j), value(j));
      }
      slots = NO_SLOTS;
      hashes = NO_HASHES;
      size = 0;
      modCount++;
      return big.put(key, value);
    }
    if (size == hashes.length) {
      int capacity = ArraySet.nextCapacity(size, ARRAY_MAX);
      hashes = Arrays.copyOf(hashes, capacity);
      slots = Arrays.copyOf(slots, 2 * capacity);
    }
    hashes[size] = h;
    slots[2 * size] = key;
    slots[2 * size + 1] = value;
    size++;
    modCount++;
    return null;
  }

  @Override
  public V remove(Object key) {
    if (big != null) {
      return big.remove(key);
    }
    int i = indexOf(key);
    if (i < 0) {
      return null;
    }
    V old = value(i);
    removeAt(i);
    return old;
  }

  @Override
  public void clear() {
    if (big != null) {
      big.clear();
      return;
    }
    Arrays.fill(slots, 0, 2 * size, null);
    size = 0;
    modCount++;
  }

  @Override
  public void forEach(BiConsumer<? super K, ? super V> action) {
    if (big != null) {
      big.forEach(action);
      return;
    }
    int expected = modCount;
    for (int i = 0; i < size; i++) {
      action.accept(key(i), value(i));
      if (modCount != expected) {
        throw new ConcurrentModificationException();
      }
    }
  }

  /** A view, made per call (no field per map: there are millions of these maps). */
  @Override
  public Set<K> keySet() {
    return new AbstractSet<>() {
      @Override
      public Iterator<K> iterator() {
        return big != null ? big.keySet().iterator() : new Walk<K>(Walk.KEYS);
      }

      @Override
      public int size() {
        return SmallMap.this.size();
      }

      @Override
      public boolean contains(Object o) {
        return containsKey(o);
      }

      @Override
      public boolean remove(Object o) {
        return SmallMap.this.remove(o) != null;
      }
    };
  }

  @Override
  public Collection<V> values() {
    return new AbstractCollection<>() {
      @Override
      public Iterator<V> iterator() {
        return big != null ? big.values().iterator() : new Walk<V>(Walk.VALUES);
      }

      @Override
      public int size() {
        return SmallMap.this.size();
      }
    };
  }

  @Override
  public Set<Map.Entry<K, V>> entrySet() {
    return new AbstractSet<>() {
      @Override
      public Iterator<Map.Entry<K, V>> iterator() {
        return big != null ? big.entrySet().iterator() : new Walk<Map.Entry<K, V>>(Walk.ENTRIES);
      }

      @Override
      public int size() {
        return SmallMap.this.size();
      }
    };
  }

  private int indexOf(Object key) {
    return key == null ? -1 : indexOf(key, key.hashCode());
  }

  private int indexOf(Object key, int h) {
    for (int i = 0; i < size; i++) {
      if (hashes[i] == h && slots[2 * i].equals(key)) {
        return i;
      }
    }
    return -1;
  }

  /** Removes entry {@code i}, keeping the others' order. */
  private void removeAt(int i) {
    System.arraycopy(hashes, i + 1, hashes, i, size - i - 1);
    System.arraycopy(slots, 2 * i + 2, slots, 2 * i, 2 * (size - i - 1));
    size--;
    slots[2 * size] = null;
    slots[2 * size + 1] = null;
    modCount++;
  }

  @SuppressWarnings("unchecked") // Only Ks are stored at even slots.
  private K key(int i) {
    return (K) slots[2 * i];
  }

  @SuppressWarnings("unchecked") // Only Vs are stored at odd slots.
  private V value(int i) {
    return (V) slots[2 * i + 1];
  }

  /** Walks the arrays, handing out keys, values or entries (one iterator for the three views). */
  private final class Walk<T> implements Iterator<T> {
    static final int KEYS = 0;
    static final int VALUES = 1;
    static final int ENTRIES = 2;

    private final int kind;
    private int next;
    private int last = -1;
    private int expectedModCount = modCount;

    Walk(int kind) {
      this.kind = kind;
    }

    @Override
    public boolean hasNext() {
      return big != null || next < size; // After a move into big, next() fails fast.
    }

    @Override
    @SuppressWarnings("unchecked") // T is K, V or Map.Entry<K, V> as the kind says.
    public T next() {
      if (modCount != expectedModCount || big != null) {
        throw new ConcurrentModificationException();
      }
      if (next >= size) {
        throw new NoSuchElementException();
      }
      last = next++;
      return switch (kind) {
        case KEYS -> (T) key(last);
        case VALUES -> (T) value(last);
        default -> (T) new Entry(last, expectedModCount);
      };
    }

    @Override
    public void remove() {
      if (last < 0) {
        throw new IllegalStateException();
      }
      if (modCount != expectedModCount || big != null) {
        throw new ConcurrentModificationException();
      }
      removeAt(last);
      next = last;
      last = -1;
      expectedModCount = modCount;
    }
  }

  /**
   * Entry {@code i} as it was when handed out (as a JDK map's entry, it stays readable after the
   * map changes); {@link #setValue} writes through while the map's structure stands.
   */
  private final class Entry implements Map.Entry<K, V> {
    private final int i;
    private final int modCountThen;
    private final K key;
    private V value;

    Entry(int i, int modCountThen) {
      this.i = i;
      this.modCountThen = modCountThen;
      this.key = key(i);
      this.value = value(i);
    }

    @Override
    public K getKey() {
      return key;
    }

    @Override
    public V getValue() {
      return value;
    }

    @Override
    public V setValue(V v) {
      if (modCount != modCountThen || big != null) {
        throw new ConcurrentModificationException();
      }
      slots[2 * i + 1] = Objects.requireNonNull(v, "SmallMap refuses null values");
      V old = value;
      value = v;
      return old;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Map.Entry<?, ?> e && key.equals(e.getKey()) && value.equals(e.getValue());
    }

    @Override
    public int hashCode() {
      return key.hashCode() ^ value.hashCode();
    }

    @Override
    public String toString() {
      return key + "=" + value;
    }
  }
}
