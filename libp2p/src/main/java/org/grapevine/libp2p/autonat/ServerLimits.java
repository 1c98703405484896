package org.grapevine.libp2p.autonat;

import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.grapevine.libp2p.limits.KeyedTokenBuckets;
import org.grapevine.libp2p.limits.TokenBucket;
import org.grapevine.libp2p.peer.PeerId;

/**
 * Admission for AutoNAT requests, v1 and v2 together (a peer gains nothing by switching version):
 * one request per peer at a time, {@code maxConcurrent} in all, and token buckets per peer and
 * global. A refused request gets {@code E_REQUEST_REJECTED}. Not thread-safe.
 */
public final class ServerLimits {
  private final AutonatServerConfig config;
  private final Set<PeerId> inFlight = new HashSet<>();
  private final KeyedTokenBuckets<PeerId> perPeer;
  private final TokenBucket global;

  public ServerLimits(AutonatServerConfig config) {
    this.config = config;
    this.perPeer =
        new KeyedTokenBuckets<>(
            config.perPeerPerMinute(),
            Duration.ofMinutes(1),
            config.perPeerBurst(),
            config.maxTrackedPeers());
    this.global =
        new TokenBucket(config.globalPerMinute(), Duration.ofMinutes(1), config.maxConcurrent());
  }

  /** Admits a request of {@code peer}'s (then {@link #release} it when done), or refuses it. */
  boolean tryAdmit(PeerId peer, long nowNanos) {
    if (inFlight.contains(peer) || inFlight.size() >= config.maxConcurrent()) {
      return false;
    }
    // The peer's own bucket first: a peer over its rate must not drain the global one.
    if (!perPeer.tryAcquire(peer, nowNanos) || !global.tryAcquire(nowNanos)) {
      return false;
    }
    inFlight.add(peer);
    return true;
  }

  void release(PeerId peer) {
    inFlight.remove(peer);
  }

  /** Requests being served now. */
  public int inFlight() {
    return inFlight.size();
  }
}
