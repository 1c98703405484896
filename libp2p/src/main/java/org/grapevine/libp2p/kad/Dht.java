package org.grapevine.libp2p.kad;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.random.RandomGenerator;
import org.grapevine.libp2p.multiaddr.Multiaddr;
import org.grapevine.libp2p.peer.PeerId;

/**
 * One node's whole Kademlia DHT (libp2p/specs kad-dht/README.md): the {@link RoutingTable}, the
 * {@link ProviderStore} and {@link RecordStore} it serves from through {@link KadServer}, and the
 * queries it runs as {@link Lookup}s. Sans-I/O: no sockets, clocks, threads or logging; randomness
 * injected. Not thread-safe: confine to the node's loop or the simulator's thread.
 *
 * <p>Call order (as quinn-proto's Connection): after any {@code handle*} input or command, drain
 * {@link #pollRequest} until empty (send each), then {@link #pollEvent}, then read {@link
 * #pollTimeout} and call {@link #handleTimeout} when it passes. Every input carries monotonic
 * nanoseconds, non-decreasing; the stores' milliseconds are those nanos / 10^6.
 *
 * <p>Rules:
 *
 * <ol>
 *   <li><b>Who enters the table</b> (spec "Client and server mode", as go): a peer that identify
 *       says serves {@code /ipfs/kad/1.0.0} ({@link #handlePeerIdentified} with {@code dhtServer}),
 *       a seed ({@link #handleSeed}), and a peer that answered one of our requests (it serves the
 *       protocol). Peers named in answers are lookup candidates only. A peer identify says no
 *       longer serves leaves. A peer in the table that sends us a request counts as seen alive.
 *   <li><b>Full buckets</b>: the table asks for a check of its least recently seen peer; we send a
 *       PING ({@link KadMessageType#PING}) and feed the answer back. A peer that does not answer
 *       within {@link DhtConfig#checkTimeoutNanos} is replaced.
 *   <li><b>Failures</b>: a lookup request that fails or times out removes the peer from the table
 *       at once, as go does (a dead peer crowds every answer we give). A live peer removed so by a
 *       lost message comes back on its next answer or identify.
 *   <li><b>Queries</b>: at most {@link DhtConfig#maxConcurrentQueries} run; more wait in a queue of
 *       {@link DhtConfig#maxQueuedQueries}, beyond which they end at once, failed and counted. Each
 *       ends with one {@link DhtEvent.QueryDone}, after at most {@link DhtConfig#queryTimeoutNanos}
 *       (then with what it has). findProviders reads our own store first, then walks with
 *       GET_PROVIDERS (closer peers drive it) and reports each new provider as it arrives ({@link
 *       DhtEvent.ProviderFound}), stopping at {@code wanted}. findPeer stops when an answer names
 *       the peer. getValue stops at the first valid {@code /pk/} record.
 *   <li><b>Providing</b>: startProviding looks up the key's k closest peers and sends each an
 *       ADD_PROVIDER with our addresses ({@link #handleOwnAddrs}; with none known it still sends,
 *       and counts it: servers record our ID), then again every {@link
 *       DhtConfig#republishIntervalNanos} until stopProviding.
 *   <li><b>Bootstrap</b> ({@link #bootstrap}): a self lookup, then a lookup of a random key in each
 *       bucket (up to {@link DhtConfig#maxRefreshCpl}) that saw no lookup for half of {@link
 *       DhtConfig#refreshIntervalNanos}; again every such interval. Stores are pruned every {@link
 *       DhtConfig#expireIntervalNanos}.
 *   <li><b>Serving</b> ({@link #handleRequest}): a token bucket per peer ({@link
 *       DhtConfig#requestsPerSecond}, {@link DhtConfig#requestBurst}) refuses the excess with
 *       {@link KadServer.Refusal#RATE_LIMITED}; the rest is {@link KadServer}'s.
 * </ol>
 *
 * <p>Discrepancies: the spec says PING is never sent; we send it to check a least recently seen
 * peer (go and js answer it). The spec's bootstrap looks up one random key a run; we refresh each
 * stale bucket, as go does. GET_VALUE has no quorum: {@code /pk/} records are self-certifying, so
 * the first valid one is the only value (no entry correction is ever needed). Provider records are
 * kept 48 h and republished every 22 h (the spec: expire after 24 h; go and js keep them 48 h).
 */
