package org.grapevine.libp2p.kad;

import java.util.concurrent.TimeUnit;

/**
 * Every parameter and bound of a {@link Dht}. Build with {@link #builder()}; {@link #DEFAULT} is
 * the public DHT's.
 *
 * @param k bucket size, lookup result size, and how many peers an announcement goes to (spec: 20)
 * @param lookup α, per-request timeout and the bounds of one lookup
 * @param checkTimeoutNanos how long a PING checking a least recently seen table peer may take
 * @param queryTimeoutNanos how long a whole query may run; then it ends with what it has (the
 *     spec's bootstrap QueryTimeout is 10 s; go gives user queries a minute)
 * @param maxConcurrentQueries queries running at once; more wait in a queue
 * @param maxQueuedQueries queries waiting to start; more are refused at once (a failed {@link
 *     DhtEvent.QueryDone}, counted)
 * @param maxWantedProviders the most providers one findProviders may ask for
 * @param maxProvidedKeys keys we announce (startProviding beyond it is refused and counted)
 * @param republishIntervalNanos how often our provider records are announced again (22 h as go:
 *     under the spec's 24 h expiry, so that a record never lapses at a server keeping it 24 h)
 * @param refreshIntervalNanos bootstrap period: a self lookup, and a lookup in each bucket that saw
 *     none for half as long (go: 10 min; the spec's r1 text says 5 min)
 * @param maxRefreshCpl deepest bucket refreshed by a random lookup (go: 15): a key in bucket {@code
 *     c} costs about 2^(c+1) hashes to find
 * @param expireIntervalNanos how often expired provider records and values are pruned (spec: e.g.
 *     every hour)
 * @param maxProviderKeys keys our {@link ProviderStore} holds records for
 * @param maxProvidersPerKey providers it holds per key
 * @param maxKeysPerProvider keys one provider may hold records for in it
 * @param providerValidityMillis how long a provider record is kept (48 h, see {@link
 *     ProviderStore})
 * @param maxRecords value records ({@code /pk/}) our {@link RecordStore} holds
 * @param recordValidityMillis how long a value record is kept (go: 36 h, MaxRecordAge)
 * @param requestsPerSecond inbound requests one peer may make per second, sustained
 * @param requestBurst inbound requests one peer may make at once
 * @param maxRateLimitedPeers peers whose request rate is tracked; the least recently active is
 *     forgotten beyond it (it gets a full bucket again, as a new peer ID would)
 */
