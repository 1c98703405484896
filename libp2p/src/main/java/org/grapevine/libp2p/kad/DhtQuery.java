package org.grapevine.libp2p.kad;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.grapevine.libp2p.peer.PeerId;

/**
 * The state of one {@link Dht} query: a {@link Lookup} (once started) and what the query collected.
 * Plain data; the Dht drives it.
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

  /** The request type of the walk. */
  KadMessageType walkType() {
    return switch (kind) {
      case FIND_PROVIDERS -> KadMessageType.GET_PROVIDERS;
      case GET_VALUE -> KadMessageType.GET_VALUE;
      default -> KadMessageType.FIND_NODE;
    };
  }
}