public final class Dht {
  private static final long NANOS_PER_MILLI = 1_000_000L;

  /** Random keys tried for one bucket's refresh target: 2^20, against 2^16 expected at cpl 15. */
  private static final int MAX_REFRESH_KEY_TRIES = 1 << 20;

  private enum Purpose {
    LOOKUP,
    SEND,
    CHECK,
  }

  /** A request in flight: whom it went to, for which query, and (SEND, CHECK) its deadline. */
  private record Pending(
      long queryId, KadPeer to, KadMessageType type, Purpose purpose, long deadlineNanos) {}

  private final PeerId self;
  private final DhtConfig config;
  private final RandomGenerator random;
  private final RoutingTable table;
  private final ProviderStore providerStore;
  private final RecordStore records;
  private final KadServer server;
  private final PeerRateLimiter limiter;
  private final DhtStats stats;

  private final ArrayDeque<DhtRequest> requests = new ArrayDeque<>();
  private final ArrayDeque<DhtEvent> events = new ArrayDeque<>();
  private final Map<Long, Pending> pending = new HashMap<>();

  /** Deadlines of the SEND and of the CHECK requests in pending: each kind's are in order. */
  private final DeadlineFifo sendDeadlines = new DeadlineFifo(id -> pending.containsKey(id));

  private final DeadlineFifo checkDeadlines = new DeadlineFifo(id -> pending.containsKey(id));

  /** Checks in flight: checked peer → request id. */
  private final Map<PeerId, Long> checks = new HashMap<>();

  private final Map<Long, DhtQuery> active = new LinkedHashMap<>();
  private final ArrayDeque<DhtQuery> queued = new ArrayDeque<>();

  /** Keys we provide → when they are next announced. */
  private final Map<ByteBuffer, Long> provided = new LinkedHashMap<>();

  private List<Multiaddr> ownAddrs = List.of();
  private long now;
  private long nextId = 1;
  private boolean bootstrapped;
  private long nextRefreshNanos;
  private long nextExpireNanos;

  /**
   * {@link #pollTimeout}'s last answer, until the next input or command: drivers ask after every
   * input of the whole node (gossip, sync), most of which never reach the DHT.
   */
  private long timeout;

  private boolean timeoutStale = true;

  public Dht(PeerId self, DhtConfig config, RandomGenerator random, long nowNanos) {
    this.self = self;
    this.config = config;
    this.random = random;
    this.now = nowNanos;
    this.table = new RoutingTable(self, config.k(), config.checkTimeoutNanos());
    this.providerStore =
        new ProviderStore(
            config.maxProviderKeys(),
            config.maxProvidersPerKey(),
            config.maxKeysPerProvider(),
            config.providerValidityMillis());
    this.records = new RecordStore(config.maxRecords(), config.recordValidityMillis());
    this.server = new KadServer(table, providerStore, records, config.k());
    this.limiter =
        new PeerRateLimiter(
            config.requestsPerSecond(), config.requestBurst(), config.maxRateLimitedPeers());
    this.stats = new DhtStats(server, providerStore, records, table, limiter);
    this.nextExpireNanos = nowNanos + config.expireIntervalNanos();
  }

  // ---------------------------------------------------------------- inputs

  /**
   * A connected peer was identified. It enters the table only if it serves the DHT; a table peer
   * that no longer does leaves it.
   */
  public void handlePeerIdentified(
      PeerId peer, List<Multiaddr> addrs, boolean dhtServer, long nowNanos) {
    advance(nowNanos);
    if (dhtServer) {
      addToTable(KadPeer.capped(peer, addrs));
    } else {
      Optional<KadPeer> known = table.find(peer);
      if (known.isPresent()) {
        tableChange(() -> table.remove(peer, now));
        stats.peersRemovedNotServer++;
        events.add(new DhtEvent.RoutingUpdated(known.get(), false));
      }
    }
    startQueued();
  }

