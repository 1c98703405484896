package org.grapevine.libp2p.gossipsub;

import java.util.HashMap;
import java.util.Map;
import org.grapevine.libp2p.peer.PeerId;

/**
 * Per topic, per peer backoff expiries (gossipsub-v1.1.md "Prune Backoff and Peer Exchange"): while
 * one runs, neither side may GRAFT the other in that topic. Setting a backoff never shortens one
 * already running.
 */
final class Backoffs {
  /** Null until the first backoff: most routers of a large simulation never set one. */
  private Map<String, Map<PeerId, Long>> byTopic;

  void set(String topic, PeerId peer, long untilNanos) {
    if (byTopic == null) {
      byTopic = new HashMap<>();
    }
    byTopic
        .computeIfAbsent(topic, t -> new HashMap<>())
        .merge(peer, untilNanos, (a, b) -> b - a > 0 ? b : a);
  }

  boolean isBackedOff(String topic, PeerId peer, long nowNanos) {
    Long until = expiry(topic, peer);
    return until != null && until - nowNanos > 0;
  }

  /** The expiry, or null when none is recorded (expired ones may linger until {@link #prune}). */
  Long expiry(String topic, PeerId peer) {
    Map<PeerId, Long> m = byTopic == null ? null : byTopic.get(topic);
    return m == null ? null : m.get(peer);
  }

  void prune(long nowNanos) {
    if (byTopic == null) {
      return;
    }
    byTopic.values().forEach(m -> m.values().removeIf(until -> until - nowNanos <= 0));
    byTopic.values().removeIf(Map::isEmpty);
  }

  int size() {
    return byTopic == null ? 0 : byTopic.values().stream().mapToInt(Map::size).sum();
  }
}
