package org.grapevine.protocol.internal;

import java.util.AbstractSet;
import java.util.Arrays;
import java.util.ConcurrentModificationException;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.TreeSet;

/**
 * A set in natural order, as {@link TreeSet} iterates, that costs one sorted array while it has at
 * most {@value #ARRAY_MAX} members (binary search to find, a shift to insert). A sync session keeps
 * several sets of identities, nearly all of a few members, and a simulation holds hundreds of
 * thousands of sessions at once: a TreeSet spends about 60 bytes plus 40 per member, the array 4
 * per member. Past {@value #ARRAY_MAX} members the set moves into a TreeSet for good, so a large
 * set keeps logarithmic inserts. Null members are refused. Not thread-safe.
 */
public final class SmallSortedSet<T extends Comparable<? super T>> extends AbstractSet<T> {
  private static final int ARRAY_MAX = 64;
  private static final Object[] EMPTY = {};

  private Object[] items = EMPTY;
  private int size;
  private TreeSet<T> big;

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
    return o != null && indexOf(o) >= 0;
  }

  @Override
  public boolean add(T t) {
    if (t == null) {
      throw new NullPointerException("SmallSortedSet refuses null members");
    }
    if (big != null) {
      return big.add(t);
    }
    int i = indexOf(t);
    if (i >= 0) {
      return false;
    }
    if (size == ARRAY_MAX) {
      big = new TreeSet<>();
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
      items = Arrays.copyOf(items, Math.min(ARRAY_MAX, Math.max(2, size * 2)));
    }
    System.arraycopy(items, at, items, at + 1, size - at);
    items[at] = t;
    size++;
    modCount++;
    return true;
  }

  @Override
  public boolean remove(Object o) {
    if (big != null) {
      return big.remove(o);
    }
    int i = o == null ? -1 : indexOf(o);
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

  /** Binary search: the index, or {@code -(insertion point) - 1}. */
  @SuppressWarnings("unchecked")
  private int indexOf(Object o) {
    return Arrays.binarySearch(items, 0, size, (T) o, null);
  }

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
