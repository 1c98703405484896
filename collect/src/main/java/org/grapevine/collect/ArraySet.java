package org.grapevine.collect;

import java.util.AbstractSet;
import java.util.Arrays;
import java.util.ConcurrentModificationException;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Set;

/**
 * What {@link SmallSet} and {@link SmallSortedSet} share: the members in one array, in the order
 * the subclass keeps, while there are at most {@link #arrayMax} of them; past that a JDK set of the
 * same order ({@link #newBig}) for good. A subclass says only how a member is found and where a new
 * one goes ({@link #find}), and adds no fields: every such set costs this object and its array.
 * Null members are refused. Not thread-safe; iterators fail fast as the JDK's do.
 */
abstract class ArraySet<T> extends AbstractSet<T> {
  private static final Object[] EMPTY = {};

  /** The members while small; unused once {@link #big} is set. */
  private Object[] items = EMPTY;

  private int size;
  private Set<T> big;

  /** Structural changes, so that an iterator fails fast as the JDK's sets do. */
  private int modCount;

  /** The most members the array holds. */
  abstract int arrayMax();

  /** The empty set the members move into past {@link #arrayMax}, iterating in the same order. */
  abstract Set<T> newBig();

  /**
   * The index of {@code o} (not null) among {@code items[0..size)}, or else {@code -(the index it
   * would be added at) - 1}.
   */
  abstract int find(Object[] items, int size, Object o);

  /**
   * The room after {@code size} when full: one more up to 4, then half more (2, 3, 4, 6, 9, 13, 19,
   * 28, up to {@code max}). Most of these sets and maps stop at a few members (a mesh, a node's
   * follows), and doubling left a quarter of their slots empty.
   */
  static int nextCapacity(int size, int max) {
    return Math.min(max, size < 4 ? Math.max(2, size + 1) : size + (size >> 1));
  }

  @Override
  public final int size() {
    return big != null ? big.size() : size;
  }

  @Override
  public final boolean contains(Object o) {
    if (big != null) {
      return big.contains(o);
    }
    return o != null && find(items, size, o) >= 0;
  }

  @Override
  public final boolean add(T t) {
    if (t == null) {
      throw new NullPointerException(getClass().getSimpleName() + " refuses null members");
    }
    if (big != null) {
      return big.add(t);
    }
    int i = find(items, size, t);
    if (i >= 0) {
      return false;
    }
    if (size == arrayMax()) {
      big = newBig();
      for (int k = 0; k < size; k++) {
        big.add(member(k));
      }
      items = EMPTY;
      size = 0;
      modCount++;
      return big.add(t);
    }
    int at = -i - 1;
    if (size == items.length) {
      items = Arrays.copyOf(items, nextCapacity(size, arrayMax()));
    }
    System.arraycopy(items, at, items, at + 1, size - at);
    items[at] = t;
    size++;
    modCount++;
    return true;
  }

  @Override
  public final boolean remove(Object o) {
    if (big != null) {
      return big.remove(o);
    }
    int i = o == null ? -1 : find(items, size, o);
    if (i < 0) {
      return false;
    }
    removeAt(i);
    return true;
  }

  @Override
  public final void clear() {
    if (big != null) {
      big.clear();
      return;
    }
    Arrays.fill(items, 0, size, null);
    size = 0;
    modCount++;
  }

  @Override
  public final Iterator<T> iterator() {
    return big != null ? big.iterator() : new ArrayIterator();
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
