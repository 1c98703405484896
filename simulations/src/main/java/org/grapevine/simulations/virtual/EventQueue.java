package org.grapevine.simulations.virtual;

import java.util.PriorityQueue;

/** The virtual clock and the events waiting for it, in (time, scheduling order). */
final class EventQueue {
  private final PriorityQueue<SimEvent> queue = new PriorityQueue<>();
  private long seq;
  private long now;

  long now() {
    return now;
  }

  /** Schedules {@code e} at {@code time} (never before now). */
  void at(long time, SimEvent e) {
    e.time = Math.max(time, now);
    e.seq = seq++;
    queue.add(e);
  }

  /** The next event due at or before {@code until}, with the clock moved to it; null if none. */
  SimEvent next(long until) {
    SimEvent e = queue.peek();
    if (e == null || e.time > until) {
      return null;
    }
    queue.poll();
    now = e.time;
    return e;
  }

  void advanceTo(long time) {
    now = Math.max(now, time);
  }
}
