package org.grapevine.libp2p.kad;

import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The keys the {@link Dht} provides (its rule 5): each is announced when providing starts and again
 * every {@link DhtConfig#republishIntervalNanos} until it stops, and held in our own {@link
 * ProviderStore} meanwhile. Plain state, not thread-safe.
 *
 * <p>Rules: at most {@link DhtConfig#maxProvidedKeys} keys; one more is refused with a failed
 * QueryDone, counted. An announcement refreshes our own record first (refused: counted, the walk
 * still runs), then runs a PROVIDE query ({@link Queries}). Keys due together are announced in the
 * order providing started.
 */
final class Providing {
  private final DhtContext ctx;
  private final ProviderStore store;
  private final Queries queries;

  /** Keys we provide → when they are next announced. */
  private final Map<ByteBuffer, Long> provided = new LinkedHashMap<>();

  Providing(DhtContext ctx, ProviderStore store, Queries queries) {
    this.ctx = ctx;
    this.store = store;
    this.queries = queries;
  }

  /** Starts providing {@code key} (checked by the caller); the id of its first announcement. */
  long start(byte[] key) {
    ByteBuffer k = ByteBuffer.wrap(key.clone());
    if (!provided.containsKey(k) && provided.size() >= ctx.config.maxProvidedKeys()) {
      ctx.stats.providesRefused++;
      long id = ctx.newId();
      queries.refuse(id, QueryKind.PROVIDE);
      return id;
    }
    provided.put(k, ctx.now() + ctx.config.republishIntervalNanos());
    long id = announce(k.array());
    queries.startQueued();
    return id;
  }

  /** Stops republishing {@code key} and drops our own record of it. */
  void stop(byte[] key) {
    provided.remove(ByteBuffer.wrap(key.clone()));
    store.remove(key, ctx.self);
  }

  /** Announces the keys due; their queries wait for the caller to start the queue. */
  void handleTimeout() {
    long now = ctx.now();
    for (Map.Entry<ByteBuffer, Long> e : provided.entrySet()) {
      if (e.getValue() <= now) {
        e.setValue(now + ctx.config.republishIntervalNanos());
        ctx.stats.republishes++;
        announce(e.getKey().array());
      }
    }
  }

  /** Announces every key now (our addresses changed); the next republish is counted from now. */
  void announceAll() {
    long now = ctx.now();
    for (Map.Entry<ByteBuffer, Long> e : provided.entrySet()) {
      e.setValue(now + ctx.config.republishIntervalNanos());
      ctx.stats.republishes++;
      announce(e.getKey().array());
    }
  }

  /** The earliest of {@code min} and the next announcement. */
  long earliestDeadline(long min) {
    long earliest = min;
    for (long t : provided.values()) {
      earliest = Math.min(earliest, t);
    }
    return earliest;
  }

  /** Keys we provide. */
  int size() {
    return provided.size();
  }

  /** One announcement of {@code key}: our own store, then the walk and the ADD_PROVIDERs. */
  private long announce(byte[] key) {
    ProviderStore.AddStatus s = store.add(key, ctx.self, ctx.ownAddrs, ctx.millis());
    if (s != ProviderStore.AddStatus.ADDED && s != ProviderStore.AddStatus.REFRESHED) {
      ctx.stats.ownProviderRecordsRefused++;
    }
    DhtQuery q = new DhtQuery(ctx.newId(), QueryKind.PROVIDE, key, 0, null);
    queries.submit(q);
    return q.id;
  }
}
