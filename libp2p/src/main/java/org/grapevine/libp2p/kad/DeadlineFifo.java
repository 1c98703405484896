package org.grapevine.libp2p.kad;

import java.util.function.LongPredicate;

/**
 * Deadlines of requests in flight, added in non-decreasing order (every request of one kind gets
 * the same timeout from non-decreasing times), so the earliest is the oldest still in flight. The
 * {@link Dht} reads it after every input ({@link Dht#pollTimeout}); a scan of every request in
 * flight there cost more than the rest of the Dht together in a 1,000-node simulation.
 *
 * <p>Requests that end are not removed here: {@link #earliest} drops the settled ones it meets at
 * the head (each at most once), so it is amortised O(1) and exactly the minimum over those still in
 * flight. Not thread-safe; plain data the Dht drives.
 */
final class DeadlineFifo {
  private final LongPredicate inFlight;
  private long[] ids = new long[16];
  private long[] deadlines = new long[16];
  private int head;
  private int size;

  /**
   * @param inFlight whether a request id is still in flight
   */
  DeadlineFifo(LongPredicate inFlight) {
    this.inFlight = inFlight;
  }

  /**
   * A request in flight until {@code deadlineNanos}.
   *
   * @throws IllegalArgumentException if it is earlier than the last added: the order is the point
   */
  void add(long id, long deadlineNanos) {
    if (size > 0 && deadlineNanos < deadlines[(head + size - 1) & (ids.length - 1)]) {
      throw new IllegalArgumentException("deadlines must be added in non-decreasing order");
    }
    earliest(); // drops the settled head, so that a driver that never polls keeps it short
    if (size == ids.length) {
      grow();
    }
    int i = (head + size) & (ids.length - 1);
    ids[i] = id;
    deadlines[i] = deadlineNanos;
    size++;
  }

  /**
   * The earliest deadline among the requests still in flight, or {@code Long.MAX_VALUE} if none;
   * the settled requests met before it are forgotten.
   */
  long earliest() {
    while (size > 0 && !inFlight.test(ids[head])) {
      head = (head + 1) & (ids.length - 1);
      size--;
    }
    return size == 0 ? Long.MAX_VALUE : deadlines[head];
  }

  /** Entries held, settled ones not yet dropped included (for tests). */
  int held() {
    return size;
  }

  private void grow() {
    long[] newIds = new long[ids.length * 2];
    long[] newDeadlines = new long[ids.length * 2];
    for (int k = 0; k < size; k++) {
      int i = (head + k) & (ids.length - 1);
      newIds[k] = ids[i];
      newDeadlines[k] = deadlines[i];
    }
    ids = newIds;
    deadlines = newDeadlines;
    head = 0; // both arrays stay a power of two long, for the masks above
  }
}
