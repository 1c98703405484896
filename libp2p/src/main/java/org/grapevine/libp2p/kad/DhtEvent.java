package org.grapevine.libp2p.kad;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** What a {@link Dht} reports to its owner ({@link Dht#pollEvent}). */
public sealed interface DhtEvent {
  /**
   * A provider of the key of query {@code query}, found locally or in an answer; each provider once
   * per query, never ourselves. Its addresses may be empty (the answer gave none).
   */
  record ProviderFound(long query, KadPeer provider) implements DhtEvent {
    public ProviderFound {
      Objects.requireNonNull(provider, "provider");
    }
  }

  /**
   * Query {@code query} ended; every query ends with exactly one of these, refused ones included
   * (then with no peers and {@code stats.success()} false).
   *
   * @param peers FIND_PEER: the peer, if found; PROVIDE and PUT_VALUE: the peers that took the
   *     record; otherwise the k closest peers that answered, closest first
   * @param providers FIND_PROVIDERS: every provider found, in the order reported
   * @param record GET_VALUE: the valid record found
   */
  record QueryDone(
      long query,
      QueryKind kind,
      List<KadPeer> peers,
      List<KadPeer> providers,
      Optional<KadRecord> record,
      QueryStats stats)
      implements DhtEvent {
    public QueryDone {
      Objects.requireNonNull(kind, "kind");
      peers = List.copyOf(peers);
      providers = List.copyOf(providers);
      Objects.requireNonNull(record, "record");
      Objects.requireNonNull(stats, "stats");
    }
  }

  /**
   * A peer entered the routing table ({@code added}) or left it (failed requests, a failed check,
   * or it stopped serving the DHT). For a driver that persists the table.
   */
  record RoutingUpdated(KadPeer peer, boolean added) implements DhtEvent {
    public RoutingUpdated {
      Objects.requireNonNull(peer, "peer");
    }
  }
}
