package org.grapevine.libp2p.kad;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.grapevine.libp2p.peer.PeerId;

/**
 * The queries of one {@link Dht}: their admission and queue, their walks (each a {@link Lookup}),
 * the sends after a PROVIDE's or PUT_VALUE's walk, and their ends. Plain state the Dht drives, not
 * thread-safe.
 *
 * <p>Rules (the Dht's rule 4, and the lookup side of rules 3 and 5):
 *
 * <ol>
 *   <li>At most {@link DhtConfig#maxConcurrentQueries} run; more wait in a queue of {@link
 *       DhtConfig#maxQueuedQueries}, beyond which they end at once, failed and counted. A query
 *       starts with the table's k closest peers to its key, and has {@link
 *       DhtConfig#queryTimeoutNanos} from its start (its wait in the queue not counted).
 *   <li>A walk is over when its lookup is done, when the query times out (then with what it has),
 *       or early: FIND_PROVIDERS at {@code wanted} providers, GET_VALUE at the first valid {@code
 *       /pk/} record, FIND_PEER when an answer names the peer. Its requests still in flight are
 *       abandoned, and the bucket of its key counts as refreshed.
 *   <li>A peer that answers a walk's request enters the table (it serves the protocol); one whose
 *       request fails or times out leaves it at once.
 *   <li>After its walk, PROVIDE sends ADD_PROVIDER with our addresses to the k closest found (with
 *       none known it still sends, and counts it: servers record our ID), PUT_VALUE sends its
 *       record; the query ends once every send is reported or timed out.
 *   <li>Each query ends with exactly one {@link DhtEvent.QueryDone}; the end of a self lookup
 *       submits the bucket refreshes ({@link BucketRefresh#afterSelfLookup}).
 * </ol>
 */
final class Queries {
  private final DhtContext ctx;
  private final DhtConfig config;
  private final DhtStats stats;
  private final PendingRequests pending;
  private final TableKeeper keeper;
  private final BucketRefresh refresh;

  private final Map<Long, DhtQuery> active = new LinkedHashMap<>();
  private final ArrayDeque<DhtQuery> queued = new ArrayDeque<>();

  Queries(DhtContext ctx, PendingRequests pending, TableKeeper keeper, BucketRefresh refresh) {
    this.ctx = ctx;
    this.config = ctx.config;
    this.stats = ctx.stats;
    this.pending = pending;
    this.keeper = keeper;
    this.refresh = refresh;
  }

  // ---------------------------------------------------------------- admission

  /** A new query, submitted, then the queue started as far as there is room; its id. */
  long submitNew(QueryKind kind, byte[] key, int wanted, KadRecord toPut) {
    DhtQuery q = new DhtQuery(ctx.newId(), kind, key, wanted, toPut);
    submit(q);
    startQueued();
    return q.id;
  }

  /**
   * {@code q} ends at once if our own stores answered it, else is submitted; then the queue starts
   * as far as there is room. Its id.
   */
  long completeOrSubmit(DhtQuery q, boolean answeredHere) {
    if (answeredHere) {
      q.startedNanos = ctx.now();
      complete(q);
    } else {
      submit(q);
    }
    startQueued();
    return q.id;
  }

  /** Queues {@code q}, or ends it at once, refused, if the queue is full. Starts nothing. */
  void submit(DhtQuery q) {
    if (queued.size() >= config.maxQueuedQueries()
        && active.size() >= config.maxConcurrentQueries()) {
      stats.queriesRefused++;
      refuse(q.id, q.kind);
      return;
    }
    queued.add(q);
  }

  /** Query {@code id} ends before it starts: a failed QueryDone that cost nothing. */
  void refuse(long id, QueryKind kind) {
    stats.queriesDone++;
    ctx.events.add(
        new DhtEvent.QueryDone(
            id, kind, List.of(), List.of(), Optional.empty(), new QueryStats(0, 0, 0, 0, false)));
  }

