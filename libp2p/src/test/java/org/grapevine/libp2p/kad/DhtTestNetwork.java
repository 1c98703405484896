package org.grapevine.libp2p.kad;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.grapevine.libp2p.multiaddr.Multiaddr;
import org.grapevine.libp2p.peer.PeerId;

/**
 * {@code n} {@link Dht}s wired together in virtual time, driven as the Netty adapter and the
 * simulator drive one: after every input, requests are drained into deliveries, events collected,
 * and the one timer per node re-armed from {@link Dht#pollTimeout} (STYLE C3: quinn's {@code Pair}
 * scaled to N). Events sit in one queue ordered by (time, sequence): a seed gives the same run bit
 * for bit.
 *
 * <p>Model: each message (request or response) takes 10–100 ms and is lost with probability {@code
 * loss} (the asker's request then times out). A node that is down refuses connections: the request
 * fails after a round trip. A client-mode node refuses the protocol the same way. On the first
 * request from A to B, B identifies A ({@link Dht#handlePeerIdentified}, server unless A is a
 * client), as a connection would make it. ADD_PROVIDER, which has no answer, is reported written as
 * soon as it is delivered.
 */
final class DhtTestNetwork {
  static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
  private static final long MIN_LATENCY_NANOS = 10 * MS;
  private static final long MAX_LATENCY_NANOS = 100 * MS;

  private record Event(long timeNanos, long seq, Runnable action) {}

  /** An event a node reported, with when. */
  record Reported(long timeNanos, DhtEvent event) {}

  final List<PeerId> ids = new ArrayList<>();
  private final Map<PeerId, Dht> nodes = new HashMap<>();
  private final Map<PeerId, Multiaddr> addrs = new HashMap<>();
  private final Map<PeerId, List<Reported>> reported = new HashMap<>();
  private final Map<PeerId, Map<Long, DhtEvent.QueryDone>> doneByQuery = new HashMap<>();
  private final Map<PeerId, Long> armed = new HashMap<>();
  private final Set<PeerId> down = new HashSet<>();
  private final Set<PeerId> clients = new HashSet<>();
  private final Set<List<PeerId>> connected = new HashSet<>();
  private final PriorityQueue<Event> queue =
      new PriorityQueue<>(Comparator.comparingLong(Event::timeNanos).thenComparingLong(Event::seq));
  private final SplittableRandom random;
  private final double loss;

  /** Called with each node after every input to it has been drained (for invariant checks). */
  java.util.function.Consumer<Dht> afterDrain = d -> {};

  private long now;
  private long seq;
  private long messages;
  private long lost;

  DhtTestNetwork(int n, DhtConfig config, long seed, double loss) {
    this.random = new SplittableRandom(seed);
    this.loss = loss;
    for (int i = 0; i < n; i++) {
      PeerId id = KadTestPeers.random(random);
      ids.add(id);
      Multiaddr a =
          KadCodecTest.addr(
              "/ip4/10." + (i >> 16 & 255) + "." + (i >> 8 & 255) + "." + (i & 255) + "/tcp/4001");
      addrs.put(id, a);
      Dht d = new Dht(id, config, random.split(), 0);
      d.handleOwnAddrs(List.of(a));
      nodes.put(id, d);
      reported.put(id, new ArrayList<>());
      doneByQuery.put(id, new HashMap<>());
    }
  }

  /**
   * Brings the nodes up one by one, {@code i} milliseconds apart: node {@code i} is seeded with
   * {@code seeds} random nodes already up (as a joiner knows a few bootstrap peers that run) and
   * bootstraps; then the network runs for {@code settleNanos} more. Seeds that are not up yet would
   * answer with empty tables, leaving the joiner unknown until the first periodic refresh, ten
   * minutes later.
   */
  void bootstrapAll(int seeds, long settleNanos) {
    for (int i = 0; i < ids.size(); i++) {
      PeerId id = ids.get(i);
      List<KadPeer> s = new ArrayList<>();
      for (int j = 0; j < seeds && i > 0; j++) {
        s.add(peer(ids.get(random.nextInt(i))));
      }
      at(
          i * MS,
          () -> {
            nodes.get(id).handleSeed(s, now);
            nodes.get(id).bootstrap(now);
            drain(id);
          });
    }
    runUntil(ids.size() * MS + settleNanos);
  }

  KadPeer peer(PeerId id) {
    return new KadPeer(id, List.of(addrs.get(id)));
  }

  Dht node(PeerId id) {
    return nodes.get(id);
  }

  long now() {
    return now;
  }

  SplittableRandom random() {
    return random;
  }