  /**
   * A connection closed. The table keeps the peer (a Kademlia table lists peers, not connections;
   * its addresses stay dialable); requests in flight on it are reported failed by the driver.
   */
  public void handlePeerDisconnected(PeerId peer, long nowNanos) {
    advance(nowNanos);
  }

  /** Seeds the table (bootstrap peers, the persisted table) without asking them first. */
  public void handleSeed(List<KadPeer> peers, long nowNanos) {
    advance(nowNanos);
    peers.forEach(this::addToTable);
    startQueued();
  }

  /** Our own dialable addresses, sent in ADD_PROVIDER; beyond {@link KadPeer#MAX_ADDRS} cut. */
  public void handleOwnAddrs(List<Multiaddr> addrs) {
    if (addrs.size() > KadPeer.MAX_ADDRS) {
      stats.ownAddrsCut += addrs.size() - KadPeer.MAX_ADDRS;
    }
    ownAddrs = KadPeer.capped(self, addrs).addrs();
  }

  /** DHT bytes read and written, for {@link DhtStats} (the driver counts them, if it does). */
  public void handleBytes(long inBytes, long outBytes) {
    stats.bytesIn += inBytes;
    stats.bytesOut += outBytes;
  }

  /**
   * An inbound request: the reply to write, or a refusal (reset the stream). Rate limited per peer.
   */
  public KadServer.Reply handleRequest(PeerId from, KadMessage request, long nowNanos) {
    advance(nowNanos);
    DhtStats.inc(stats.requestsIn, request.type());
    if (!limiter.tryAcquire(from, now)) {
      stats.refusedHere.merge(KadServer.Refusal.RATE_LIMITED, 1L, Long::sum);
      return KadServer.Reply.refused(KadServer.Refusal.RATE_LIMITED);
    }
    if (table.find(from).isPresent()) {
      table.add(KadPeer.of(from), now); // seen alive; empty addresses keep the known ones
    }
    return server.handle(from, request, millis());
  }