  /** Starts queued queries while fewer than the maximum run. */
  void startQueued() {
    long now = ctx.now();
    while (active.size() < config.maxConcurrentQueries() && !queued.isEmpty()) {
      DhtQuery q = queued.poll();
      stats.queriesStarted++;
      q.startedNanos = now;
      q.deadlineNanos = now + config.queryTimeoutNanos();
      q.lookup =
          new Lookup(
              ctx.self, q.target, ctx.table.closest(q.target, config.k()), config.lookup(), now);
      active.put(q.id, q);
      advanceQuery(q);
    }
  }

  // ---------------------------------------------------------------- inputs

  /** The walk request {@code p} was answered ({@code ok}, with {@code response}) or failed. */
  void lookupDone(PendingRequests.Pending p, KadMessage response, boolean ok) {
    DhtQuery q = active.get(p.queryId());
    q.inFlight.remove(p.to().id());
    if (ok) {
      onLookupResponse(q, p.to(), response);
    } else {
      q.lookup.handleFailure(p.to().id(), ctx.now());
      keeper.peerFailed(p.to().id());
      advanceQuery(q);
    }
  }

  /** The send {@code p} after a walk was taken ({@code ok}), failed, or timed out. */
  void sendDone(PendingRequests.Pending p, boolean ok) {
    DhtQuery q = active.get(p.queryId());
    q.sendsPending--;
    if (ok) {
      q.acked.add(p.to());
    } else {
      q.sendFailures++;
    }
    advanceQuery(q);
  }

  /** Walk requests past their lookup's deadline, then queries past theirs. */
  void handleTimeout() {
    long now = ctx.now();
    for (DhtQuery q : new ArrayList<>(active.values())) {
      if (q.sending || !active.containsKey(q.id)) {
        continue;
      }
      for (PeerId dead : q.lookup.handleTimeout(now)) {
        Long id = q.inFlight.remove(dead);
        if (id != null) {
          pending.remove(id);
        }
        stats.timeouts++;
        keeper.peerFailed(dead);
      }
      if (now >= q.deadlineNanos && !q.lookup.isDone()) {
        q.timedOut = true;
        stats.queriesTimedOut++;
      }
      advanceQuery(q);
    }
  }

  // ---------------------------------------------------------------- driving a query

  /** Moves a query on: more requests, the sends after its walk, or its end. */
  private void advanceQuery(DhtQuery q) {
    if (!q.sending) {
      if (!walkFinished(q)) {
        pump(q);
        return;
      }
      endWalk(q);
      if (q.kind == QueryKind.PROVIDE || q.kind == QueryKind.PUT_VALUE) {
        startSends(q);
        if (q.sendsPending > 0) {
          return;
        }
      }
    } else if (q.sendsPending > 0) {
      return;
    }
    complete(q);
  }

  private boolean walkFinished(DhtQuery q) {
    return q.lookup.isDone()
        || q.timedOut
        || (q.kind == QueryKind.FIND_PROVIDERS && q.providers.size() >= q.wanted)
        || (q.kind == QueryKind.GET_VALUE && q.record != null)
        || (q.kind == QueryKind.FIND_PEER && q.foundPeer != null);
  }

  private void pump(DhtQuery q) {
    KadMessageType type = q.walkType();
    for (var next = q.lookup.pollRequest(); next.isPresent(); next = q.lookup.pollRequest()) {
      KadPeer to = next.get();
      long id = ctx.newId();
      KadMessage m = KadMessage.request(type, q.key);
      pending.send(id, q.id, to, m, true, PendingRequests.Purpose.LOOKUP, Long.MAX_VALUE);
      q.inFlight.put(to.id(), id);
    }
  }

  /** The walk is over: its bucket counts as refreshed; requests still in flight are abandoned. */
  private void endWalk(DhtQuery q) {
    ctx.table.markRefreshed(q.target, ctx.now());
    for (long id : q.inFlight.values()) {
      pending.remove(id);
    }
    q.inFlight.clear();
  }

