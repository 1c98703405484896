package org.grapevine.libp2p.kad;

import java.util.EnumMap;
import java.util.Map;
import org.grapevine.libp2p.limits.KeyedTokenBuckets;
import org.grapevine.libp2p.peer.PeerId;

/**
 * The counters of one {@link Dht}: a live view, read on the Dht's loop. Every refusal and drop the
 * Dht or its parts make shows here.
 */
public final class DhtStats {
  private final KadServer server;
  private final ProviderStore providers;
  private final RecordStore records;
  private final RoutingTable table;
  private final KeyedTokenBuckets<PeerId> limiter;

  final Map<KadMessageType, Long> requestsIn = new EnumMap<>(KadMessageType.class);
  final Map<KadMessageType, Long> requestsOut = new EnumMap<>(KadMessageType.class);
  final Map<KadServer.Refusal, Long> refusedHere = new EnumMap<>(KadServer.Refusal.class);
  long responses;
  long failures;
  long timeouts;
  long lateReports;
  long badResponses;
  long bytesIn;
  long bytesOut;
  long queriesStarted;
  long queriesDone;
  long queriesSucceeded;
  long queriesRefused;
  long queriesTimedOut;
  long providersFound;
  long providerPeersDropped;
  long providesRefused;
  long providesWithoutAddrs;
  long ownProviderRecordsRefused;
  long republishes;
  long ownAddrsCut;
  long invalidRecordsReceived;
  long valueKeysRefused;
  long peersAdded;
  long peersRemovedForFailure;
  long peersRemovedNotServer;
  long checksSent;
  long bootstrapRuns;
  long refreshLookups;
  long refreshKeysNotFound;

  DhtStats(
      KadServer server,
      ProviderStore providers,
      RecordStore records,
      RoutingTable table,
      KeyedTokenBuckets<PeerId> limiter) {
    this.server = server;
    this.providers = providers;
    this.records = records;
    this.table = table;
    this.limiter = limiter;
  }

  static void inc(Map<KadMessageType, Long> m, KadMessageType t) {
    m.merge(t, 1L, Long::sum);
  }

  /** Requests of {@code type} we served (rate-limited ones included). */
  public long requestsIn(KadMessageType type) {
    return requestsIn.getOrDefault(type, 0L);
  }

  /** Requests of {@code type} we sent. */
  public long requestsOut(KadMessageType type) {
    return requestsOut.getOrDefault(type, 0L);
  }

  /**
   * Inbound requests refused, or listed providers dropped, for {@code reason}: by the rate limiter
   * here and by {@link KadServer}.
   */
  public long refused(KadServer.Refusal reason) {
    return refusedHere.getOrDefault(reason, 0L) + server.refused(reason);
  }

  /** Answers to our requests that a query or a check was waiting for. */
  public long responses() {
    return responses;
  }

  /** Our requests reported failed by the driver. */
  public long failures() {
    return failures;
  }

  /** Our requests that timed out. */
  public long timeouts() {
    return timeouts;
  }

  /** Responses and failures reported for requests no longer awaited (timed out, query ended). */
  public long lateReports() {
    return lateReports;
  }

  /** Answers of the wrong type (or none where one was due): counted as failures of the peer. */
  public long badResponses() {
    return badResponses;
  }

  /** DHT bytes the driver reported ({@link Dht#handleBytes}). */
  public long bytesIn() {
    return bytesIn;
  }

  public long bytesOut() {
    return bytesOut;
  }

  public long queriesStarted() {
    return queriesStarted;
  }

  public long queriesDone() {
    return queriesDone;
  }

  public long queriesSucceeded() {
    return queriesSucceeded;
  }

  /** Queries refused because the queue of waiting queries was full. */
  public long queriesRefused() {
    return queriesRefused;
  }

  /** Queries ended by the query timeout, with what they had. */
  public long queriesTimedOut() {
    return queriesTimedOut;
  }

  /** {@link DhtEvent.ProviderFound} events. */
  public long providersFound() {
    return providersFound;
  }

  /** Provider peers beyond k in one answer, or ourselves, not read. */
  public long providerPeersDropped() {
    return providerPeersDropped;
  }

  /** startProviding refused: {@code maxProvidedKeys} keys already provided. */
  public long providesRefused() {
    return providesRefused;
  }

  /** Announcements sent with no address of ours (none known): peers see only our ID. */
  public long providesWithoutAddrs() {
    return providesWithoutAddrs;
  }

  /** Our own provider record refused by our own store (it is full). */
  public long ownProviderRecordsRefused() {
    return ownProviderRecordsRefused;
  }

  /** Republications of provided keys started. */
  public long republishes() {
    return republishes;
  }

  /** Own addresses beyond {@link KadPeer#MAX_ADDRS}, not announced. */
  public long ownAddrsCut() {
    return ownAddrsCut;
  }

  /** Records in GET_VALUE answers that failed validation (or were for another key). */
  public long invalidRecordsReceived() {
    return invalidRecordsReceived;
  }

  /** getValue on keys outside the {@code /pk/} namespace, refused at once. */
  public long valueKeysRefused() {
    return valueKeysRefused;
  }

  public long peersAdded() {
    return peersAdded;
  }

  /** Table peers removed because a request to them failed or timed out. */
  public long peersRemovedForFailure() {
    return peersRemovedForFailure;
  }

  /** Table peers removed because identify said they no longer serve the DHT. */
  public long peersRemovedNotServer() {
    return peersRemovedNotServer;
  }

  /** PINGs sent to check a least recently seen peer of a full bucket. */
  public long checksSent() {
    return checksSent;
  }

  /** Checks that found the old peer dead: evictions. */
  public long checksFailed() {
    return table.checksFailed();
  }

  /** Bootstrap runs: the first and each periodic refresh. */
  public long bootstrapRuns() {
    return bootstrapRuns;
  }

  /** Bucket refresh lookups started. */
  public long refreshLookups() {
    return refreshLookups;
  }

  /** Buckets not refreshed because no key for them was found within the search bound. */
  public long refreshKeysNotFound() {
    return refreshKeysNotFound;
  }

  /** Provider records in our store. */
  public long providerRecords() {
    return providers.records();
  }

  public long providerRecordsExpired() {
    return providers.expired();
  }

  /** Value records in our store. */
  public int valueRecords() {
    return records.size();
  }

  public long valueRecordsExpired() {
    return records.expired();
  }

  /** Rate-limiter buckets forgotten to stay within bounds. */
  public long rateLimiterForgotten() {
    return limiter.forgotten();
  }
}
