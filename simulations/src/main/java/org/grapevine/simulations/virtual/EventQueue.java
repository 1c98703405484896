package org.grapevine.simulations.virtual;

import java.util.Arrays;

/**
 * The virtual clock and the events waiting for it, in (time, scheduling order).
 *
 * <p>A 4-ary min-heap over parallel arrays: the keys (time, seq) sit in two {@code long[]}, so a
 * sift compares primitives in adjacent memory instead of comparing events scattered over the heap
 * (with millions of events waiting, a {@code PriorityQueue}'s sift was the simulator's single
 * hottest spot, mostly cache misses). Every key is distinct (seq is), so the order events come out
 * in is the same as any correct priority queue's.
 */
final class EventQueue {
  private static final int INITIAL = 1 << 10;

  private SimEvent[] events = new SimEvent[INITIAL];
  private long[] times = new long[INITIAL];
  private long[] seqs = new long[INITIAL];
  private int size;
  private long seq;
  private long now;

  long now() {
    return now;
  }

  /** Events waiting. */
  int size() {
    return size;
  }

  /** Schedules {@code e} at {@code time} (never before now). */
  void at(long time, SimEvent e) {
    long t = Math.max(time, now);
    long s = seq++;
    if (size == events.length) {
      int capacity = events.length * 2;
      events = Arrays.copyOf(events, capacity);
      times = Arrays.copyOf(times, capacity);
      seqs = Arrays.copyOf(seqs, capacity);
    }
    siftUp(size++, e, t, s);
  }

  /** The next event due at or before {@code until}, with the clock moved to it; null if none. */
  SimEvent next(long until) {
    if (size == 0 || times[0] > until) {
      return null;
    }
    SimEvent e = events[0];
    long t = times[0];
    int last = --size;
    SimEvent moved = events[last];
    events[last] = null;
    if (last > 0) {
      siftDown(0, moved, times[last], seqs[last]);
    }
    now = t;
    return e;
  }

  void advanceTo(long time) {
    now = Math.max(now, time);
  }

  private void siftUp(int i, SimEvent e, long t, long s) {
    while (i > 0) {
      int parent = (i - 1) >>> 2;
      if (!less(t, s, times[parent], seqs[parent])) {
        break;
      }
      place(i, events[parent], times[parent], seqs[parent]);
      i = parent;
    }
    place(i, e, t, s);
  }

  private void siftDown(int i, SimEvent e, long t, long s) {
    while (true) {
      int first = (i << 2) + 1;
      if (first >= size) {
        break;
      }
      int best = first;
      int end = Math.min(first + 4, size);
      for (int c = first + 1; c < end; c++) {
        if (less(times[c], seqs[c], times[best], seqs[best])) {
          best = c;
        }
      }
      if (!less(times[best], seqs[best], t, s)) {
        break;
      }
      place(i, events[best], times[best], seqs[best]);
      i = best;
    }
    place(i, e, t, s);
  }

  private void place(int i, SimEvent e, long t, long s) {
    events[i] = e;
    times[i] = t;
    seqs[i] = s;
  }

  private static boolean less(long t1, long s1, long t2, long s2) {
    return t1 < t2 || (t1 == t2 && s1 < s2);
  }
}
