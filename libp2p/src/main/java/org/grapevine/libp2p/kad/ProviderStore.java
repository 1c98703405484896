package org.grapevine.libp2p.kad;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.grapevine.libp2p.multiaddr.Multiaddr;
import org.grapevine.libp2p.peer.PeerId;

/**
 * The provider records a DHT server holds (libp2p/specs kad-dht/README.md "Content routing"): for
 * each key (a CID's multihash bytes, as js and go send them), the peers that announced with
 * ADD_PROVIDER that they provide it, and their addresses. In memory; not thread-safe. Time is
 * wall-clock milliseconds passed in (not the monotonic nanos of the other cores), so that records
 * can be persisted and keep their age across a restart. Should the clock step back, some records
 * expire late, never early.
 *
 * <p>Expiry: {@value #VALIDITY_HOURS} hours after the last announcement. The spec says records
 * "should expire, by default, after 24 hours"; js kad-dht (15.x, {@code PROVIDERS_VALIDITY}) keeps
 * them 48 h and re-announces its own after 24 h, go re-announces every 22 h. Keeping them 48 h
 * means a record survives one missed re-announcement (a provider offline for a while, a
 * re-announcement that reached other servers but not this one), and serving a provider up to a day
 * after it left costs a lookup a failed dial at worst. The validity is a constructor argument for
 * tests and for a driver that wants the spec's 24 h.
 *
 * <p>Limits, each counted when hit ({@link #refused}):
 *
 * <ul>
 *   <li>providers per key: a full key refuses newcomers and keeps the providers it has (who refresh
 *       their place by re-announcing). Evicting the oldest instead would let anyone with many peer
 *       IDs flush honest providers out; refusing costs a newcomer this one server of the {@code k}
 *       it announces to.
 *   <li>keys in all: a full store refuses new keys (same reasoning).
 *   <li>keys per provider: one peer cannot fill the store by announcing thousands of keys.
 *   <li>addresses per provider: {@link KadPeer#MAX_ADDRS}, the rest cut and counted.
 * </ul>
 *
 * Expired records are dropped lazily by {@link #providers} and {@link #add} for their key, and all
 * of them by {@link #expire}, which the driver calls periodically (the spec: e.g. every hour).
 */
public final class ProviderStore {
  public static final long VALIDITY_HOURS = 48;
  public static final long VALIDITY_MILLIS = TimeUnit.HOURS.toMillis(VALIDITY_HOURS);

  /** What {@link #add} did. */
  public enum AddStatus {
    ADDED,
    /** A known provider of the key re-announced: its expiry starts again, its addresses updated. */
    REFRESHED,
    /** Refused: the key has {@code maxProvidersPerKey} providers. */
    KEY_FULL,
    /** Refused: the store holds {@code maxKeys} keys and this is a new one. */
    STORE_FULL,
    /** Refused: the provider already provides {@code maxKeysPerProvider} keys. */
    PROVIDER_FULL,
  }

  /** One record: who provides, at which addresses, announced when. */
  private record Provider(KadPeer peer, long addedMillis) {}

  private final int maxKeys;
  private final int maxProvidersPerKey;
  private final int maxKeysPerProvider;
  private final long validityMillis;

  /** Key bytes → providers in announcement order (a refresh moves one to the back). */
  private final Map<ByteBuffer, LinkedHashMap<PeerId, Provider>> byKey = new HashMap<>();

  private final Map<PeerId, Integer> keysPerProvider = new HashMap<>();
  private final Map<AddStatus, Long> refused = new EnumMap<>(AddStatus.class);
  private long records;
  private long expired;
  private long addrsCut;

  public ProviderStore(
      int maxKeys, int maxProvidersPerKey, int maxKeysPerProvider, long validityMillis) {
    if (maxKeys < 1 || maxProvidersPerKey < 1 || maxKeysPerProvider < 1 || validityMillis <= 0) {
      throw new IllegalArgumentException("provider store limits must be positive");
    }
    this.maxKeys = maxKeys;
    this.maxProvidersPerKey = maxProvidersPerKey;
    this.maxKeysPerProvider = maxKeysPerProvider;
    this.validityMillis = validityMillis;
  }

