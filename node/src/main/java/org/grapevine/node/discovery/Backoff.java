package org.grapevine.node.discovery;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * Redial delays: {@code base * 2^(failures-1)}, capped, with "equal jitter" (a uniform draw from
 * the upper half of the delay) so that peers who lost the same node do not all redial at once,
 * while the delay still grows and never exceeds the cap.
 */
final class Backoff {
  private final long baseNanos;
  private final long capNanos;

  Backoff(Duration base, Duration cap) {
    this.baseNanos = base.toNanos();
    this.capNanos = cap.toNanos();
  }

  /** The un-jittered delay after {@code failures} (at least 1) failures in a row. */
  long ceilingNanos(int failures) {
    int shift = Math.min(Math.max(failures, 1) - 1, 62);
    long d = baseNanos;
    for (int i = 0; i < shift && d < capNanos; i++) {
      d = d > capNanos / 2 ? capNanos : d * 2;
    }
    return Math.min(d, capNanos);
  }

  /** A delay in [ceiling/2, ceiling]. */
  long delayNanos(int failures, RandomGenerator random) {
    long ceiling = ceilingNanos(failures);
    long half = ceiling / 2;
    return half + random.nextLong(ceiling - half + 1);
  }
}
