package org.grapevine.libp2p.limits;

import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A {@link TokenBucket} per key (a peer, an IP), all with the same rate and burst. Sans-I/O: the
 * caller passes monotonic nanos; not thread-safe.
 *
 * <p>Bounded: at most {@code maxKeys} buckets; a new key beyond that forgets the least recently
 * used one (counted by {@link #forgotten}). A forgotten key starts full again. That gives it
 * nothing a fresh identity would not, and it is what keeps an attacker with many keys from either
 * growing the map or locking everyone else out; the keys that keep asking stay tracked.
 */
public final class KeyedTokenBuckets<K> {
  private final double tokens;
  private final Duration period;
  private final int burst;
  private final int maxKeys;
  private final Map<K, TokenBucket> buckets = new LinkedHashMap<>(16, 0.75f, true);
  private long forgotten;

  /** Each key's bucket: see {@link TokenBucket#TokenBucket}; at most {@code maxKeys} buckets. */
  public KeyedTokenBuckets(double tokens, Duration period, int burst, int maxKeys) {
    if (maxKeys < 1) {
      throw new IllegalArgumentException("maxKeys " + maxKeys + " must be positive");
    }
    TokenBucket.check(tokens, period, burst);
    this.tokens = tokens;
    this.period = period;
    this.burst = burst;
    this.maxKeys = maxKeys;
  }

  /** Takes a token of {@code key}'s if it has one at {@code nowNanos}: false means refuse. */
  public boolean tryAcquire(K key, long nowNanos) {
    TokenBucket b = buckets.get(key);
    if (b == null) {
      Iterator<K> eldest = buckets.keySet().iterator();
      while (buckets.size() >= maxKeys && eldest.hasNext()) {
        eldest.next();
        eldest.remove();
        forgotten++;
      }
      b = new TokenBucket(tokens, period, burst);
      buckets.put(key, b);
    }
    return b.tryAcquire(nowNanos);
  }

  /** Keys with a bucket now. */
  public int size() {
    return buckets.size();
  }

  /** Buckets dropped to stay within {@code maxKeys}. */
  public long forgotten() {
    return forgotten;
  }
}
