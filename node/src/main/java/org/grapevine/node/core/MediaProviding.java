package org.grapevine.node.core;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.grapevine.libp2p.kad.Dht;
import org.grapevine.libp2p.kad.DhtEvent;

/**
 * Media files in the DHT (issue 18, docs/ARCHITECTURE.md "Media"): the root CIDs of files the node
 * holds whole are provided, so that a node whose connected peers lack a file finds those that have
 * it; and lookups of a file's providers for the node's media part. Part of the {@link Rendezvous}
 * (it owns the {@link Dht}), sans-I/O, on the core's thread. Keys are a CID's multihash ({@code
 * 0x12 0x20 || sha256}), as IPFS provides them.
 *
 * <p>Bounds: at most {@link #MAX_PROVIDED} keys provided, the newest kept (an older file is still
 * served over Bitswap to connected peers, only no longer announced); at most {@link #MAX_LOOKUPS}
 * lookups at once, each for {@link #WANTED} providers. A lookup over the bound, or while the
 * routing table is empty, ends at once with no providers, counted.
 */
final class MediaProviding {
  /**
   * Media keys provided at most. The DHT republishes each about twice a day to its 20 closest
   * peers; 256 keys keep that near 10,000 ADD_PROVIDER a day, and well within the DHT's own cap of
   * provided keys (1,024, shared with the topics). The newest files are those others ask for.
   */
  static final int MAX_PROVIDED = 256;

  /**
   * Providers wanted per lookup: any one that holds the file is enough; a few for stale records.
   */
  static final int WANTED = 4;

  /** Lookups running at once. */
  static final int MAX_LOOKUPS = 8;

  /** Provided keys, by hex, oldest first (insertion order; a key provided again moves last). */
  private final LinkedHashMap<String, byte[]> provided = new LinkedHashMap<>();

  /** Running lookups: DHT query id to the caller's token. */
  private final Map<Long, Long> lookups = new HashMap<>();

  private long evicted;
  private long lookupsRefused;

  /**
   * Starts providing {@code key} (if not yet), evicting the oldest beyond {@link #MAX_PROVIDED}.
   */
  void provide(Dht dht, byte[] key, long nowNanos) {
    String hex = HexFormat.of().formatHex(key);
    if (provided.remove(hex) != null) {
      provided.put(hex, key); // Newest again; already announced and republished by the DHT.
      return;
    }
    provided.put(hex, key.clone());
    dht.startProviding(key, nowNanos);
    for (Iterator<byte[]> it = provided.values().iterator(); provided.size() > MAX_PROVIDED; ) {
      byte[] oldest = it.next();
      it.remove();
      dht.stopProviding(oldest, nowNanos);
      evicted++;
    }
  }

  /** Stops providing {@code key} (the file was collected); nothing if it was not provided. */
  void stop(Dht dht, byte[] key, long nowNanos) {
    if (provided.remove(HexFormat.of().formatHex(key)) != null) {
      dht.stopProviding(key, nowNanos);
    }
  }

  /**
   * The routing table got its first peer: every provided key is announced again (an announcement
   * made with an empty table reached nobody).
   */
  void announceAll(Dht dht, long nowNanos) {
    for (byte[] key : new ArrayList<>(provided.values())) {
      dht.startProviding(key, nowNanos);
    }
  }

  /**
   * Looks up providers of {@code key} for {@code token}; the answer is a {@link
   * CoreEvent.MediaProviders} in {@code out} (at once, empty, when refused).
   */
  void find(Dht dht, byte[] key, long token, long nowNanos, CoreOutputs out) {
    if (lookups.size() >= MAX_LOOKUPS || dht.routingTableSize() == 0) {
      lookupsRefused++;
      out.events.add(new CoreEvent.MediaProviders(token, List.of()));
      return;
    }
    lookups.put(dht.findProviders(key, WANTED, nowNanos), token);
  }

  /** Whether {@code e} is about one of our lookups; if so, handled (the answer goes to out). */
  boolean handle(DhtEvent e, CoreOutputs out) {
    if (e instanceof DhtEvent.ProviderFound f) {
      return lookups.containsKey(f.query()); // Taken from QueryDone's list, all at once.
    }
    if (e instanceof DhtEvent.QueryDone d && lookups.containsKey(d.query())) {
      long token = lookups.remove(d.query());
      out.events.add(new CoreEvent.MediaProviders(token, d.providers()));
      return true;
    }
    return false;
  }

  int provided() {
    return provided.size();
  }

  boolean providing(byte[] key) {
    return provided.containsKey(HexFormat.of().formatHex(key));
  }

  /** Keys no longer provided because newer ones pushed them out. */
  long evicted() {
    return evicted;
  }

  /** Lookups ended at once: too many running, or no routing table. */
  long lookupsRefused() {
    return lookupsRefused;
  }
}
