package org.grapevine.libp2p.kad;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The {@link Dht}'s requests: those waiting to be sent ({@link Dht#pollRequest}) and those in
 * flight, each with whom it went to, for which query, why, and its deadline. Plain bookkeeping, not
 * thread-safe.
 *
 * <p>Rules:
 *
 * <ol>
 *   <li>A {@link Purpose#LOOKUP} request has no deadline here: its {@link Lookup} times it out. A
 *       {@link Purpose#SEND} or {@link Purpose#CHECK} request times out here, after the lookup's
 *       request timeout or the check timeout.
 *   <li>Each of those two kinds gets one timeout from non-decreasing times, so their deadlines are
 *       kept in order ({@link DeadlineFifo}) and {@link #earliestDeadline} is cheap.
 *   <li>A request leaves when it is settled (answered, failed, timed out) or abandoned (its walk
 *       ended); a report for one that left is late, and the Dht ignores it.
 * </ol>
 */
final class PendingRequests {
  /** Why a request was sent, which says who settles it. */
  enum Purpose {
    /** A step of a query's walk (FIND_NODE, GET_PROVIDERS, GET_VALUE). */
    LOOKUP,
    /** ADD_PROVIDER or PUT_VALUE after a walk. */
    SEND,
    /** A PING of a full bucket's least recently seen peer. */
    CHECK,
  }

  /** A request in flight: whom it went to, for which query, and (SEND, CHECK) its deadline. */
  record Pending(
      long queryId, KadPeer to, KadMessageType type, Purpose purpose, long deadlineNanos) {}

  private final DhtStats stats;
  private final ArrayDeque<DhtRequest> toSend = new ArrayDeque<>();
  private final Map<Long, Pending> pending = new HashMap<>();

  /** Deadlines of the SEND and of the CHECK requests in pending: each kind's are in order. */
  private final DeadlineFifo sendDeadlines = new DeadlineFifo(id -> pending.containsKey(id));

  private final DeadlineFifo checkDeadlines = new DeadlineFifo(id -> pending.containsKey(id));

  PendingRequests(DhtStats stats) {
    this.stats = stats;
  }

  /**
   * Request {@code id} is in flight until settled, and waits to be sent.
   *
   * @param queryId the query it serves; -1 for a check
   * @param deadlineNanos for SEND and CHECK; {@code Long.MAX_VALUE} for LOOKUP (its lookup times
   *     it)
   */
  void send(
      long id,
      long queryId,
      KadPeer to,
      KadMessage message,
      boolean expectsResponse,
      Purpose purpose,
      long deadlineNanos) {
    pending.put(id, new Pending(queryId, to, message.type(), purpose, deadlineNanos));
    switch (purpose) {
      case SEND -> sendDeadlines.add(id, deadlineNanos);
      case CHECK -> checkDeadlines.add(id, deadlineNanos);
      case LOOKUP -> {}
    }
    DhtStats.inc(stats.requestsOut, message.type());
    toSend.add(new DhtRequest(id, to, message, expectsResponse));
  }

  /** The next request to send, oldest first. */
  Optional<DhtRequest> poll() {
    return Optional.ofNullable(toSend.poll());
  }

  /** Request {@code id} leaves: settled or abandoned. Null if it was not in flight. */
  Pending remove(long id) {
    return pending.remove(id);
  }

  /** The earliest deadline of a SEND or CHECK request in flight, or {@code Long.MAX_VALUE}. */
  long earliestDeadline() {
    return Math.min(sendDeadlines.earliest(), checkDeadlines.earliest());
  }

  /**
   * The SEND and CHECK requests past their deadline at {@code nowNanos}, in the order the map keeps
   * them, still in flight: the caller removes and settles each.
   */
  List<Map.Entry<Long, Pending>> overdue(long nowNanos) {
    List<Map.Entry<Long, Pending>> overdue = new ArrayList<>();
    if (earliestDeadline() <= nowNanos) { // the scan only when one is due: it keeps their order
      for (Map.Entry<Long, Pending> e : pending.entrySet()) {
        if (e.getValue().purpose() != Purpose.LOOKUP && e.getValue().deadlineNanos() <= nowNanos) {
          overdue.add(e);
        }
      }
    }
    return overdue;
  }

  /** For tests: {@link #earliestDeadline} the slow way, scanning every request, or {@code min}. */
  long earliestDeadlineByScan(long min) {
    long earliest = min;
    for (Pending p : pending.values()) {
      if (p.purpose() != Purpose.LOOKUP) {
        earliest = Math.min(earliest, p.deadlineNanos());
      }
    }
    return earliest;
  }

  /** Requests in flight. */
  int size() {
    return pending.size();
  }
}
