package org.grapevine.collect;

import java.util.Arrays;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * A first-in first-out queue of the kind a sans-I/O core fills during one input and its driver
 * drains right after: empty nearly always, at times a burst. It holds no array while empty after
 * its first use ends, and gives a burst's large array back once drained, where an {@link
 * java.util.ArrayDeque} keeps its largest array for good (a million simulated nodes hold five such
 * queues each, most of them empty). Null elements are refused. Not thread-safe.
 */
public final class Fifo<T> {
  private static final int FIRST = 4;

  /** Kept when drained: a queue that took a few keeps room for a few. */
  private static final int KEPT = 8;

  private Object[] items;
  private int head;
  private int size;

  public void add(T item) {
    Objects.requireNonNull(item, "Fifo refuses null elements");
    if (items == null) {
      items = new Object[FIRST];
    } else if (size == items.length) {
      Object[] grown = new Object[size * 2];
      int firstPart = items.length - head;
      System.arraycopy(items, head, grown, 0, firstPart);
      System.arraycopy(items, 0, grown, firstPart, head);
      items = grown;
      head = 0;
    }
    items[(head + size) % items.length] = item;
    size++;
  }

  /** The oldest element, removed; null when empty. */
  @SuppressWarnings("unchecked") // Only Ts are stored.
  public T poll() {
    if (size == 0) {
      return null;
    }
    T item = (T) items[head];
    items[head] = null;
    head = (head + 1) % items.length;
    size--;
    if (size == 0) {
      head = 0;
      if (items.length > KEPT) {
        items = null;
      }
    }
    return item;
  }

  public boolean isEmpty() {
    return size == 0;
  }

  public int size() {
    return size;
  }

  /** Removes the elements {@code filter} accepts, keeping the others' order; true if any. */
  @SuppressWarnings("unchecked") // Only Ts are stored.
  public boolean removeIf(Predicate<? super T> filter) {
    int kept = 0;
    Object[] left = new Object[size];
    for (int i = 0; i < size; i++) {
      T item = (T) items[(head + i) % items.length];
      if (!filter.test(item)) {
        left[kept++] = item;
      }
    }
    if (kept == size) {
      return false;
    }
    Arrays.fill(items, null);
    System.arraycopy(left, 0, items, 0, kept);
    head = 0;
    size = kept;
    return true;
  }
}
