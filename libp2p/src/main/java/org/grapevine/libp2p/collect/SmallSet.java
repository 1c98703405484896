package org.grapevine.libp2p.collect;

import java.util.AbstractSet;
import java.util.Arrays;
import java.util.ConcurrentModificationException;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.NoSuchElementException;

/**
 * A set in insertion order, as {@link LinkedHashSet} iterates (re-adding a member does not move
 * it), that costs one small array while it has at most {@value #ARRAY_MAX} members. Most of a
 * node's sets are that small: the router's meshes and the peers known in each topic (at 100,000
 * simulated nodes there are millions of them, most with one member, and a LinkedHashSet spends
 * about 200 bytes on a one-member set), the sync planner's peers being opened. Membership is a
 * linear scan while small; past {@value #ARRAY_MAX} members the set moves into a LinkedHashSet for
 * good, in the same order. Null members are refused. Not thread-safe.
 */
public final class SmallSet<T> extends AbstractSet<T> {
  private static final int ARRAY_MAX = 16;
  private static final Object[] EMPTY = {};

  /** The members in insertion order while small; unused once {@link #big} is set. */
  private Object[] items = EMPTY;

  private int size;
  private LinkedHashSet<T> big;

  /** Structural changes, so that an iterator fails fast as the JDK's sets do. */
  private int modCount;

  @Override
  public int size() {
    return big != null ? big.size() : size;
  }

  @Override
  public boolean contains(Object o) {
    if (big != null) {
      return big.contains(o);
    }
    return indexOf(o) >= 0;
  }

  @Override
  public boolean add(T t) {
    if (t == null) {
      throw new NullPointerException("SmallSet refuses null members");
    }
    if (big != null) {
      return big.add(t);
    }
    if (indexOf(t) >= 0) {
      return false;
    }
    if (size == ARRAY_MAX) {
      big = new LinkedHashSet<>();
      for (int i = 0; i < size; i++) {
        big.add(member(i));
      }
      items = EMPTY;
      size = 0;
      modCount++;
      return big.add(t);
    }
    if (size == items.length) {
      items = Arrays.copyOf(items, nextCapacity(size, ARRAY_MAX));
    }
    items[size++] = t;
    modCount++;
    return true;
  }

  @Override
  public boolean remove(Object o) {
    if (big != null) {
      return big.remove(o);
    }
    int i = indexOf(o);
    if (i < 0) {
      return false;
    }
    removeAt(i);
    return true;
  }

  @Override
  public void clear() {
    if (big != null) {
      big.clear();
      return;
    }
    Arrays.fill(items, 0, size, null);
    size = 0;
    modCount++;
  }

  @Override
  public Iterator<T> iterator() {
    return big != null ? big.iterator() : new ArrayIterator();
  }

  /**
   * The room after {@code size} when full: one more up to 4, then half more (2, 3, 4, 6, 9, 13, 19,
   * 28, up to {@code max}). Most of these sets and maps stop at a few members (a mesh, a node's
   * follows), and doubling left a quarter of their slots empty.
   */
  static int nextCapacity(int size, int max) {
    return Math.min(max, size < 4 ? Math.max(2, size + 1) : size + (size >> 1));
  }

  private int indexOf(Object o) {
    for (int i = 0; i < size; i++) {
      if (items[i].equals(o)) {
        return i;
      }
    }
    return -1;
  }

  /** Removes the member at {@code i}, keeping the others' order. */
  private void removeAt(int i) {
    System.arraycopy(items, i + 1, items, i, size - i - 1);
    items[--size] = null;
    modCount++;
  }

  @SuppressWarnings("unchecked")
  private T member(int i) {
    return (T) items[i];
  }

  private final class ArrayIterator implements Iterator<T> {
    private int next;
    private int last = -1;
    private int expectedModCount = modCount;

    @Override
    public boolean hasNext() {
      return big != null || next < size; // After a move into big, next() fails fast.
    }

    @Override
    public T next() {
      if (modCount != expectedModCount || big != null) {
        throw new ConcurrentModificationException();
      }
      if (next >= size) {
        throw new NoSuchElementException();
      }
      last = next++;
      return member(last);
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
}