  void setDown(PeerId id, boolean isDown) {
    if (isDown) {
      down.add(id);
    } else {
      down.remove(id);
    }
  }

  void setClient(PeerId id) {
    clients.add(id);
  }

  boolean isUp(PeerId id) {
    return !down.contains(id);
  }

  long messages() {
    return messages;
  }

  long lost() {
    return lost;
  }

  List<Reported> events(PeerId id) {
    return reported.get(id);
  }

  /** Runs {@code command} on {@code node} now (it returns a query id) and drains it. */
  long command(PeerId node, java.util.function.ToLongFunction<Dht> command) {
    long id = command.applyAsLong(nodes.get(node));
    drain(node);
    return id;
  }

  /** Runs until {@code node} reports the end of query {@code query}; fails past {@code limit}. */
  DhtEvent.QueryDone await(PeerId node, long query, long limitNanos) {
    long until = now + limitNanos;
    while (true) {
      Optional<DhtEvent.QueryDone> done = done(node, query);
      if (done.isPresent()) {
        return done.get();
      }
      Event e = queue.peek();
      if (e == null || e.timeNanos() > until) {
        throw new AssertionError("query " + query + " of " + node + " not done in time");
      }
      step();
    }
  }

  Optional<DhtEvent.QueryDone> done(PeerId node, long query) {
    return Optional.ofNullable(doneByQuery.get(node).get(query));
  }

  void runUntil(long timeNanos) {
    while (!queue.isEmpty() && queue.peek().timeNanos() <= timeNanos) {
      step();
    }
    now = Math.max(now, timeNanos);
  }

  private void step() {
    Event e = queue.poll();
    now = e.timeNanos();
    e.action().run();
  }

  /** After any input to {@code id}: its requests out, its events in, its timer re-armed. */
  void drain(PeerId id) {
    Dht d = nodes.get(id);
    for (var r = d.pollRequest(); r.isPresent(); r = d.pollRequest()) {
      DhtRequest req = r.get();
      schedule(latency(), () -> deliver(id, req));
    }
    for (var e = d.pollEvent(); e.isPresent(); e = d.pollEvent()) {
      reported.get(id).add(new Reported(now, e.get()));
      if (e.get() instanceof DhtEvent.QueryDone q) {
        doneByQuery.get(id).put(q.query(), q);
      }
    }
    afterDrain.accept(d);
    long t = Math.max(now, d.pollTimeout().orElseThrow());
    Long a = armed.get(id);
    if (a == null || t < a) {
      armed.put(id, t);
      at(t, () -> fire(id, t));
    }
  }

  private void fire(PeerId id, long t) {
    Long a = armed.get(id);
    if (a == null || a != t) {
      return; // superseded by an earlier deadline
    }
    armed.remove(id);
    if (isUp(id)) {
      nodes.get(id).handleTimeout(now);
    }
    drain(id);
  }

  private void deliver(PeerId from, DhtRequest req) {
    messages++;
    PeerId to = req.to().id();
    Dht asker = nodes.get(from);
    if (!isUp(from)) {
      return;
    }
    if (!isUp(to) || clients.contains(to)) {
      schedule(latency(), () -> report(from, () -> asker.handleFailure(req.id(), "refused", now)));
      return;
    }
    if (random.nextDouble() < loss) {
      lost++;
      return;
    }
    Dht server = nodes.get(to);
    if (connected.add(List.of(from, to))) {
      server.handlePeerIdentified(from, List.of(addrs.get(from)), !clients.contains(from), now);
    }
    KadServer.Reply reply = server.handleRequest(from, req.message(), now);
    drain(to);
    if (!req.expectsResponse()) {
      asker.handleResponse(req.id(), null, now);
      drain(from);
      return;
    }
    if (reply.refusal().isPresent() || reply.response().isEmpty()) {
      schedule(latency(), () -> report(from, () -> asker.handleFailure(req.id(), "reset", now)));
      return;
    }
    KadMessage response = reply.response().get();
    schedule(
        latency(),
        () -> {
          messages++;
          if (random.nextDouble() < loss) {
            lost++;
            return;
          }
          report(from, () -> asker.handleResponse(req.id(), response, now));
        });
  }

  private void report(PeerId to, Runnable input) {
    if (isUp(to)) {
      input.run();
      drain(to);
    }
  }

  private long latency() {
    return random.nextLong(MIN_LATENCY_NANOS, MAX_LATENCY_NANOS + 1);
  }

  private void schedule(long delayNanos, Runnable action) {
    at(now + delayNanos, action);
  }

  private void at(long timeNanos, Runnable action) {
    queue.add(new Event(timeNanos, seq++, action));
  }
}
