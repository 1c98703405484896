package org.grapevine.simulations.distributed;

/**
 * An agent's clock offset to the coordinator's from ping exchanges (as NTP does): the coordinator
 * sends at {@code t0} (its clock), the agent receives at {@code t1} and answers at {@code t2} (its
 * clock), the coordinator receives at {@code t3}. For one exchange, {@code offset = ((t1 - t0) +
 * (t2 - t3)) / 2} (agent clock minus coordinator clock) is exact when both ways took equally long,
 * and off by at most half the round trip {@code (t3 - t0) - (t2 - t1)} otherwise: so the sample
 * with the smallest round trip is kept, and half its round trip is the uncertainty.
 */
final class ClockSync {
  private long bestRtt = Long.MAX_VALUE;
  private long offset;
  private int samples;

  /** One exchange's four times, nanoseconds. */
  void sample(long t0, long t1, long t2, long t3) {
    long rtt = (t3 - t0) - (t2 - t1);
    samples++;
    if (rtt >= 0 && rtt < bestRtt) {
      bestRtt = rtt;
      offset = Math.floorDiv((t1 - t0) + (t2 - t3), 2);
    }
  }

  boolean known() {
    return bestRtt != Long.MAX_VALUE;
  }

  int samples() {
    return samples;
  }

  /** Agent clock minus coordinator clock, nanoseconds. */
  long offsetNanos() {
    return offset;
  }

  /** How far the offset may be off: half the best round trip. */
  long uncertaintyNanos() {
    return known() ? bestRtt / 2 : Long.MAX_VALUE;
  }

  /** An agent's time on the coordinator's clock. */
  long toCoordinator(long agentNanos) {
    return agentNanos - offset;
  }
}
