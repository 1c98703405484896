package org.grapevine.libp2p.autonat;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A token bucket per key: {@code burst} at once, refilled at {@code perMinute}. Bounded to {@code
 * maxKeys} buckets, the least recently used forgotten beyond it (a forgotten key starts full again,
 * which gives it nothing a fresh peer ID would not). Not thread-safe; time is the caller's.
 */
final class TokenBuckets<K> {
  private static final double NANOS_PER_MINUTE = 60e9;

  private static final class Bucket {
    double tokens;
    long lastNanos;

    Bucket(double tokens, long lastNanos) {
      this.tokens = tokens;
      this.lastNanos = lastNanos;
    }
  }

  private final double perNano;
  private final int burst;
  private final int maxKeys;
  private final Map<K, Bucket> buckets = new LinkedHashMap<>(16, 0.75f, true);

  TokenBuckets(double perMinute, int burst, int maxKeys) {
    if (perMinute <= 0 || burst < 1 || maxKeys < 1) {
      throw new IllegalArgumentException("rate, burst and keys must be positive");
    }
    this.perNano = perMinute / NANOS_PER_MINUTE;
    this.burst = burst;
    this.maxKeys = maxKeys;
  }

  /** Takes a token of {@code key}'s; false if it has none. */
  boolean tryAcquire(K key, long nowNanos) {
    Bucket b = buckets.get(key);
    if (b == null) {
      Iterator<K> eldest = buckets.keySet().iterator();
      while (buckets.size() >= maxKeys && eldest.hasNext()) {
        eldest.next();
        eldest.remove();
      }
      b = new Bucket(burst, nowNanos);
      buckets.put(key, b);
    }
    long elapsed = Math.max(0, nowNanos - b.lastNanos);
    b.tokens = Math.min(burst, b.tokens + elapsed * perNano);
    b.lastNanos = nowNanos;
    if (b.tokens < 1) {
      return false;
    }
    b.tokens -= 1;
    return true;
  }

  int size() {
    return buckets.size();
  }
}
