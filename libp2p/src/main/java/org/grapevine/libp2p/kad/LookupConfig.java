package org.grapevine.libp2p.kad;

import java.util.concurrent.TimeUnit;

/**
 * Parameters of one iterative lookup ({@link Lookup}).
 *
 * @param alpha requests in flight at most (the spec's α, 3)
 * @param resultSize how many closest peers must answer before the lookup ends (the spec's k, 20)
 * @param requestTimeoutNanos how long one peer may take to answer before it counts as failed
 * @param maxCandidates the most peers remembered as candidates; the farthest uncontacted ones are
 *     forgotten beyond it, so that peers answering with many fresh IDs cannot grow the lookup
 * @param maxRequests the most requests one lookup sends; a network that keeps offering closer peers
 *     that never answer cannot keep it going beyond that
 */
public record LookupConfig(
    int alpha, int resultSize, long requestTimeoutNanos, int maxCandidates, int maxRequests) {
  /** The spec's α. */
  public static final int ALPHA = 3;

  /**
   * 10 s: the spec's bootstrap QueryTimeout for a whole lookup; one request taking as long is as
   * good as dead, and the lookup goes on with the next candidate.
   */
  public static final long REQUEST_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(10);

  /** α = 3, k = 20, 10 s per request, 10·k candidates, 20·k requests. */
  public static final LookupConfig DEFAULT =
      new LookupConfig(
          ALPHA, RoutingTable.K, REQUEST_TIMEOUT_NANOS, 10 * RoutingTable.K, 20 * RoutingTable.K);

  public LookupConfig {
    if (alpha < 1 || resultSize < 1 || requestTimeoutNanos <= 0) {
      throw new IllegalArgumentException("alpha, result size and timeout must be positive");
    }
    if (maxCandidates < resultSize || maxRequests < resultSize) {
      throw new IllegalArgumentException("candidates and requests must allow a full result");
    }
  }
}
