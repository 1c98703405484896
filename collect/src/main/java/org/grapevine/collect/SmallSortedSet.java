package org.grapevine.collect;

import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;

/**
 * A set in natural order, as {@link TreeSet} iterates, that costs one sorted array while it has at
 * most {@value #ARRAY_MAX} members (binary search to find, a shift to insert). A sync session keeps
 * several sets of identities, nearly all of a few members, and a simulation holds hundreds of
 * thousands of sessions at once: a TreeSet spends about 60 bytes plus 40 per member, the array 4
 * per member. Past {@value #ARRAY_MAX} members the set moves into a TreeSet for good, so a large
 * set keeps logarithmic inserts. Null members are refused. Not thread-safe.
 */
public final class SmallSortedSet<T extends Comparable<? super T>> extends ArraySet<T> {
  private static final int ARRAY_MAX = 64;

  @Override
  int arrayMax() {
    return ARRAY_MAX;
  }

  @Override
  Set<T> newBig() {
    return new TreeSet<>();
  }

  /** Binary search in natural order. */
  @Override
  int find(Object[] items, int size, Object o) {
    return Arrays.binarySearch(items, 0, size, o);
  }
}
