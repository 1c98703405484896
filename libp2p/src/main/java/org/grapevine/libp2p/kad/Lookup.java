package org.grapevine.libp2p.kad;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeSet;
import org.grapevine.libp2p.peer.PeerId;

/**
 * One iterative lookup of the peers closest to a key (libp2p/specs kad-dht/README.md "Peer
 * routing"), FIND_NODE style; GET_PROVIDERS and GET_VALUE walk the network the same way. Sans-I/O:
 * it says whom to ask and when a request is overdue; the driver sends the requests, and feeds the
 * answers back. Not thread-safe.
 *
 * <p>Call order (as quinn-proto's Connection): after construction and after any {@code handle*}
 * input, drain {@link #pollRequest} until empty (send each), then read {@link #pollTimeout} and
 * call {@link #handleTimeout} when it passes. {@link #isDone} says when to stop; {@link #result} is
 * the answer (and a partial one before that). Inputs carry non-decreasing time; {@link
 * #pollRequest} stamps its requests with the latest input's.
 *
 * <p>Rules:
 *
 * <ol>
 *   <li>Candidates are walked closest first. A peer is asked only while fewer than {@code k} closer
 *       peers have answered, and while fewer than α requests are in flight.
 *   <li>Done when the {@code k} closest peers seen that did not fail have all answered (the spec's
 *       rule 1), or when nobody is left to ask (fewer than {@code k} reachable peers, or the
 *       request budget spent). Requests still in flight then are abandoned: their answers are
 *       ignored and counted.
 *   <li>A failure or an overdue request discards the peer for this lookup; a late answer is
 *       ignored.
 *   <li>Bounded: at most {@code k} closer peers are read from one answer (the spec says a server
 *       sends {@code k}; the rest is counted and dropped), at most {@code maxCandidates} remembered
 *       (the farthest uncontacted ones are forgotten), at most {@code maxRequests} sent.
 * </ol>
 *
 * <p>Hops: a seed is asked at hop 1; a peer first reported by a peer asked at hop {@code h} is
 * asked at hop {@code h + 1} (the least such). {@link #hops} is the hop at which the closest result
 * answered: the length of the chain of referrals that found it.
 *
 * <p>Discrepancies: the spec seeds a lookup with the α closest peers of our table; this takes
 * whatever seeds the driver gives (it gives the {@code k} closest, as rust-libp2p and go do, so
 * that a dead seed does not stall the start).
 */
public final class Lookup {
  /** Where one candidate stands. */
  public enum PeerState {
    NOT_CONTACTED,
    WAITING,
    SUCCEEDED,
    FAILED,
  }

  private static final class Candidate {
    final KadPeer peer;
    final KadKey key;
    PeerState state = PeerState.NOT_CONTACTED;
    int hop;
    long deadlineNanos;

    Candidate(KadPeer peer, int hop) {
      this.peer = peer;
      this.key = KadKey.of(peer.id());
      this.hop = hop;
    }
  }

  private final PeerId self;
  private final KadKey target;
  private final LookupConfig config;
  private final TreeSet<Candidate> byDistance;
  private final Map<PeerId, Candidate> candidates = new HashMap<>();

  /**
   * Requests in flight, in the order sent: also deadline order, as every request gets the same
   * timeout from non-decreasing times. At most α long, so removal by identity (candidates have no
   * equals) is a short scan; peeking the head is what {@link #pollTimeout}, called after every
   * input of the whole node, needs to be cheap.
   */
  private final ArrayDeque<Candidate> waiting = new ArrayDeque<>();

  private long now;
  private int inFlight;
  private boolean done;
  private final long startedNanos;
  private long finishedNanos;

  private long requestsSent;
  private long responses;
  private long failures;
  private long timeouts;
  private long ignoredResponses;
  private long closerPeersDropped;
  private long candidatesForgotten;

  /**
   * @param self our ID, never asked even if others report it
   * @param seeds the first candidates, usually our table's {@code k} closest to {@code target}
   */
  public Lookup(
      PeerId self, KadKey target, List<KadPeer> seeds, LookupConfig config, long nowNanos) {
    this.self = self;
    this.target = target;
    this.config = config;
    this.byDistance = new TreeSet<>((a, b) -> target.compareDistance(a.key, b.key));
    this.now = nowNanos;
    this.startedNanos = nowNanos;
    for (KadPeer seed : seeds) {
      offer(seed, 1);
    }
    trim();
    updateDone();
  }

  public KadKey target() {
    return target;
  }

  // ---------------------------------------------------------------- inputs

  /**
   * {@code from} answered the request {@link #pollRequest} sent it, reporting {@code closer} peers.
   *
   * @return false if the answer was ignored: no request to {@code from} was in flight (late after a
   *     timeout, after the end, or never asked)
   */
  public boolean handleResponse(PeerId from, List<KadPeer> closer, long nowNanos) {
    advance(nowNanos);
    Candidate c = candidates.get(from);
    if (done || c == null || c.state != PeerState.WAITING) {
      ignoredResponses++;
      return false;
    }
    c.state = PeerState.SUCCEEDED;
    waiting.remove(c);
    inFlight--;
    responses++;
    int read = Math.min(closer.size(), config.resultSize());
    closerPeersDropped += closer.size() - read;
    for (int i = 0; i < read; i++) {
      offer(closer.get(i), c.hop + 1);
    }
    trim();
    updateDone();
    return true;
  }

  /** The request to {@code peer} failed (no connection, stream reset, malformed answer). */
  public boolean handleFailure(PeerId peer, long nowNanos) {
    advance(nowNanos);
    Candidate c = candidates.get(peer);
    if (done || c == null || c.state != PeerState.WAITING) {
      return false;
    }
    c.state = PeerState.FAILED;
    waiting.remove(c);
    inFlight--;
    failures++;
    updateDone();
    return true;
  }

