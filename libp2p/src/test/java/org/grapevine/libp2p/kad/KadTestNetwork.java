package org.grapevine.libp2p.kad;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.grapevine.libp2p.peer.PeerId;

/**
 * An in-memory DHT of {@code n} nodes in virtual time, driving the real {@link RoutingTable} and
 * {@link Lookup} of each node the way a host adapter would, with no I/O (STYLE C3: quinn's {@code
 * Pair} scaled to N). Events sit in one queue ordered by (time, sequence), so a seed gives the same
 * run bit for bit.
 *
 * <p>Model: every message takes a latency drawn uniformly from 10–100 ms. A FIND_NODE reaching a
 * live node is answered from its table's {@code k} closest to the key, and the node adds the asker
 * to its table (every node is a server). A dead node never answers: the asker's request times out.
 * When a table asks to check its least recently seen peer, the check answers after a round trip if
 * that peer is alive, and fails after the table's check timeout otherwise.
 *
 * <p>Joining: node {@code i} starts knowing one of the first five nodes, then looks up its own key
 * and {@code bootstrapLookups - 1} random keys (spec "Bootstrap process"), one node after another.
 */
final class KadTestNetwork {
  static final long CHECK_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(5);
  private static final long MIN_LATENCY_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
  private static final long MAX_LATENCY_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
  private static final int WELL_KNOWN = 5;

  private record Event(long timeNanos, long seq, Runnable action) {}

  final List<PeerId> ids = new ArrayList<>();
  private final Map<PeerId, RoutingTable> tables = new HashMap<>();
  private final Map<PeerId, Boolean> alive = new HashMap<>();
  private final PriorityQueue<Event> queue =
      new PriorityQueue<>(Comparator.comparingLong(Event::timeNanos).thenComparingLong(Event::seq));
  private final Map<Lookup, Long> timers = new HashMap<>(); // Lookup has identity equality
  private final Map<Lookup, Set<PeerId>> known = new HashMap<>();
  private final SplittableRandom random;
  private final LookupConfig config;
  private long now;
  private long seq;
  private long messages;

  private KadTestNetwork(long seed, LookupConfig config) {
    this.random = new SplittableRandom(seed);
    this.config = config;
  }

  /** {@code n} nodes, each joined with {@code bootstrapLookups} lookups. */
  static KadTestNetwork build(int n, int bootstrapLookups, long seed) {
    KadTestNetwork net = new KadTestNetwork(seed, LookupConfig.DEFAULT);
    for (int i = 0; i < n; i++) {
      PeerId id = KadTestPeers.random(net.random);
      net.ids.add(id);
      net.tables.put(id, new RoutingTable(id, RoutingTable.K, CHECK_TIMEOUT_NANOS));
      net.alive.put(id, true);
    }
    for (int i = 1; i < n; i++) {
      PeerId id = net.ids.get(i);
      PeerId bootstrap = net.ids.get(net.random.nextInt(Math.min(i, WELL_KNOWN)));
      net.tables.get(id).add(KadPeer.of(bootstrap), net.now);
      net.lookup(id, KadKey.of(id));
      for (int j = 1; j < bootstrapLookups; j++) {
        net.lookup(id, KadKey.random(net.random));
      }
    }
    return net;
  }

  SplittableRandom random() {
    return random;
  }

  RoutingTable table(PeerId id) {
    return tables.get(id);
  }

  boolean isAlive(PeerId id) {
    return alive.get(id);
  }

  void kill(PeerId id) {
    alive.put(id, false);
  }

  /** FIND_NODE requests and responses delivered so far. */
  long messages() {
    return messages;
  }

  /**
   * A finished lookup, and every peer it knew of: its seeds and the closer peers in the answers it
   * accepted.
   */
  record Run(Lookup lookup, Set<PeerId> known) {}

  /** Runs one lookup from {@code from} to the end, in virtual time; other events run meanwhile. */
  Run lookup(PeerId from, KadKey target) {
    RoutingTable table = tables.get(from);
    List<KadPeer> seeds = table.closest(target, config.resultSize());
    Lookup l = new Lookup(from, target, seeds, config, now);
    Set<PeerId> knownToIt = new HashSet<>();
    seeds.forEach(p -> knownToIt.add(p.id()));
    known.put(l, knownToIt);
    pump(from, l);
    while (!l.isDone()) {
      Event e = queue.poll();
      if (e == null) {
        throw new AssertionError("a lookup that is not done must await an answer or a timeout");
      }
      now = e.timeNanos();
      e.action().run();
    }
    table.markRefreshed(target, now);
    return new Run(l, known.remove(l));
  }

  private void pump(PeerId from, Lookup l) {
    for (var next = l.pollRequest(); next.isPresent(); next = l.pollRequest()) {
      PeerId to = next.get().id();
      schedule(latency(), () -> onRequest(from, to, l));
    }
    // One timer per lookup, as a driver keeps one: re-armed only for an earlier deadline.
    l.pollTimeout()
        .ifPresent(
            t -> {
              Long armed = timers.get(l);
              if (armed == null || t < armed) {
                timers.put(l, t);
                schedule(t - now, () -> onTimeout(from, l, t));
              }
            });
  }

  private void onRequest(PeerId from, PeerId to, Lookup l) {
    messages++;
    if (!alive.get(to)) {
      return;
    }
    RoutingTable server = tables.get(to);
    List<KadPeer> closer = server.closest(l.target(), config.resultSize());
    addSeen(to, KadPeer.of(from));
    schedule(latency(), () -> onResponse(from, to, closer, l));
  }

  private void onResponse(PeerId from, PeerId to, List<KadPeer> closer, Lookup l) {
    messages++;
    addSeen(from, KadPeer.of(to)); // it answered: alive, even if the lookup no longer waits
    if (l.handleResponse(to, closer, now)) {
      closer.forEach(p -> known.get(l).add(p.id()));
      pump(from, l);
    }
  }

  private void onTimeout(PeerId from, Lookup l, long deadline) {
    Long armed = timers.get(l);
    if (armed == null || armed != deadline) {
      return; // superseded by an earlier one, which re-armed the timer
    }
    timers.remove(l);
    // As go does, a peer that did not answer leaves the asker's table: else dead peers linger
    // there and crowd the answers it gives others.
    for (PeerId dead : l.handleTimeout(now)) {
      tables.get(from).remove(dead, now);
    }
    pump(from, l);
  }

  /** {@code owner} saw {@code peer} alive; a full bucket's check runs as the model says. */
  private void addSeen(PeerId owner, KadPeer peer) {
    RoutingTable table = tables.get(owner);
    table
        .add(peer, now)
        .toCheck()
        .ifPresent(
            old -> {
              boolean up = alive.get(old.id());
              long delay = up ? latency() + latency() : CHECK_TIMEOUT_NANOS;
              schedule(delay, () -> table.handleCheckResult(old.id(), up, now));
            });
  }

  private long latency() {
    return random.nextLong(MIN_LATENCY_NANOS, MAX_LATENCY_NANOS + 1);
  }

  private void schedule(long delayNanos, Runnable action) {
    queue.add(new Event(now + delayNanos, seq++, action));
  }
}
