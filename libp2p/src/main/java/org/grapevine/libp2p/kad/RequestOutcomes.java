package org.grapevine.libp2p.kad;

import java.util.Map;

/**
 * What became of the {@link Dht}'s requests: each answer, failure or timeout takes the request out
 * of {@link PendingRequests} and goes to the part that sent it: a check to {@link TableKeeper}, a
 * walk's request or a send after a walk to {@link Queries}. Not thread-safe.
 *
 * <p>Rules:
 *
 * <ol>
 *   <li>An answer of another type than the request's counts as a failure of the peer. ADD_PROVIDER
 *       has no answer: written is taken.
 *   <li>A report for a request no longer in flight (settled, abandoned, timed out) is late: ignored
 *       and counted, and the caller does nothing more.
 *   <li>Sends and checks time out here, in the order the map keeps them, before the table's own
 *       check deadline (the same deadline): the check's request then ends it first.
 * </ol>
 */
final class RequestOutcomes {
  private final DhtStats stats;
  private final PendingRequests pending;
  private final TableKeeper keeper;
  private final Queries queries;

  RequestOutcomes(DhtStats stats, PendingRequests pending, TableKeeper keeper, Queries queries) {
    this.stats = stats;
    this.pending = pending;
    this.keeper = keeper;
    this.queries = queries;
  }

  /**
   * The answer to {@code requestId} ({@code null} for ADD_PROVIDER).
   *
   * @return false if it was late
   */
  boolean handleResponse(long requestId, KadMessage response) {
    PendingRequests.Pending p = awaited(requestId);
    if (p == null) {
      return false;
    }
    boolean ok =
        p.type() == KadMessageType.ADD_PROVIDER
            || (response != null && response.type() == p.type());
    if (ok) {
      stats.responses++;
    } else {
      stats.badResponses++;
    }
    settle(requestId, p, ok ? response : null, ok);
    return true;
  }

  /**
   * {@code requestId} failed.
   *
   * @return false if it was late
   */
  boolean handleFailure(long requestId) {
    PendingRequests.Pending p = awaited(requestId);
    if (p == null) {
      return false;
    }
    stats.failures++;
    settle(requestId, p, null, false);
    return true;
  }

  /** Sends and checks past their deadline fail. */
  void handleTimeout(long nowNanos) {
    for (Map.Entry<Long, PendingRequests.Pending> e : pending.overdue(nowNanos)) {
      pending.remove(e.getKey());
      stats.timeouts++;
      settle(e.getKey(), e.getValue(), null, false);
    }
  }

  private PendingRequests.Pending awaited(long requestId) {
    PendingRequests.Pending p = pending.remove(requestId);
    if (p == null) {
      stats.lateReports++;
    }
    return p;
  }

  private void settle(long requestId, PendingRequests.Pending p, KadMessage response, boolean ok) {
    switch (p.purpose()) {
      case CHECK -> keeper.endCheck(requestId, p.to().id(), ok);
      case SEND -> queries.sendDone(p, ok);
      case LOOKUP -> queries.lookupDone(p, response, ok);
    }
  }
}
