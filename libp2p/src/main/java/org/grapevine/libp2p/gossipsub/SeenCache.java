package org.grapevine.libp2p.gossipsub;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Ids of messages seen recently (gossipsub-v1.0.md "seen"): a time cache with a fixed TTL, driven
 * by the {@code nowNanos} the caller passes. Entries expire in insertion order, so pruning only
 * looks at the oldest ones. Re-adding does not extend an entry's life, as in go's time cache.
 */
final class SeenCache {
  private final long ttlNanos;
  private final LinkedHashMap<MessageId, Long> expiries = new LinkedHashMap<>();

  SeenCache(long ttlNanos) {
    if (ttlNanos <= 0) {
      throw new IllegalArgumentException("ttl must be positive");
    }
    this.ttlNanos = ttlNanos;
  }

  /** Adds {@code id}; true when it was not already present (and unexpired). */
  boolean add(MessageId id, long nowNanos) {
    prune(nowNanos);
    return expiries.putIfAbsent(id, nowNanos + ttlNanos) == null;
  }

  boolean contains(MessageId id, long nowNanos) {
    Long expiry = expiries.get(id);
    return expiry != null && expiry - nowNanos > 0;
  }

  void prune(long nowNanos) {
    Iterator<Map.Entry<MessageId, Long>> it = expiries.entrySet().iterator();
    while (it.hasNext()) {
      if (it.next().getValue() - nowNanos > 0) {
        return;
      }
      it.remove();
    }
  }

  int size() {
    return expiries.size();
  }
}