  /**
   * The answer to request {@code requestId} ({@code null} for ADD_PROVIDER, once written). An
   * answer of the wrong type counts as a failure of the peer. Reports for requests no longer
   * awaited are ignored and counted.
   */
  public void handleResponse(long requestId, KadMessage response, long nowNanos) {
    advance(nowNanos);
    Pending p = pending.remove(requestId);
    if (p == null) {
      stats.lateReports++;
      return;
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
    startQueued();
  }

  /** Request {@code requestId} failed (dial failed, stream reset, malformed or oversize answer). */
  public void handleFailure(long requestId, String why, long nowNanos) {
    advance(nowNanos);
    Pending p = pending.remove(requestId);
    if (p == null) {
      stats.lateReports++;
      return;
    }
    stats.failures++;
    settle(requestId, p, null, false);
    startQueued();
  }

  private void settle(long requestId, Pending p, KadMessage response, boolean ok) {
    switch (p.purpose()) {
      case CHECK -> endCheck(requestId, p.to().id(), ok);
      case SEND -> sendDone(active.get(p.queryId()), p.to(), ok);
      case LOOKUP -> {
        DhtQuery q = active.get(p.queryId());
        q.inFlight.remove(p.to().id());
        if (ok) {
          onLookupResponse(q, p.to(), response);
        } else {
          q.lookup.handleFailure(p.to().id(), now);
          peerFailed(p.to().id());
          advanceQuery(q);
        }
      }
    }
  }

  /** Deadlines: requests, checks, queries, refresh, expiry, republication. */
  public void handleTimeout(long nowNanos) {
    advance(nowNanos);
    // 1. sends and checks past their deadline (before the table's own check deadline, the same)
    if (earliestSendOrCheck() <= now) { // the scan only when one is due: it keeps their order
      List<Map.Entry<Long, Pending>> overdue = new ArrayList<>();
      for (Map.Entry<Long, Pending> e : pending.entrySet()) {
        if (e.getValue().purpose() != Purpose.LOOKUP && e.getValue().deadlineNanos() <= now) {
          overdue.add(e);
        }
      }
      for (Map.Entry<Long, Pending> e : overdue) {
        pending.remove(e.getKey());
        stats.timeouts++;
        settle(e.getKey(), e.getValue(), null, false);
      }
    }
    // 2. lookups: overdue requests, overdue queries
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
        peerFailed(dead);
      }
      if (now >= q.deadlineNanos && !q.lookup.isDone()) {
        q.timedOut = true;
        stats.queriesTimedOut++;
      }
      advanceQuery(q);
    }
    tableChange(() -> table.handleTimeout(now));
    // 3. periodic work
    if (bootstrapped && now >= nextRefreshNanos) {
      runBootstrap();
    }
    if (now >= nextExpireNanos) {
      providerStore.expire(millis());
      records.expire(millis());
      nextExpireNanos = now + config.expireIntervalNanos();
    }
    for (Map.Entry<ByteBuffer, Long> e : provided.entrySet()) {
      if (e.getValue() <= now) {
        e.setValue(now + config.republishIntervalNanos());
        stats.republishes++;
        announce(e.getKey().array());
      }
    }
    startQueued();
  }

  // ---------------------------------------------------------------- commands

  /** FIND_NODE lookup of {@code peer}; done at once if it is in our table. */
  public long findPeer(PeerId peer, long nowNanos) {
    advance(nowNanos);
    DhtQuery q = new DhtQuery(nextId++, QueryKind.FIND_PEER, peer.toBytes(), 0, null);
    Optional<KadPeer> known = table.find(peer);
    if (known.isPresent()) {
      q.foundPeer = known.get();
      q.startedNanos = now;
      complete(q);
    } else {
      submit(q);
    }
    startQueued();
    return q.id;
  }

  /** FIND_NODE lookup of the k peers closest to any key. */
  public long findClosest(byte[] key, long nowNanos) {
    advance(nowNanos);
    requireKey(key);
    return submitNew(QueryKind.FIND_CLOSEST, key, 0, null);
  }

  /**
   * The providers of {@code key} (a CID's multihash), reported as they are found, until {@code
   * wanted} distinct ones are.
   *
   * @throws IllegalArgumentException if {@code key} is not a multihash or {@code wanted} is outside
   *     1..{@link DhtConfig#maxWantedProviders}
   */
  public long findProviders(byte[] key, int wanted, long nowNanos) {
    advance(nowNanos);
    requireProviderKey(key);
    if (wanted < 1 || wanted > config.maxWantedProviders()) {
      throw new IllegalArgumentException(
          "wanted " + wanted + " not in 1.." + config.maxWantedProviders());
    }
    DhtQuery q = new DhtQuery(nextId++, QueryKind.FIND_PROVIDERS, key, wanted, null);
    for (KadPeer p : providerStore.providers(key, millis())) {
      offerProvider(q, p);
    }
    if (q.providers.size() >= wanted) {
      q.startedNanos = now;
      complete(q);
    } else {
      submit(q);
    }
    startQueued();
    return q.id;
  }

  /**
   * Starts providing {@code key} (a CID's multihash): announced now and every {@link
   * DhtConfig#republishIntervalNanos} until {@link #stopProviding}, and held in our own store.
   * Beyond {@link DhtConfig#maxProvidedKeys} keys, refused (a failed QueryDone, counted).
   *
   * @return the id of the first announcement's query
   */
  public long startProviding(byte[] key, long nowNanos) {
    advance(nowNanos);
    requireProviderKey(key);
    ByteBuffer k = ByteBuffer.wrap(key.clone());
    if (!provided.containsKey(k) && provided.size() >= config.maxProvidedKeys()) {
      stats.providesRefused++;
      long id = nextId++;
      events.add(refusedDone(id, QueryKind.PROVIDE));
      return id;
    }
    provided.put(k, now + config.republishIntervalNanos());
    long id = announce(k.array());
    startQueued();
    return id;
  }

  /**
   * Stops republishing {@code key} and drops our own record of it (we no longer answer that we
   * provide it); the records already out on other peers expire on their own.
   */
  public void stopProviding(byte[] key, long nowNanos) {
    advance(nowNanos);
    provided.remove(ByteBuffer.wrap(key.clone()));
    providerStore.remove(key, self);
  }

  /**
   * The value of {@code key}: from our store, else a GET_VALUE walk keeping the first valid record.
   * Keys outside {@code /pk/} end at once, failed and counted.
   */
  public long getValue(byte[] key, long nowNanos) {
    advance(nowNanos);
    requireKey(key);
    DhtQuery q = new DhtQuery(nextId++, QueryKind.GET_VALUE, key, 0, null);
    if (!PkRecords.isPkKey(key)) {
      stats.valueKeysRefused++;
      events.add(refusedDone(q.id, QueryKind.GET_VALUE));
      return q.id;
    }
    Optional<KadRecord> local = records.get(key, millis());
    if (local.isPresent()) {
      q.record = local.get();
      q.startedNanos = now;
      complete(q);
    } else {
      submit(q);
    }
    startQueued();
    return q.id;
  }

  /**
   * Stores a {@code /pk/} record here and at the k peers closest to its key.
   *
   * @throws IllegalArgumentException if the record does not validate ({@link PkRecords})
   */
  public long putValue(byte[] key, byte[] value, long nowNanos) {
    advance(nowNanos);
    PkRecords.Validity v = PkRecords.validate(key, value);
    if (v != PkRecords.Validity.VALID) {
      throw new IllegalArgumentException("record for putValue is not valid: " + v);
    }
    KadRecord r = new KadRecord(key, value, "");
    records.put(r, millis());
    return submitNew(QueryKind.PUT_VALUE, key, 0, r);
  }

  /** A self lookup now, then bucket refreshes, and again every refresh interval. */
  public void bootstrap(long nowNanos) {
    advance(nowNanos);
    bootstrapped = true;
    runBootstrap();
    startQueued();
  }

  // ---------------------------------------------------------------- outputs and reads

  public Optional<DhtRequest> pollRequest() {
    return Optional.ofNullable(requests.poll());
  }

  public Optional<DhtEvent> pollEvent() {
    return Optional.ofNullable(events.poll());
  }

  /**
   * The next deadline for {@link #handleTimeout}; there always is one (the periodic expiry). Cheap:
   * drivers call it after every input (the requests' deadlines are kept in order, the running
   * queries are at most {@link DhtConfig#maxConcurrentQueries}, each lookup's is its oldest).
   */
  public OptionalLong pollTimeout() {
    if (timeoutStale) {
      timeout = earliestDeadline();
      timeoutStale = false;
    }
    return OptionalLong.of(timeout);
  }

  private long earliestDeadline() {
    long min = Math.min(nextExpireNanos, earliestSendOrCheck());
    for (DhtQuery q : active.values()) {
      if (!q.sending) {
        min = Math.min(min, q.deadlineNanos);
        OptionalLong t = q.lookup.pollTimeout();
        if (t.isPresent()) {
          min = Math.min(min, t.getAsLong());
        }
      }
    }
    OptionalLong checkDue = table.pollTimeout();
    if (checkDue.isPresent()) {
      min = Math.min(min, checkDue.getAsLong());
    }
    if (bootstrapped) {
      min = Math.min(min, nextRefreshNanos);
    }
    for (long t : provided.values()) {
      min = Math.min(min, t);
    }
    return min;
  }

  public PeerId self() {
    return self;
  }

  public DhtConfig config() {
    return config;
  }

  public int routingTableSize() {
    return table.size();
  }

  /** The table's peers, bucket by bucket (to persist it). */
  public List<KadPeer> routingTablePeers() {
    return table.peers();
  }

  /** The table's k closest peers to {@code key}, as a FIND_NODE answer would list them. */
  public List<KadPeer> closestKnown(byte[] key) {
    return table.closest(KadKey.of(key), config.k());
  }

  /** Keys we provide. */
  public int providedKeys() {
    return provided.size();
  }

  /** Queries running and waiting. */
  public int queries() {
    return active.size() + queued.size();
  }

  public DhtStats stats() {
    return stats;
  }

  private long earliestSendOrCheck() {
    return Math.min(sendDeadlines.earliest(), checkDeadlines.earliest());
  }

  // ---------------------------------------------------------------- queries

  private long submitNew(QueryKind kind, byte[] key, int wanted, KadRecord toPut) {
    DhtQuery q = new DhtQuery(nextId++, kind, key, wanted, toPut);
    submit(q);
    startQueued();
    return q.id;
  }

  private void submit(DhtQuery q) {
    if (queued.size() >= config.maxQueuedQueries()
        && active.size() >= config.maxConcurrentQueries()) {
      stats.queriesRefused++;
      events.add(refusedDone(q.id, q.kind));
      return;
    }
    queued.add(q);
  }

  private DhtEvent.QueryDone refusedDone(long id, QueryKind kind) {
    stats.queriesDone++;
    return new DhtEvent.QueryDone(
        id, kind, List.of(), List.of(), Optional.empty(), new QueryStats(0, 0, 0, 0, false));
  }

  private void startQueued() {
    while (active.size() < config.maxConcurrentQueries() && !queued.isEmpty()) {
      DhtQuery q = queued.poll();
      stats.queriesStarted++;
      q.startedNanos = now;
      q.deadlineNanos = now + config.queryTimeoutNanos();
      q.lookup =
          new Lookup(self, q.target, table.closest(q.target, config.k()), config.lookup(), now);
      active.put(q.id, q);
      advanceQuery(q);
    }
  }

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
      long id = nextId++;
      pending.put(id, new Pending(q.id, to, type, Purpose.LOOKUP, Long.MAX_VALUE));
      q.inFlight.put(to.id(), id);
      DhtStats.inc(stats.requestsOut, type);
      requests.add(new DhtRequest(id, to, KadMessage.request(type, q.key), true));
    }
  }

  /** The walk is over: its bucket counts as refreshed; requests still in flight are abandoned. */
  private void endWalk(DhtQuery q) {
    table.markRefreshed(q.target, now);
    for (long id : q.inFlight.values()) {
      pending.remove(id);
    }
    q.inFlight.clear();
  }

  private void onLookupResponse(DhtQuery q, KadPeer from, KadMessage m) {
    addToTable(from); // it answered a DHT request: it serves the protocol
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
    q.lookup.handleResponse(from.id(), closer, now);
    advanceQuery(q);
  }

  /** At most k providers read from one answer (a server sends k); the rest counted. */
  private void readProviders(DhtQuery q, List<KadPeerInfo> listed) {
    int read = 0;
    for (KadPeerInfo info : listed) {
      if (read++ >= config.k() || info.id().equals(self)) {
        stats.providerPeersDropped++;
        continue;
      }
      if (q.providers.size() >= q.wanted) {
        return;
      }
      offerProvider(q, info.peer());
    }
  }

  private void offerProvider(DhtQuery q, KadPeer p) {
    if (!p.id().equals(self) && q.providers.putIfAbsent(p.id(), p) == null) {
      stats.providersFound++;
      events.add(new DhtEvent.ProviderFound(q.id, p));
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
      if (ownAddrs.isEmpty()) {
        stats.providesWithoutAddrs++;
      }
      List<KadPeerInfo> us = List.of(KadPeerInfo.of(self, ownAddrs));
      m = new KadMessage(KadMessageType.ADD_PROVIDER, q.key, null, List.of(), us);
    } else {
      m = new KadMessage(KadMessageType.PUT_VALUE, q.key, q.toPut, List.of(), List.of());
    }
    long deadline = now + config.lookup().requestTimeoutNanos();
    for (KadPeer to : q.lookup.result()) {
      long id = nextId++;
      pending.put(id, new Pending(q.id, to, m.type(), Purpose.SEND, deadline));
      sendDeadlines.add(id, deadline);
      DhtStats.inc(stats.requestsOut, m.type());
      requests.add(new DhtRequest(id, to, m, m.type() != KadMessageType.ADD_PROVIDER));
      q.sends++;
      q.sendsPending++;
    }
  }

  private void sendDone(DhtQuery q, KadPeer to, boolean ok) {
    q.sendsPending--;
    if (ok) {
      q.acked.add(to);
    } else {
      q.sendFailures++;
    }
    advanceQuery(q);
  }

  private void complete(DhtQuery q) {
    active.remove(q.id);
    Lookup l = q.lookup;
    List<KadPeer> peers =
        switch (q.kind) {
          case FIND_PEER -> q.foundPeer == null ? List.of() : List.of(q.foundPeer);
          case PROVIDE, PUT_VALUE -> q.acked;
          default -> l == null ? List.of() : l.result();
        };
    boolean success =
        switch (q.kind) {
          case FIND_PROVIDERS -> !q.providers.isEmpty();
          case GET_VALUE -> q.record != null;
          default -> !peers.isEmpty();
        };
    QueryStats s =
        new QueryStats(
            l == null ? 0 : l.hops(),
            (l == null ? 0 : l.requestsSent()) + q.sends,
            (l == null ? 0 : l.failures() + l.timeouts()) + q.sendFailures,
            now - q.startedNanos,
            success);
    stats.queriesDone++;
    if (success) {
      stats.queriesSucceeded++;
    }
    events.add(
        new DhtEvent.QueryDone(
            q.id,
            q.kind,
            peers,
            new ArrayList<>(q.providers.values()),
            Optional.ofNullable(q.record),
            s));
    if (q.kind == QueryKind.SELF_LOOKUP) {
      refreshBuckets();
    }
  }

  // ---------------------------------------------------------------- providing and refresh

  /** One announcement of {@code key}: our own store, then the walk and the ADD_PROVIDERs. */
  private long announce(byte[] key) {
    ProviderStore.AddStatus s = providerStore.add(key, self, ownAddrs, millis());
    if (s != ProviderStore.AddStatus.ADDED && s != ProviderStore.AddStatus.REFRESHED) {
      stats.ownProviderRecordsRefused++;
    }
    DhtQuery q = new DhtQuery(nextId++, QueryKind.PROVIDE, key, 0, null);
    submit(q);
    return q.id;
  }

  private void runBootstrap() {
    stats.bootstrapRuns++;
    nextRefreshNanos = now + config.refreshIntervalNanos();
    submit(new DhtQuery(nextId++, QueryKind.SELF_LOOKUP, self.toBytes(), 0, null));
  }

  /** After a self lookup: a random-key lookup in each bucket that saw none lately. */
  private void refreshBuckets() {
    byte[][] bank = new byte[config.maxRefreshCpl() + 1][];
    // Half the interval: the last run's refresh lookups ended a little after that run began, so
    // by the full interval they would not yet count as stale and every other run would skip them.
    for (int cpl : table.bucketsToRefresh(now, config.refreshIntervalNanos() / 2)) {
      if (cpl > config.maxRefreshCpl()) {
        break;
      }
      byte[] key = randomKeyInBucket(cpl, bank);
      if (key == null) {
        stats.refreshKeysNotFound++;
        continue;
      }
      stats.refreshLookups++;
      submit(new DhtQuery(nextId++, QueryKind.REFRESH, key, 0, null));
    }
  }

  /**
   * A FIND_NODE key (a sha2-256 peer ID with a random digest) whose Kademlia key falls in bucket
   * {@code cpl}: the key is hashed, so only trying finds one (about 2^(cpl+1) tries, as go does
   * with a precomputed table). Keys tried on the way that fall in other buckets are kept in {@code
   * bank} for them: the search for the deepest bucket pays for most of the others.
   */
  private byte[] randomKeyInBucket(int cpl, byte[][] bank) {
    if (bank[cpl] != null) {
      return bank[cpl];
    }
    for (int i = 0; i < MAX_REFRESH_KEY_TRIES; i++) {
      byte[] mh = new byte[34];
      random.nextBytes(mh);
      mh[0] = 0x12;
      mh[1] = 32;
      int c = table.selfKey().commonPrefixLength(KadKey.of(mh));
      if (c == cpl) {
        return mh;
      }
      if (c < bank.length && bank[c] == null) {
        bank[c] = mh;
      }
    }
    return null;
  }

  // ---------------------------------------------------------------- routing table

  private void addToTable(KadPeer p) {
    if (p.id().equals(self)) {
      return;
    }
    RoutingTable.AddResult r = table.add(p, now);
    switch (r.status()) {
      case ADDED -> {
        stats.peersAdded++;
        events.add(new DhtEvent.RoutingUpdated(p, true));
      }
      case CHECK_NEEDED -> sendCheck(r.toCheck().orElseThrow());
      default -> {}
    }
  }

  private void sendCheck(KadPeer old) {
    long id = nextId++;
    long deadline = now + config.checkTimeoutNanos();
    pending.put(id, new Pending(-1, old, KadMessageType.PING, Purpose.CHECK, deadline));
    checkDeadlines.add(id, deadline);
    checks.put(old.id(), id);
    stats.checksSent++;
    DhtStats.inc(stats.requestsOut, KadMessageType.PING);
    requests.add(
        new DhtRequest(id, old, KadMessage.request(KadMessageType.PING, new byte[0]), true));
  }

  private void endCheck(long requestId, PeerId checked, boolean alive) {
    Optional<KadPeer> old = table.find(checked);
    boolean[] applied = new boolean[1];
    tableChange(() -> applied[0] = table.handleCheckResult(checked, alive, now));
    checks.remove(checked, requestId); // after the change, which reports the waiting peer
    if (applied[0] && !alive && old.isPresent()) {
      events.add(new DhtEvent.RoutingUpdated(old.get(), false));
    }
  }

  private void peerFailed(PeerId peer) {
    Optional<KadPeer> known = table.find(peer);
    if (known.isEmpty()) {
      return;
    }
    tableChange(() -> table.remove(peer, now));
    stats.peersRemovedForFailure++;
    events.add(new DhtEvent.RoutingUpdated(known.get(), false));
  }

  /**
   * Runs a table change that may let peers waiting on a check in (a failed check, a removal making
   * room), and reports those that entered.
   */
  private void tableChange(Runnable change) {
    List<KadPeer> waiting = new ArrayList<>(checks.size());
    for (PeerId checked : checks.keySet()) {
      table.waitingOn(checked).ifPresent(waiting::add);
    }
    change.run();
    for (KadPeer w : waiting) {
      if (table.find(w.id()).isPresent()) {
        stats.peersAdded++;
        events.add(new DhtEvent.RoutingUpdated(w, true));
      }
    }
  }

  // ---------------------------------------------------------------- helpers

  private void advance(long nowNanos) {
    if (nowNanos < now) {
      throw new IllegalArgumentException("time went back from " + now + " to " + nowNanos);
    }
    now = nowNanos;
    timeoutStale = true; // every input and command comes here first
  }

  private long millis() {
    return now / NANOS_PER_MILLI;
  }

  private static void requireKey(byte[] key) {
    if (key.length == 0 || key.length > KadCodec.MAX_KEY_BYTES) {
      throw new IllegalArgumentException(
          "a DHT key has 1.." + KadCodec.MAX_KEY_BYTES + " bytes, not " + key.length);
    }
  }

  private static void requireProviderKey(byte[] key) {
    if (!KadServer.isProviderKey(key)) {
      throw new IllegalArgumentException("a provider key is a multihash of at most 80 bytes");
    }
  }

  /** For tests: the waiting queue of queries holds these (running ones excluded). */
  int queuedQueries() {
    return queued.size();
  }

  /**
   * For tests: {@link #pollTimeout} the slow way, scanning every request in flight (as it did
   * before the deadlines were kept in order); the two must always agree.
   */
  OptionalLong pollTimeoutByScan() {
    long min = nextExpireNanos;
    for (Pending p : pending.values()) {
      if (p.purpose() != Purpose.LOOKUP) {
        min = Math.min(min, p.deadlineNanos());
      }
    }
    for (DhtQuery q : active.values()) {
      if (!q.sending) {
        min = Math.min(min, Math.min(q.deadlineNanos, q.lookup.pollTimeout().orElse(min)));
      }
    }
    min = Math.min(min, table.pollTimeout().orElse(min));
    if (bootstrapped) {
      min = Math.min(min, nextRefreshNanos);
    }
    for (long t : provided.values()) {
      min = Math.min(min, t);
    }
    return OptionalLong.of(min);
  }

  /** For tests: requests in flight. */
  int pendingRequests() {
    return pending.size();
  }
}
