package org.grapevine.node.storage;

import java.util.AbstractSet;
import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.SortedSet;

/**
 * An unmodifiable set in ascending order in one array, {@code contains} by binary search: what a
 * store hands out as a snapshot replaced on every change (its follows). An unmodifiable TreeSet of
 * five members costs about 500 bytes; this, 50 (a simulation holds one per node).
 */
final class SortedSnapshot<T extends Comparable<? super T>> extends AbstractSet<T> {
  private final Object[] members;

  private SortedSnapshot(Object[] members) {
    this.members = members;
  }

  /** A snapshot of {@code set}, whose order is its members' natural order. */
  static <T extends Comparable<? super T>> SortedSnapshot<T> of(SortedSet<T> set) {
    if (set.comparator() != null) {
      throw new IllegalArgumentException("SortedSnapshot keeps natural order only");
    }
    return new SortedSnapshot<>(set.toArray());
  }

  @Override
  public int size() {
    return members.length;
  }

  @Override
  public boolean contains(Object o) {
    // Arrays.binarySearch casts to Comparable, which a member of another type might refuse.
    try {
      return o != null && Arrays.binarySearch(members, o) >= 0;
    } catch (ClassCastException notAMember) {
      return false;
    }
  }

  @Override
  public Iterator<T> iterator() {
    return new Iterator<>() {
      private int next;

      @Override
      public boolean hasNext() {
        return next < members.length;
      }

      @Override
      @SuppressWarnings("unchecked") // Only Ts are stored.
      public T next() {
        if (next >= members.length) {
          throw new NoSuchElementException();
        }
        return (T) members[next++];
      }
    };
  }
}