  /**
   * Requests past their deadline fail.
   *
   * @return the peers that failed so, for the driver to count against them (go drops such peers
   *     from its routing table)
   */
  public List<PeerId> handleTimeout(long nowNanos) {
    advance(nowNanos);
    if (done) {
      return List.of();
    }
    List<PeerId> overdue = new ArrayList<>();
    for (Iterator<Candidate> it = waiting.iterator(); it.hasNext(); ) {
      Candidate c = it.next();
      if (c.deadlineNanos > now) {
        break; // the rest were sent later
      }
      it.remove();
      c.state = PeerState.FAILED;
      inFlight--;
      timeouts++;
      overdue.add(c.peer.id());
    }
    updateDone();
    return overdue;
  }

  private void advance(long nowNanos) {
    if (nowNanos < now) {
      throw new IllegalArgumentException("time went back from " + now + " to " + nowNanos);
    }
    now = nowNanos;
  }

  private void offer(KadPeer peer, int hop) {
    if (peer.id().equals(self)) {
      return;
    }
    Candidate known = candidates.get(peer.id());
    if (known != null) {
      if (known.state == PeerState.NOT_CONTACTED && hop < known.hop) {
        known.hop = hop;
      }
      return;
    }
    Candidate c = new Candidate(peer, hop);
    candidates.put(peer.id(), c);
    byDistance.add(c);
  }

  /** Forgets the farthest uncontacted candidates beyond {@code maxCandidates}. */
  private void trim() {
    if (candidates.size() <= config.maxCandidates()) {
      return;
    }
    Iterator<Candidate> it = byDistance.descendingIterator();
    while (candidates.size() > config.maxCandidates() && it.hasNext()) {
      Candidate c = it.next();
      if (c.state == PeerState.NOT_CONTACTED) {
        it.remove();
        candidates.remove(c.peer.id());
        candidatesForgotten++;
      }
    }
  }

  private void updateDone() {
    if (done) {
      return;
    }
    int succeeded = 0;
    for (Candidate c : byDistance) {
      switch (c.state) {
        case SUCCEEDED -> {
          if (++succeeded >= config.resultSize()) {
            finish();
            return;
          }
        }
        case WAITING -> {
          return;
        }
        case NOT_CONTACTED -> {
          if (requestsSent < config.maxRequests()) {
            return;
          }
        }
        case FAILED -> {}
      }
    }
    finish();
  }

  private void finish() {
    done = true;
    finishedNanos = now;
  }

  // ---------------------------------------------------------------- outputs

  /**
   * The next peer to ask, now marked in flight with a deadline, or empty when α requests are in
   * flight, when the closest candidates are all asked, or when the lookup is done.
   */
  public Optional<KadPeer> pollRequest() {
    if (done || inFlight >= config.alpha() || requestsSent >= config.maxRequests()) {
      return Optional.empty();
    }
    int succeeded = 0;
    for (Candidate c : byDistance) {
      if (c.state == PeerState.SUCCEEDED && ++succeeded >= config.resultSize()) {
        return Optional.empty();
      }
      if (c.state == PeerState.NOT_CONTACTED) {
        c.state = PeerState.WAITING;
        c.deadlineNanos = now + config.requestTimeoutNanos();
        waiting.add(c);
        inFlight++;
        requestsSent++;
        return Optional.of(c.peer);
      }
    }
    return Optional.empty();
  }

  /** The earliest deadline of a request in flight; empty when none is (or when done). */
  public OptionalLong pollTimeout() {
    if (done || inFlight == 0) {
      return OptionalLong.empty();
    }
    return OptionalLong.of(waiting.peekFirst().deadlineNanos);
  }

  public boolean isDone() {
    return done;
  }

  /** The {@code k} closest peers that answered, closest first; final once {@link #isDone}. */
  public List<KadPeer> result() {
    List<KadPeer> out = new ArrayList<>(config.resultSize());
    for (Candidate c : byDistance) {
      if (c.state == PeerState.SUCCEEDED) {
        out.add(c.peer);
        if (out.size() == config.resultSize()) {
          break;
        }
      }
    }
    return out;
  }

  /** Where {@code peer} stands in this lookup; empty if it is not (or no longer) a candidate. */
  public Optional<PeerState> state(PeerId peer) {
    Candidate c = candidates.get(peer);
    return c == null ? Optional.empty() : Optional.of(c.state);
  }

  /** The hop at which the closest answering peer was asked; 0 if none answered. */
  public int hops() {
    for (Candidate c : byDistance) {
      if (c.state == PeerState.SUCCEEDED) {
        return c.hop;
      }
    }
    return 0;
  }

  public long requestsSent() {
    return requestsSent;
  }

  public long responses() {
    return responses;
  }

  /** Requests reported failed by {@link #handleFailure}. */
  public long failures() {
    return failures;
  }

  /** Requests failed by {@link #handleTimeout}. */
  public long timeouts() {
    return timeouts;
  }

  /** Answers not awaited: late, after the end, or from peers never asked. */
  public long ignoredResponses() {
    return ignoredResponses;
  }

  /** Closer peers beyond {@code k} in one answer, not read. */
  public long closerPeersDropped() {
    return closerPeersDropped;
  }

  /** Uncontacted candidates forgotten beyond {@code maxCandidates}. */
  public long candidatesForgotten() {
    return candidatesForgotten;
  }

  /** From construction to the input that finished the lookup; empty while it runs. */
  public OptionalLong durationNanos() {
    return done ? OptionalLong.of(finishedNanos - startedNanos) : OptionalLong.empty();
  }
}