public record DhtConfig(
    int k,
    LookupConfig lookup,
    long checkTimeoutNanos,
    long queryTimeoutNanos,
    int maxConcurrentQueries,
    int maxQueuedQueries,
    int maxWantedProviders,
    int maxProvidedKeys,
    long republishIntervalNanos,
    long refreshIntervalNanos,
    int maxRefreshCpl,
    long expireIntervalNanos,
    int maxProviderKeys,
    int maxProvidersPerKey,
    int maxKeysPerProvider,
    long providerValidityMillis,
    int maxRecords,
    long recordValidityMillis,
    double requestsPerSecond,
    int requestBurst,
    int maxRateLimitedPeers) {

  public static final DhtConfig DEFAULT = builder().build();

  public DhtConfig {
    if (k < 1 || k > KadCodec.MAX_PEERS || lookup.resultSize() != k) {
      throw new IllegalArgumentException(
          "k " + k + " must be in 1.." + KadCodec.MAX_PEERS + " and the lookup's result size");
    }
    if (checkTimeoutNanos <= 0
        || queryTimeoutNanos <= 0
        || republishIntervalNanos <= 0
        || refreshIntervalNanos <= 0
        || expireIntervalNanos <= 0
        || requestsPerSecond <= 0) {
      throw new IllegalArgumentException("timeouts, intervals and rates must be positive");
    }
    if (maxConcurrentQueries < 1
        || maxQueuedQueries < 0
        || maxWantedProviders < 1
        || maxProvidedKeys < 0
        || maxRecords < 1
        || requestBurst < 1
        || maxRateLimitedPeers < 1) {
      throw new IllegalArgumentException("DHT bounds out of range");
    }
    if (maxRefreshCpl < 0 || maxRefreshCpl >= KadKey.BITS) {
      throw new IllegalArgumentException("maxRefreshCpl " + maxRefreshCpl);
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Defaults as the record's doc says; set what differs. */
  public static final class Builder {
    private int k = RoutingTable.K;
    private LookupConfig lookup = LookupConfig.DEFAULT;
    private long checkTimeoutNanos = LookupConfig.REQUEST_TIMEOUT_NANOS;
    private long queryTimeoutNanos = TimeUnit.MINUTES.toNanos(1);
    private int maxConcurrentQueries = 32;
    private int maxQueuedQueries = 2048;
    private int maxWantedProviders = 1000;
    private int maxProvidedKeys = 1024;
    private long republishIntervalNanos = TimeUnit.HOURS.toNanos(22);
    private long refreshIntervalNanos = TimeUnit.MINUTES.toNanos(10);
    private int maxRefreshCpl = 15;
    private long expireIntervalNanos = TimeUnit.HOURS.toNanos(1);
    private int maxProviderKeys = 100_000;
    private int maxProvidersPerKey = 100;
    private int maxKeysPerProvider = 2048;
    private long providerValidityMillis = ProviderStore.VALIDITY_MILLIS;
    private int maxRecords = 10_000;
    private long recordValidityMillis = TimeUnit.HOURS.toMillis(36);
    private double requestsPerSecond = 20;
    private int requestBurst = 40;
    private int maxRateLimitedPeers = 4096;

    private Builder() {}

    /** Sets k in the table and in the lookups. */
    public Builder k(int v) {
      k = v;
      lookup =
          new LookupConfig(
              lookup.alpha(),
              v,
              lookup.requestTimeoutNanos(),
              Math.max(lookup.maxCandidates(), v),
              Math.max(lookup.maxRequests(), v));
      return this;
    }

    public Builder lookup(LookupConfig v) {
      lookup = v;
      k = v.resultSize();
      return this;
    }

    public Builder checkTimeoutNanos(long v) {
      checkTimeoutNanos = v;
      return this;
    }

    public Builder queryTimeoutNanos(long v) {
      queryTimeoutNanos = v;
      return this;
    }

    public Builder maxConcurrentQueries(int v) {
      maxConcurrentQueries = v;
      return this;
    }

    public Builder maxQueuedQueries(int v) {
      maxQueuedQueries = v;
      return this;
    }

    public Builder maxWantedProviders(int v) {
      maxWantedProviders = v;
      return this;
    }

    public Builder maxProvidedKeys(int v) {
      maxProvidedKeys = v;
      return this;
    }

    public Builder republishIntervalNanos(long v) {
      republishIntervalNanos = v;
      return this;
    }

    public Builder refreshIntervalNanos(long v) {
      refreshIntervalNanos = v;
      return this;
    }

    public Builder maxRefreshCpl(int v) {
      maxRefreshCpl = v;
      return this;
    }

    public Builder expireIntervalNanos(long v) {
      expireIntervalNanos = v;
      return this;
    }

    public Builder maxProviderKeys(int v) {
      maxProviderKeys = v;
      return this;
    }

    public Builder maxProvidersPerKey(int v) {
      maxProvidersPerKey = v;
      return this;
    }

    public Builder maxKeysPerProvider(int v) {
      maxKeysPerProvider = v;
      return this;
    }

    public Builder providerValidityMillis(long v) {
      providerValidityMillis = v;
      return this;
    }

    public Builder maxRecords(int v) {
      maxRecords = v;
      return this;
    }

    public Builder recordValidityMillis(long v) {
      recordValidityMillis = v;
      return this;
    }

    public Builder requestsPerSecond(double v) {
      requestsPerSecond = v;
      return this;
    }

    public Builder requestBurst(int v) {
      requestBurst = v;
      return this;
    }

    public Builder maxRateLimitedPeers(int v) {
      maxRateLimitedPeers = v;
      return this;
    }

    public DhtConfig build() {
      return new DhtConfig(
          k,
          lookup,
          checkTimeoutNanos,
          queryTimeoutNanos,
          maxConcurrentQueries,
          maxQueuedQueries,
          maxWantedProviders,
          maxProvidedKeys,
          republishIntervalNanos,
          refreshIntervalNanos,
          maxRefreshCpl,
          expireIntervalNanos,
          maxProviderKeys,
          maxProvidersPerKey,
          maxKeysPerProvider,
          providerValidityMillis,
          maxRecords,
          recordValidityMillis,
          requestsPerSecond,
          requestBurst,
          maxRateLimitedPeers);
    }
  }
}