  /**
   * Records {@code provider} for {@code key}. The driver has already checked what the spec asks:
   * that the provider is the sender of the ADD_PROVIDER.
   */
  public AddStatus add(byte[] key, PeerId provider, List<Multiaddr> addrs, long nowMillis) {
    ByteBuffer k = ByteBuffer.wrap(key.clone());
    LinkedHashMap<PeerId, Provider> providers = byKey.get(k);
    if (providers != null) {
      dropExpired(k, providers, nowMillis);
      providers = byKey.get(k);
    }
    if (addrs.size() > KadPeer.MAX_ADDRS) {
      addrsCut += addrs.size() - KadPeer.MAX_ADDRS;
    }
    KadPeer peer = KadPeer.capped(provider, addrs);
    if (providers != null && providers.remove(provider) != null) {
      providers.put(provider, new Provider(peer, nowMillis));
      return AddStatus.REFRESHED;
    }
    AddStatus refusal = refusal(providers, provider);
    if (refusal != null) {
      refused.merge(refusal, 1L, Long::sum);
      return refusal;
    }
    if (providers == null) {
      providers = new LinkedHashMap<>();
      byKey.put(k, providers);
    }
    providers.put(provider, new Provider(peer, nowMillis));
    keysPerProvider.merge(provider, 1, Integer::sum);
    records++;
    return AddStatus.ADDED;
  }

  private AddStatus refusal(Map<PeerId, Provider> providers, PeerId provider) {
    if (providers == null && byKey.size() >= maxKeys) {
      return AddStatus.STORE_FULL;
    }
    if (providers != null && providers.size() >= maxProvidersPerKey) {
      return AddStatus.KEY_FULL;
    }
    if (keysPerProvider.getOrDefault(provider, 0) >= maxKeysPerProvider) {
      return AddStatus.PROVIDER_FULL;
    }
    return null;
  }

  /** The unexpired providers of {@code key}, most recently announced last. */
  public List<KadPeer> providers(byte[] key, long nowMillis) {
    ByteBuffer k = ByteBuffer.wrap(key);
    LinkedHashMap<PeerId, Provider> providers = byKey.get(k);
    if (providers == null) {
      return List.of();
    }
    dropExpired(k, providers, nowMillis);
    List<KadPeer> out = new ArrayList<>(providers.size());
    providers.values().forEach(p -> out.add(p.peer()));
    return out;
  }

  /**
   * Drops every expired record.
   *
   * @return how many
   */
  public int expire(long nowMillis) {
    long before = expired;
    for (Iterator<Map.Entry<ByteBuffer, LinkedHashMap<PeerId, Provider>>> it =
            byKey.entrySet().iterator();
        it.hasNext(); ) {
      Map.Entry<ByteBuffer, LinkedHashMap<PeerId, Provider>> e = it.next();
      removeExpired(e.getValue(), nowMillis);
      if (e.getValue().isEmpty()) {
        it.remove();
      }
    }
    return (int) (expired - before);
  }

  /**
   * Drops {@code provider}'s record for {@code key}, if held: our own, when we stop providing (the
   * copies on other peers expire on their own; ours would otherwise name us for 48 h more).
   *
   * @return whether there was one
   */
  public boolean remove(byte[] key, PeerId provider) {
    ByteBuffer k = ByteBuffer.wrap(key);
    LinkedHashMap<PeerId, Provider> providers = byKey.get(k);
    if (providers == null || providers.remove(provider) == null) {
      return false;
    }
    keysPerProvider.computeIfPresent(provider, (id, n) -> n == 1 ? null : n - 1);
    records--;
    if (providers.isEmpty()) {
      byKey.remove(k);
    }
    return true;
  }

  private void dropExpired(ByteBuffer key, Map<PeerId, Provider> providers, long nowMillis) {
    removeExpired(providers, nowMillis);
    if (providers.isEmpty()) {
      byKey.remove(key);
    }
  }

  /** Announcement order (a LinkedHashMap) is expiry order: the expired ones are at the front. */
  private void removeExpired(Map<PeerId, Provider> providers, long nowMillis) {
    for (Iterator<Provider> it = providers.values().iterator(); it.hasNext(); ) {
      Provider p = it.next();
      if (nowMillis - p.addedMillis() < validityMillis) {
        return;
      }
      it.remove();
      keysPerProvider.computeIfPresent(p.peer().id(), (id, n) -> n == 1 ? null : n - 1);
      records--;
      expired++;
    }
  }

  /** Keys with at least one record (some possibly expired but not yet dropped). */
  public int keys() {
    return byKey.size();
  }

  /** Records held (some possibly expired but not yet dropped). */
  public long records() {
    return records;
  }

  /** Records dropped on expiry so far. */
  public long expired() {
    return expired;
  }

  /** Announcements refused for {@code reason} (one of the refusing {@link AddStatus} values). */
  public long refused(AddStatus reason) {
    return refused.getOrDefault(reason, 0L);
  }

  /** Addresses beyond {@link KadPeer#MAX_ADDRS} cut from announcements. */
  public long addrsCut() {
    return addrsCut;
  }
}
