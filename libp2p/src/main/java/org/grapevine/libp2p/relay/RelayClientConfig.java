package org.grapevine.libp2p.relay;

import java.time.Duration;

/**
 * How the relay client keeps its reservations.
 *
 * @param wantedRelays how many relays to hold reservations on at once
 * @param renewFraction when to renew, as a fraction of the lifetime the relay granted (0.75: a 1 h
 *     reservation is renewed after 45 min, leaving time for a retry elsewhere if it fails)
 * @param retryBase wait before asking a relay again after it failed or refused; doubles with each
 *     failure in a row
 * @param retryMax the longest such wait
 * @param maxInboundCircuits relayed connections being set up or open at once (stop side)
 */
public record RelayClientConfig(
    int wantedRelays,
    double renewFraction,
    Duration retryBase,
    Duration retryMax,
    int maxInboundCircuits) {
  public static final RelayClientConfig DEFAULT =
      new RelayClientConfig(2, 0.75, Duration.ofSeconds(30), Duration.ofMinutes(30), 32);

  public RelayClientConfig {
    if (wantedRelays < 1
        || !(renewFraction > 0 && renewFraction < 1)
        || retryBase.isNegative()
        || retryMax.compareTo(retryBase) < 0
        || maxInboundCircuits < 0) {
      throw new IllegalArgumentException("invalid relay client config " + this);
    }
  }

  public RelayClientConfig withWantedRelays(int n) {
    return new RelayClientConfig(n, renewFraction, retryBase, retryMax, maxInboundCircuits);
  }

  public RelayClientConfig withRetry(Duration base, Duration max) {
    return new RelayClientConfig(wantedRelays, renewFraction, base, max, maxInboundCircuits);
  }
}
