package org.grapevine.libp2p.limits;

import java.time.Duration;

/**
 * One token bucket: {@code burst} tokens at most, refilled at {@code tokens} per {@code period}.
 * Sans-I/O: the caller passes monotonic nanos; not thread-safe.
 *
 * <p>Rules: the bucket starts full at its first {@link #tryAcquire}; time that runs backwards
 * refills nothing; each acquisition takes one whole token.
 */
public final class TokenBucket {
  private final double perNano;
  private final int burst;
  private double tokens;
  private long lastNanos;
  private boolean started;

  /**
   * @param tokens how many tokens one {@code period} refills (need not be whole)
   * @param period over which {@code tokens} are refilled
   * @param burst the most tokens the bucket holds, and what it starts with
   */
  public TokenBucket(double tokens, Duration period, int burst) {
    check(tokens, period, burst);
    this.perNano = tokens / period.toNanos();
    this.burst = burst;
    this.tokens = burst;
  }

  static void check(double tokens, Duration period, int burst) {
    if (!(tokens > 0) || period.isNegative() || period.isZero() || burst < 1) {
      throw new IllegalArgumentException(
          "rate " + tokens + " per " + period + " and burst " + burst + " must be positive");
    }
  }

  /** Takes a token if there is one at {@code nowNanos}: false means refuse. */
  public boolean tryAcquire(long nowNanos) {
    if (started) {
      long elapsed = Math.max(0, nowNanos - lastNanos);
      tokens = Math.min(burst, tokens + elapsed * perNano);
    }
    started = true;
    lastNanos = nowNanos;
    if (tokens < 1) {
      return false;
    }
    tokens -= 1;
    return true;
  }
}
