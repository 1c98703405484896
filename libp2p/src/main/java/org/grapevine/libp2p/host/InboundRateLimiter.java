package org.grapevine.libp2p.host;

/**
 * A token bucket for new inbound connections: at most {@code perSecond} on average, bursts of up to
 * {@code burst}. Sans-I/O: the caller passes the time. Not thread-safe (used on the accept loop).
 */
public final class InboundRateLimiter {
  private static final long NANOS_PER_SECOND = 1_000_000_000L;
  private final double perSecond;
  private final double burst;
  private double tokens;
  private long lastNanos;
  private boolean started;

  public InboundRateLimiter(double perSecond, int burst) {
    if (perSecond <= 0 || burst < 1) {
      throw new IllegalArgumentException(
          "rate " + perSecond + "/s and burst " + burst + " must be positive");
    }
    this.perSecond = perSecond;
    this.burst = burst;
    this.tokens = burst;
  }

  /** Whether a connection arriving at {@code nowNanos} may be accepted; takes a token if so. */
  public boolean tryAcquire(long nowNanos) {
    if (started) {
      tokens = Math.min(burst, tokens + (nowNanos - lastNanos) * perSecond / NANOS_PER_SECOND);
    }
    started = true;
    lastNanos = nowNanos;
    if (tokens >= 1) {
      tokens -= 1;
      return true;
    }
    return false;
  }
}
