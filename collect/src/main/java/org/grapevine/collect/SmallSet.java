package org.grapevine.collect;

import java.util.LinkedHashSet;
import java.util.Set;

/**
 * A set in insertion order, as {@link LinkedHashSet} iterates (re-adding a member does not move
 * it), that costs one small array while it has at most {@value #ARRAY_MAX} members. Most of a
 * node's sets are that small: the router's meshes and the peers known in each topic (at 100,000
 * simulated nodes there are millions of them, most with one member, and a LinkedHashSet spends
 * about 200 bytes on a one-member set), the sync planner's peers being opened. Membership is a
 * linear scan while small; past {@value #ARRAY_MAX} members the set moves into a LinkedHashSet for
 * good, in the same order. Null members are refused. Not thread-safe.
 */
public final class SmallSet<T> extends ArraySet<T> {
  private static final int ARRAY_MAX = 16;

  @Override
  int arrayMax() {
    return ARRAY_MAX;
  }

  @Override
  Set<T> newBig() {
    return new LinkedHashSet<>();
  }

  /** A linear scan; a new member goes last. */
  @Override
  int find(Object[] items, int size, Object o) {
    for (int i = 0; i < size; i++) {
      if (items[i].equals(o)) {
        return i;
      }
    }
    return -size - 1;
  }
}
