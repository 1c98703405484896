package org.grapevine.libp2p.autonat;

import java.time.Duration;

/**
 * Settings of {@link AutonatClient}.
 *
 * @param confidence distinct servers that must agree, within {@code resultTtlNanos}, before an
 *     address is called reachable or unreachable (and outnumber those that disagree). The spec
 *     suggests "more than 3"; we default to 3, as go-libp2p's v2 client does, because a young
 *     Grapevine network has few public peers
 * @param maxConcurrentRequests requests in flight at once, all servers together
 * @param probeIntervalNanos wait between requests about an address that is not yet settled
 * @param recheckIntervalNanos wait between requests about a settled address ("Periodically recheck
 *     reachability status")
 * @param resultTtlNanos how long one server's answer counts
 * @param serverBackoffNanos how long a server that rejected, failed or timed out is left alone
 * @param requestTimeoutNanos from request to response; later is a failure of the server
 * @param maxDialDataBytes the most dial data we pay for a dial to another IP (the spec's 100k)
 * @param maxCandidates addresses tested at most (the first ones given)
 * @param allowPrivateAddrs TEST ONLY: test loopback and private addresses too (the spec says
 *     clients SHOULD NOT send them, and real servers refuse them)
 */
public record AutonatClientConfig(
    int confidence,
    int maxConcurrentRequests,
    long probeIntervalNanos,
    long recheckIntervalNanos,
    long resultTtlNanos,
    long serverBackoffNanos,
    long requestTimeoutNanos,
    long maxDialDataBytes,
    int maxCandidates,
    boolean allowPrivateAddrs) {

  public AutonatClientConfig {
    if (confidence < 1 || maxConcurrentRequests < 1 || maxCandidates < 1) {
      throw new IllegalArgumentException("confidence, concurrency and candidates must be positive");
    }
    if (probeIntervalNanos < 0 || recheckIntervalNanos <= 0 || resultTtlNanos <= 0) {
      throw new IllegalArgumentException("intervals must be positive");
    }
  }

  /**
   * Confidence 3, 2 requests at once, an unsettled address asked about every 15 s, a settled one
   * every 30 min, answers counting 2 h, servers left alone 5 min after a failure, 1 min per
   * request, up to 100,000 bytes of dial data, 8 candidates, public addresses only.
   */
  public static AutonatClientConfig defaults() {
    return new AutonatClientConfig(
        3,
        2,
        Duration.ofSeconds(15).toNanos(),
        Duration.ofMinutes(30).toNanos(),
        Duration.ofHours(2).toNanos(),
        Duration.ofMinutes(5).toNanos(),
        Duration.ofMinutes(1).toNanos(),
        100_000,
        8,
        false);
  }

  /** These settings with another confidence and probe interval (tests, tiny networks). */
  public AutonatClientConfig with(int confidence, long probeIntervalNanos) {
    return new AutonatClientConfig(
        confidence,
        maxConcurrentRequests,
        probeIntervalNanos,
        recheckIntervalNanos,
        resultTtlNanos,
        serverBackoffNanos,
        requestTimeoutNanos,
        maxDialDataBytes,
        maxCandidates,
        allowPrivateAddrs);
  }

  /** TEST ONLY: these settings testing loopback and private addresses as well. */
  public AutonatClientConfig allowingPrivateAddrsForTests() {
    return new AutonatClientConfig(
        confidence,
        maxConcurrentRequests,
        probeIntervalNanos,
        recheckIntervalNanos,
        resultTtlNanos,
        serverBackoffNanos,
        requestTimeoutNanos,
        maxDialDataBytes,
        maxCandidates,
        true);
  }
}
