package org.grapevine.libp2p.kad;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.grapevine.libp2p.peer.PeerId;

/**
 * The state of one {@link Dht} query: a {@link Lookup} (once started) and what the query collected.
 * Plain data; {@link Queries} drives it.
 */
final class DhtQuery {
  final long id;
  final QueryKind kind;
  final byte[] key;
  final KadKey target;

  /** FIND_PROVIDERS: stop at this many distinct providers. */
  final int wanted;

  /** PUT_VALUE: the record to put. */
  final KadRecord toPut;

  Lookup lookup;
  long startedNanos;
  long deadlineNanos;

  /** The lookup's requests in flight: peer → request id. */
  final Map<PeerId, Long> inFlight = new HashMap<>();

  final LinkedHashMap<PeerId, KadPeer> providers = new LinkedHashMap<>();
  KadRecord record;
  KadPeer foundPeer;
  boolean timedOut;

  /** PROVIDE and PUT_VALUE after the lookup: requests to the closest, not yet reported. */
  boolean sending;

  int sendsPending;
  final List<KadPeer> acked = new ArrayList<>();
  long sends;
  long sendFailures;

  DhtQuery(long id, QueryKind kind, byte[] key, int wanted, KadRecord toPut) {
    this.id = id;
    this.kind = kind;
    this.key = key.clone();
    this.target = KadKey.of(key);
    this.wanted = wanted;
    this.toPut = toPut;
  }

  /**
   * What the query found and what it cost, for its {@link DhtEvent.QueryDone} at {@code nowNanos}.
   * A query answered from our own stores never started a lookup: it cost nothing.
   */
  DhtEvent.QueryDone done(long nowNanos) {
    Lookup l = lookup;
    List<KadPeer> peers =
        switch (kind) {
          case FIND_PEER -> foundPeer == null ? List.of() : List.of(foundPeer);
          case PROVIDE, PUT_VALUE -> acked;
          default -> l == null ? List.of() : l.result();
        };
    boolean success =
        switch (kind) {
          case FIND_PROVIDERS -> !providers.isEmpty();
          case GET_VALUE -> record != null;
          default -> !peers.isEmpty();
        };
    QueryStats s =
        new QueryStats(
            l == null ? 0 : l.hops(),
            (l == null ? 0 : l.requestsSent()) + sends,
            (l == null ? 0 : l.failures() + l.timeouts()) + sendFailures,
            nowNanos - startedNanos,
            success);
    return new DhtEvent.QueryDone(
        id, kind, peers, new ArrayList<>(providers.values()), Optional.ofNullable(record), s);
  }

  /** The request type of the walk. */
  KadMessageType walkType() {
    return switch (kind) {
      case FIND_PROVIDERS -> KadMessageType.GET_PROVIDERS;
      case GET_VALUE -> KadMessageType.GET_VALUE;
      default -> KadMessageType.FIND_NODE;
    };
  }
}
