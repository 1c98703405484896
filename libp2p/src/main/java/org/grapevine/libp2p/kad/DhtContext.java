package org.grapevine.libp2p.kad;

import java.util.ArrayDeque;
import java.util.List;
import org.grapevine.libp2p.multiaddr.Multiaddr;
import org.grapevine.libp2p.peer.PeerId;

/**
 * What the parts of one {@link Dht} share: who we are, the config, the routing table, the counters,
 * the events for {@link Dht#pollEvent}, our own addresses, the time of the last input and the id
 * counter. Plain data, not thread-safe.
 *
 * <p>Rules:
 *
 * <ol>
 *   <li>Only the Dht moves the time ({@link #advance}, on every input and command); its parts
 *       ({@link Queries}, {@link TableKeeper}, {@link Providing}, {@link BucketRefresh}) read it.
 *   <li>Queries and requests take their ids from the one counter, in the order they are made. The
 *       ids show in every request and event, so the order they are drawn in is behaviour (the
 *       simulator's regression digest depends on it).
 * </ol>
 */
final class DhtContext {
  private static final long NANOS_PER_MILLI = 1_000_000L;

  final PeerId self;
  final DhtConfig config;
  final RoutingTable table;
  final DhtStats stats;
  final ArrayDeque<DhtEvent> events = new ArrayDeque<>();

  /** Our own dialable addresses: in our ADD_PROVIDERs and in our own provider records. */
  List<Multiaddr> ownAddrs = List.of();

  private long now;
  private long nextId = 1;

  DhtContext(PeerId self, DhtConfig config, RoutingTable table, DhtStats stats, long nowNanos) {
    this.self = self;
    this.config = config;
    this.table = table;
    this.stats = stats;
    this.now = nowNanos;
  }

  /** The time of the last input, monotonic nanoseconds. */
  long now() {
    return now;
  }

  /** {@link #now} in the stores' milliseconds. */
  long millis() {
    return now / NANOS_PER_MILLI;
  }

  /**
   * An input or command at {@code nowNanos}.
   *
   * @throws IllegalArgumentException if time went back: a driver's bug
   */
  void advance(long nowNanos) {
    if (nowNanos < now) {
      throw new IllegalArgumentException("time went back from " + now + " to " + nowNanos);
    }
    now = nowNanos;
  }

  /** The next id, for a query or a request alike. */
  long newId() {
    return nextId++;
  }
}
