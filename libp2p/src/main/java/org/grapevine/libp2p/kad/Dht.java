package org.grapevine.libp2p.kad;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.random.RandomGenerator;
import org.grapevine.libp2p.limits.KeyedTokenBuckets;
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
 * <p>Rules (each stated in full, and kept, by the package-private part named after it):
 *
 * <ol>
 *   <li><b>The table</b> holds the peers that serve the DHT: identified as servers ({@link
 *       #handlePeerIdentified}), seeded ({@link #handleSeed}), or answering us. A full bucket has
 *       its least recently seen peer checked with a PING; a peer that fails a request leaves at
 *       once. ({@code TableKeeper})
 *   <li><b>Queries</b>: at most {@link DhtConfig#maxConcurrentQueries} run, {@link
 *       DhtConfig#maxQueuedQueries} wait, the rest fail at once. Each ends with one {@link
 *       DhtEvent.QueryDone}, after at most {@link DhtConfig#queryTimeoutNanos}. findProviders reads
 *       our own store first and reports providers as they arrive ({@link DhtEvent.ProviderFound})
 *       up to {@code wanted}; findPeer stops when an answer names the peer; getValue at the first
 *       valid {@code /pk/} record. ({@code Queries}; requests: {@code RequestOutcomes})
 *   <li><b>Providing</b>: ADD_PROVIDER to the key's k closest peers with our addresses ({@link
 *       #handleOwnAddrs}), again every {@link DhtConfig#republishIntervalNanos} until
 *       stopProviding. ({@code Providing})
 *   <li><b>Bootstrap</b> ({@link #bootstrap}): a self lookup, then a random-key lookup in each
 *       stale bucket, again every {@link DhtConfig#refreshIntervalNanos}. ({@code BucketRefresh})
 *       Stores are pruned every {@link DhtConfig#expireIntervalNanos}.
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
  private final DhtContext ctx;
  private final DhtConfig config;
  private final RoutingTable table;
  private final ProviderStore providerStore;
  private final RecordStore records;
  private final KadServer server;
  private final KeyedTokenBuckets<PeerId> limiter;
  private final DhtStats stats;
  private final PendingRequests pending;
  private final TableKeeper keeper;
  private final BucketRefresh refresh;
  private final Queries queries;
  private final Providing providing;
  private final RequestOutcomes outcomes;

  private long nextExpireNanos;

  /**
   * {@link #pollTimeout}'s last answer, until the next input or command: drivers ask after every
   * input of the whole node (gossip, sync), most of which never reach the DHT.
   */
  private long timeout;

  private boolean timeoutStale = true;

  public Dht(PeerId self, DhtConfig config, RandomGenerator random, long nowNanos) {
    this.config = config;
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
        new KeyedTokenBuckets<>(
            config.requestsPerSecond(),
            Duration.ofSeconds(1),
            config.requestBurst(),
            config.maxRateLimitedPeers());
    this.stats = new DhtStats(server, providerStore, records, table, limiter);
    this.ctx = new DhtContext(self, config, table, stats, nowNanos);
    this.pending = new PendingRequests(stats);
    this.keeper = new TableKeeper(ctx, pending);
    this.refresh = new BucketRefresh(ctx, random);
    this.queries = new Queries(ctx, pending, keeper, refresh);
    this.providing = new Providing(ctx, providerStore, queries);
    this.outcomes = new RequestOutcomes(stats, pending, keeper, queries);
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
      keeper.add(KadPeer.capped(peer, addrs));
    } else {
      keeper.removeNotServer(peer);
    }
    queries.startQueued();
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
    peers.forEach(keeper::add);
    queries.startQueued();
  }

  /** Our own dialable addresses, sent in ADD_PROVIDER; beyond {@link KadPeer#MAX_ADDRS} cut. */
  public void handleOwnAddrs(List<Multiaddr> addrs) {
    if (addrs.size() > KadPeer.MAX_ADDRS) {
      stats.ownAddrsCut += addrs.size() - KadPeer.MAX_ADDRS;
    }
    ctx.ownAddrs = KadPeer.capped(ctx.self, addrs).addrs();
  }

  /**
   * Announces every provided key again now, with the current {@link #handleOwnAddrs own addresses}:
   * for when they changed (a relay reservation gave us a circuit address), since the records out on
   * other peers carry the old ones until the next republish. Counted as republishes.
   */
  public void reannounce(long nowNanos) {
    advance(nowNanos);
    providing.announceAll();
    queries.startQueued();
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
    if (!limiter.tryAcquire(from, ctx.now())) {
      stats.refusedHere.merge(KadServer.Refusal.RATE_LIMITED, 1L, Long::sum);
      return KadServer.Reply.refused(KadServer.Refusal.RATE_LIMITED);
    }
    keeper.seenAlive(from);
    return server.handle(from, request, ctx.millis());
  }

  /**
   * The answer to request {@code requestId} ({@code null} for ADD_PROVIDER, once written). An
   * answer of the wrong type counts as a failure of the peer. Reports for requests no longer
   * awaited are ignored and counted.
   */
  public void handleResponse(long requestId, KadMessage response, long nowNanos) {
    advance(nowNanos);
    if (outcomes.handleResponse(requestId, response)) {
      queries.startQueued();
    }
  }

  /** Request {@code requestId} failed (dial failed, stream reset, malformed or oversize answer). */
  public void handleFailure(long requestId, String why, long nowNanos) {
    advance(nowNanos);
    if (outcomes.handleFailure(requestId)) {
      queries.startQueued();
    }
  }

  /** Deadlines: requests, checks, queries, refresh, expiry, republication. */
  public void handleTimeout(long nowNanos) {
    advance(nowNanos);
    long now = ctx.now();
    // 1. sends and checks past their deadline (before the table's own check deadline, the same)
    outcomes.handleTimeout(now);
    // 2. lookups: overdue requests, overdue queries; then the table's checks
    queries.handleTimeout();
    keeper.handleTimeout();
    // 3. periodic work
    refresh.handleTimeout().forEach(queries::submit);
    if (now >= nextExpireNanos) {
      providerStore.expire(ctx.millis());
      records.expire(ctx.millis());
      nextExpireNanos = now + config.expireIntervalNanos();
    }
    providing.handleTimeout();
    queries.startQueued();
  }

  // ---------------------------------------------------------------- commands

  /** FIND_NODE lookup of {@code peer}; done at once if it is in our table. */
  public long findPeer(PeerId peer, long nowNanos) {
    advance(nowNanos);
    DhtQuery q = new DhtQuery(ctx.newId(), QueryKind.FIND_PEER, peer.toBytes(), 0, null);
    Optional<KadPeer> known = table.find(peer);
    q.foundPeer = known.orElse(null);
    return queries.completeOrSubmit(q, known.isPresent());
  }

  /** FIND_NODE lookup of the k peers closest to any key. */
  public long findClosest(byte[] key, long nowNanos) {
    advance(nowNanos);
    requireKey(key);
    return queries.submitNew(QueryKind.FIND_CLOSEST, key, 0, null);
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
    DhtQuery q = new DhtQuery(ctx.newId(), QueryKind.FIND_PROVIDERS, key, wanted, null);
    for (KadPeer p : providerStore.providers(key, ctx.millis())) {
      queries.offerProvider(q, p);
    }
    return queries.completeOrSubmit(q, q.providers.size() >= wanted);
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
    return providing.start(key);
  }

  /**
   * Stops republishing {@code key} and drops our own record of it (we no longer answer that we
   * provide it); the records already out on other peers expire on their own.
   */
  public void stopProviding(byte[] key, long nowNanos) {
    advance(nowNanos);
    providing.stop(key);
  }

  /**
   * The value of {@code key}: from our store, else a GET_VALUE walk keeping the first valid record.
   * Keys outside {@code /pk/} end at once, failed and counted.
   */
  public long getValue(byte[] key, long nowNanos) {
    advance(nowNanos);
    requireKey(key);
    DhtQuery q = new DhtQuery(ctx.newId(), QueryKind.GET_VALUE, key, 0, null);
    if (!PkRecords.isPkKey(key)) {
      stats.valueKeysRefused++;
      queries.refuse(q.id, QueryKind.GET_VALUE);
      return q.id;
    }
    Optional<KadRecord> local = records.get(key, ctx.millis());
    q.record = local.orElse(null);
    return queries.completeOrSubmit(q, local.isPresent());
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
    records.put(r, ctx.millis());
    return queries.submitNew(QueryKind.PUT_VALUE, key, 0, r);
  }

  /** A self lookup now, then bucket refreshes, and again every refresh interval. */
  public void bootstrap(long nowNanos) {
    advance(nowNanos);
    queries.submit(refresh.bootstrap());
    queries.startQueued();
  }

  // ---------------------------------------------------------------- outputs and reads

  public Optional<DhtRequest> pollRequest() {
    return pending.poll();
  }

  public Optional<DhtEvent> pollEvent() {
    return Optional.ofNullable(ctx.events.poll());
  }

  /**
   * The next deadline for {@link #handleTimeout}; there always is one (the periodic expiry). Cheap:
   * drivers call it after every input (the requests' deadlines are kept in order, the running
   * queries are at most {@link DhtConfig#maxConcurrentQueries}, each lookup's is its oldest).
   */
  public OptionalLong pollTimeout() {
    if (timeoutStale) {
      timeout = earliestDeadline(pending.earliestDeadline());
      timeoutStale = false;
    }
    return OptionalLong.of(timeout);
  }

  /** The earliest of the requests' ({@code requestsDue}) and every other part's deadline. */
  private long earliestDeadline(long requestsDue) {
    long min = queries.earliestDeadline(Math.min(nextExpireNanos, requestsDue));
    OptionalLong checkDue = table.pollTimeout();
    if (checkDue.isPresent()) {
      min = Math.min(min, checkDue.getAsLong());
    }
    return providing.earliestDeadline(refresh.earliestDeadline(min));
  }

  public PeerId self() {
    return ctx.self;
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
    return providing.size();
  }

  /** Queries running and waiting. */
  public int queries() {
    return queries.size();
  }

  public DhtStats stats() {
    return stats;
  }

  // ---------------------------------------------------------------- helpers

  private void advance(long nowNanos) {
    ctx.advance(nowNanos);
    timeoutStale = true; // every input and command comes here first
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
    return queries.queued();
  }

  /**
   * For tests: {@link #pollTimeout} the slow way, scanning every request in flight (as it did
   * before the deadlines were kept in order); the two must always agree.
   */
  OptionalLong pollTimeoutByScan() {
    return OptionalLong.of(earliestDeadline(pending.earliestDeadlineByScan(Long.MAX_VALUE)));
  }

  /** For tests: requests in flight. */
  int pendingRequests() {
    return pending.size();
  }
}
