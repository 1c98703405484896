package org.grapevine.libp2p.autonat;

import java.time.Duration;

/**
 * Settings of the AutoNAT servers ({@link AutonatServer}, {@link AutonatV1Server}); both share the
 * rate limits through one {@link ServerLimits}.
 *
 * @param allowPrivateAddrs TEST ONLY: dial loopback and private addresses too. The spec says the
 *     server SHOULD NOT dial private addresses, and a real server refuses them (they would make it
 *     probe its own LAN for anyone who asks); tests on 127.0.0.1 turn this on.
 * @param dialIpv4 whether this server has IPv4 connectivity (refuses IPv4 addresses otherwise)
 * @param dialIpv6 whether this server has IPv6 connectivity
 * @param minDialDataBytes the least dial data asked for when the address's IP is not the
 *     requester's; the spec says 30k to 100k
 * @param maxDialDataBytes the most asked for; each request draws uniformly in between
 * @param maxConcurrent requests served at once, all peers together
 * @param perPeerPerMinute requests a peer may make per minute (burst {@code perPeerBurst})
 * @param perPeerBurst requests a peer may make at once
 * @param globalPerMinute requests served per minute, all peers together (burst: {@code
 *     maxConcurrent})
 * @param requestTimeoutNanos from request to response, dial data and dial included
 * @param maxTrackedPeers peers whose rate is remembered
 */
public record AutonatServerConfig(
    boolean allowPrivateAddrs,
    boolean dialIpv4,
    boolean dialIpv6,
    int minDialDataBytes,
    int maxDialDataBytes,
    int maxConcurrent,
    double perPeerPerMinute,
    int perPeerBurst,
    double globalPerMinute,
    long requestTimeoutNanos,
    int maxTrackedPeers) {

  public AutonatServerConfig {
    if (minDialDataBytes < 0 || maxDialDataBytes < minDialDataBytes) {
      throw new IllegalArgumentException("dial data bounds must satisfy 0 <= min <= max");
    }
    if (maxConcurrent < 1 || perPeerBurst < 1 || maxTrackedPeers < 1 || requestTimeoutNanos <= 0) {
      throw new IllegalArgumentException("server limits must be positive");
    }
  }

  /**
   * A public server: no private addresses, both families, 30k-100k dial data, 8 requests at once,
   * 12 a minute per peer (burst 2), 60 a minute in all, one minute per request.
   */
  public static AutonatServerConfig defaults() {
    return new AutonatServerConfig(
        false, true, true, 30_000, 100_000, 8, 12, 2, 60, Duration.ofMinutes(1).toNanos(), 1024);
  }

  /** TEST ONLY: these settings dialling loopback and private addresses as well. */
  public AutonatServerConfig allowingPrivateAddrsForTests() {
    return new AutonatServerConfig(
        true,
        dialIpv4,
        dialIpv6,
        minDialDataBytes,
        maxDialDataBytes,
        maxConcurrent,
        perPeerPerMinute,
        perPeerBurst,
        globalPerMinute,
        requestTimeoutNanos,
        maxTrackedPeers);
  }
}
