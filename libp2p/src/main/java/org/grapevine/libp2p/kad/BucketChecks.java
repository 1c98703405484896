package org.grapevine.libp2p.kad;

import java.util.OptionalLong;

/**
 * The checks of {@link RoutingTable} buckets (its rules 2 and 3): their start, their four ends,
 * their deadlines and their counters. Plain bookkeeping over the table's {@link KBucket}s, not
 * thread-safe.
 *
 * <p>Invariants: a bucket's {@code checking} and {@code waiting} are set and cleared together, and
 * {@link #underWay} counts the buckets where they are set, so that a table with no check scans
 * nothing. The table's size is the table's: the ends here that let a peer in either swap it for the
 * checked one or are counted there.
 */
final class BucketChecks {
  private final long checkTimeoutNanos;

  /** Buckets with a check under way: with none, {@link #pollTimeout} scans nothing. */
  private int underWay;

  private long started;
  private long failed;
  private long waitingReplaced;
  private long waitingDropped;

  BucketChecks(long checkTimeoutNanos) {
    this.checkTimeoutNanos = checkTimeoutNanos;
  }

  /**
   * Full bucket {@code b}, no check under way: its least recently seen peer is to be checked, and
   * {@code newcomer} waits on the answer.
   *
   * @return the peer to check
   */
  KadPeer start(KBucket b, KadPeer newcomer, long nowNanos) {
    TableEntry oldest = b.entries.values().iterator().next();
    b.checking = oldest.peer.id();
    underWay++;
    b.waiting = newcomer;
    b.checkDeadlineNanos = nowNanos + checkTimeoutNanos;
    started++;
    return oldest.peer;
  }

  /** Full bucket {@code b}, a check under way: {@code newcomer} waits on it instead. */
  void waitOn(KBucket b, KadPeer newcomer) {
    if (!newcomer.id().equals(b.waiting.id())) {
      waitingReplaced++;
    }
    b.waiting = newcomer;
  }

  /**
   * The check of {@code b} ended. Alive: the checked peer moves to the back and the waiting one is
   * dropped. Dead: the checked peer leaves and the waiting one takes its place.
   */
  void end(KBucket b, boolean alive, long nowNanos) {
    if (alive) {
      TableEntry e = b.entries.get(b.checking);
      e.lastSeenNanos = nowNanos;
      b.touch(b.checking, e);
      waitingDropped++;
    } else {
      failed++;
      b.entries.remove(b.checking);
      b.entries.put(b.waiting.id(), new TableEntry(b.waiting, nowNanos));
    }
    clear(b);
  }

  /** Nobody waits for the check of {@code b} any more: it ends, and the checked peer stays. */
  void abandon(KBucket b) {
    clear(b);
  }

  /**
   * A peer left {@code b} while a check was under way: the waiting peer takes the freed place
   * without an eviction (the table counts it), and the check ends, the checked peer staying either
   * way.
   */
  void admitWaiting(KBucket b, long nowNanos) {
    b.entries.put(b.waiting.id(), new TableEntry(b.waiting, nowNanos));
    clear(b);
  }

  /** Checks past their deadline count as dead; buckets in index order. */
  void handleTimeout(KBucket[] buckets, int bucketsInUse, long nowNanos) {
    if (underWay == 0) {
      return;
    }
    for (int i = 0; i < bucketsInUse; i++) {
      KBucket b = buckets[i];
      if (b != null && b.checking != null && b.checkDeadlineNanos <= nowNanos) {
        end(b, false, nowNanos);
      }
    }
  }

  /** The earliest deadline of a check under way. */
  OptionalLong pollTimeout(KBucket[] buckets, int bucketsInUse) {
    if (underWay == 0) {
      return OptionalLong.empty();
    }
    long min = Long.MAX_VALUE;
    boolean any = false;
    for (int i = 0; i < bucketsInUse; i++) {
      KBucket b = buckets[i];
      if (b != null && b.checking != null) {
        min = Math.min(min, b.checkDeadlineNanos);
        any = true;
      }
    }
    return any ? OptionalLong.of(min) : OptionalLong.empty();
  }

  private void clear(KBucket b) {
    b.checking = null;
    underWay--;
    b.waiting = null;
  }

  long started() {
    return started;
  }

  long failed() {
    return failed;
  }

  long waitingDropped() {
    return waitingDropped;
  }

  long waitingReplaced() {
    return waitingReplaced;
  }
}
