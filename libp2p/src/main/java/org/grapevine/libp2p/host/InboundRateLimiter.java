package org.grapevine.libp2p.host;

import java.time.Duration;
import org.grapevine.libp2p.limits.TokenBucket;

/**
 * A token bucket for new inbound connections: at most {@code perSecond} on average, bursts of up to
 * {@code burst}. Sans-I/O: the caller passes the time. Not thread-safe (used on the accept loop).
 */
public final class InboundRateLimiter {
  private final TokenBucket bucket;

  public InboundRateLimiter(double perSecond, int burst) {
    this.bucket = new TokenBucket(perSecond, Duration.ofSeconds(1), burst);
  }

  /** Whether a connection arriving at {@code nowNanos} may be accepted; takes a token if so. */
  public boolean tryAcquire(long nowNanos) {
    return bucket.tryAcquire(nowNanos);
  }
}
