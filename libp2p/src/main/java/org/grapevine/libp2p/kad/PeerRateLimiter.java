package org.grapevine.libp2p.kad;

import java.util.LinkedHashMap;
import java.util.Map;
import org.grapevine.libp2p.peer.PeerId;

/**
 * A token bucket per peer for inbound DHT requests: {@code burst} requests at once, refilled at
 * {@code perSecond}. Bounded: at most {@code maxPeers} buckets, the least recently active one
 * forgotten beyond it. A forgotten peer starts again with a full bucket; that gives it nothing a
 * fresh peer ID would not (IDs are free), and the peers that keep asking stay tracked. Not
 * thread-safe; time is the caller's monotonic nanos.
 */
final class PeerRateLimiter {
  private static final double NANOS_PER_SECOND = 1e9;

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
  private final int maxPeers;
  private final Map<PeerId, Bucket> buckets = new LinkedHashMap<>(16, 0.75f, true);
  private long forgotten;

  PeerRateLimiter(double perSecond, int burst, int maxPeers) {
    if (perSecond <= 0 || burst < 1 || maxPeers < 1) {
      throw new IllegalArgumentException("rate, burst and peers must be positive");
    }
    this.perNano = perSecond / NANOS_PER_SECOND;
    this.burst = burst;
    this.maxPeers = maxPeers;
  }

  /** Takes one token of {@code peer}'s: false if it has none (refuse the request). */
  boolean tryAcquire(PeerId peer, long nowNanos) {
    Bucket b = buckets.get(peer);
    if (b == null) {
      if (buckets.size() >= maxPeers) {
        var eldest = buckets.keySet().iterator();
        eldest.next();
        eldest.remove();
        forgotten++;
      }
      b = new Bucket(burst, nowNanos);
      buckets.put(peer, b);
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

  int trackedPeers() {
    return buckets.size();
  }

  /** Buckets dropped to stay within {@code maxPeers}. */
  long forgotten() {
    return forgotten;
  }
}