  private void onLookupResponse(DhtQuery q, KadPeer from, KadMessage m) {
    keeper.add(from); // it answered a DHT request: it serves the protocol
    List<KadPeer> closer = new ArrayList<>(m.closerPeers().size());
    m.closerPeers().forEach(info -> closer.add(info.peer()));
    switch (q.kind) {
      case FIND_PROVIDERS -> readProviders(q, m.providerPeers());
      case GET_VALUE -> m.optionalRecord().ifPresent(r -> readRecord(q, r));
      case FIND_PEER -> {
        if (Arrays.equals(from.id().toBytes(), q.key)) {
          q.foundPeer = from;
        }
        for (KadPeer c : closer) {
          if (q.foundPeer == null && Arrays.equals(c.id().toBytes(), q.key)) {
            q.foundPeer = c;
          }
        }
      }
      default -> {}
    }
    q.lookup.handleResponse(from.id(), closer, ctx.now());
    advanceQuery(q);
  }

  /** At most k providers read from one answer (a server sends k); the rest counted. */
  private void readProviders(DhtQuery q, List<KadPeerInfo> listed) {
    int read = 0;
    for (KadPeerInfo info : listed) {
      if (read++ >= config.k() || info.id().equals(ctx.self)) {
        stats.providerPeersDropped++;
        continue;
      }
      if (q.providers.size() >= q.wanted) {
        return;
      }
      offerProvider(q, info.peer());
    }
  }

  /** A provider of {@code q}'s key, reported if new (and not us). */
  void offerProvider(DhtQuery q, KadPeer p) {
    if (!p.id().equals(ctx.self) && q.providers.putIfAbsent(p.id(), p) == null) {
      stats.providersFound++;
      ctx.events.add(new DhtEvent.ProviderFound(q.id, p));
    }
  }

  private void readRecord(DhtQuery q, KadRecord r) {
    if (!Arrays.equals(r.key(), q.key)
        || PkRecords.validate(q.key, r.value()) != PkRecords.Validity.VALID) {
      stats.invalidRecordsReceived++;
      return;
    }
    if (q.record == null) {
      q.record = new KadRecord(q.key, r.value(), r.timeReceived());
    }
  }

  /** ADD_PROVIDER or PUT_VALUE to the k closest the walk found. */
  private void startSends(DhtQuery q) {
    q.sending = true;
    KadMessage m;
    if (q.kind == QueryKind.PROVIDE) {
      if (ctx.ownAddrs.isEmpty()) {
        stats.providesWithoutAddrs++;
      }
      List<KadPeerInfo> us = List.of(KadPeerInfo.of(ctx.self, ctx.ownAddrs));
      m = new KadMessage(KadMessageType.ADD_PROVIDER, q.key, null, List.of(), us);
    } else {
      m = new KadMessage(KadMessageType.PUT_VALUE, q.key, q.toPut, List.of(), List.of());
    }
    long deadline = ctx.now() + config.lookup().requestTimeoutNanos();
    boolean expectsResponse = m.type() != KadMessageType.ADD_PROVIDER;
    for (KadPeer to : q.lookup.result()) {
      long id = ctx.newId();
      pending.send(id, q.id, to, m, expectsResponse, PendingRequests.Purpose.SEND, deadline);
      q.sends++;
      q.sendsPending++;
    }
  }

  private void complete(DhtQuery q) {
    active.remove(q.id);
    DhtEvent.QueryDone done = q.done(ctx.now());
    stats.queriesDone++;
    if (done.stats().success()) {
      stats.queriesSucceeded++;
    }
    ctx.events.add(done);
    if (q.kind == QueryKind.SELF_LOOKUP) {
      refresh.afterSelfLookup().forEach(this::submit);
    }
  }

  // ---------------------------------------------------------------- reads

  /** The earliest of {@code min} and the running walks' deadlines (theirs and their lookups'). */
  long earliestDeadline(long min) {
    long earliest = min;
    for (DhtQuery q : active.values()) {
      if (!q.sending) {
        earliest = Math.min(earliest, q.deadlineNanos);
        OptionalLong t = q.lookup.pollTimeout();
        if (t.isPresent()) {
          earliest = Math.min(earliest, t.getAsLong());
        }
      }
    }
    return earliest;
  }

  /** Queries running and waiting. */
  int size() {
    return active.size() + queued.size();
  }

  /** Queries waiting (running ones excluded). */
  int queued() {
    return queued.size();
  }
}
