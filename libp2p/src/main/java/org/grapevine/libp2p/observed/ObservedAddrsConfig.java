package org.grapevine.libp2p.observed;

import java.time.Duration;

/**
 * Settings of {@link ObservedAddrs}.
 *
 * @param activationThreshold distinct observer networks (IPv4 /16, IPv6 /48) that must report an
 *     address within {@code windowNanos} before it counts as confirmed; 4 as go-libp2p's observed
 *     address manager activates by default
 * @param windowNanos how long one observation counts; an address nobody reported for this long is
 *     forgotten (30 minutes, go-libp2p's TTL for own observed addresses)
 * @param maxAddrs candidate public addresses kept; beyond it the least recently reported goes
 * @param maxObserversPerAddr observer networks kept per address (enough above the threshold)
 * @param maxLanAddrs loopback and private addresses kept
 */
public record ObservedAddrsConfig(
    int activationThreshold,
    long windowNanos,
    int maxAddrs,
    int maxObserversPerAddr,
    int maxLanAddrs) {

  public ObservedAddrsConfig {
    if (activationThreshold < 1 || windowNanos <= 0 || maxAddrs < 1 || maxLanAddrs < 1) {
      throw new IllegalArgumentException("observed-address limits must be positive");
    }
    if (maxObserversPerAddr < activationThreshold) {
      throw new IllegalArgumentException(
          "maxObserversPerAddr " + maxObserversPerAddr + " below the threshold");
    }
  }

  /** Threshold 4, window 30 min, 64 addresses of 16 observer networks each, 16 LAN addresses. */
  public static ObservedAddrsConfig defaults() {
    return new ObservedAddrsConfig(4, Duration.ofMinutes(30).toNanos(), 64, 16, 16);
  }

  /** These settings with another activation threshold (tests, small networks). */
  public ObservedAddrsConfig withActivationThreshold(int threshold) {
    return new ObservedAddrsConfig(
        threshold, windowNanos, maxAddrs, Math.max(maxObserversPerAddr, threshold), maxLanAddrs);
  }
}
