package org.grapevine.libp2p.gossipsub;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.Set;
import java.util.function.Function;
import java.util.function.IntFunction;
import org.grapevine.libp2p.MalformedFrameException;
import org.grapevine.libp2p.peer.PeerId;

/**
 * N routers in virtual time (quinn's {@code Pair} scaled to N). Events sit in a priority queue
 * ordered by (time, seq); each step runs one input on one router, then drains that router's
 * outputs: every OutboundRpc is encoded and decoded through {@link RpcCodec} and delivered to its
 * target after the link latency, the next timeout is scheduled, and MessageReceived events are
 * validated at once (ACCEPT unless a validator says otherwise; null means "hold").
 */
final class GossipTestNetwork {
  /** Decides whether one RPC on the link from -> to is delivered. */
  interface LinkFilter {
    boolean deliver(int from, int to, Rpc rpc, long nowNanos);
  }

  interface Validator {
    Acceptance validate(int node, GossipEvent.MessageReceived message);
  }

  private record Event(long time, long seq, Runnable action) {}

  private final List<GossipRouter> routers = new ArrayList<>();
  private final List<PeerId> ids = new ArrayList<>();
  private final Map<PeerId, Integer> index = new HashMap<>();
  private final Set<Long> links = new HashSet<>();
  private final PriorityQueue<Event> queue =
      new PriorityQueue<>(
          (a, b) -> a.time != b.time ? Long.compare(a.time, b.time) : Long.compare(a.seq, b.seq));
  private final long[] scheduledTimer;
  private final List<List<GossipEvent>> events = new ArrayList<>();
  private final List<List<GossipEvent.MessageReceived>> accepted = new ArrayList<>();
  private final RpcCodec codec = new RpcCodec();
  private final long latencyNanos;
  private long seq;
  private long now;
  LinkFilter linkFilter = (from, to, rpc, t) -> true;
  Validator validator = (node, m) -> Acceptance.ACCEPT;

  private GossipTestNetwork(Builder b) {
    this.latencyNanos = b.latencyNanos;
    for (int i = 0; i < b.peers; i++) {
      PeerId id = TestPeers.peer(i + 1);
      ids.add(id);
      index.put(id, i);
      GossipConfig c = b.config.apply(i);
      routers.add(
          new GossipRouter(
              c,
              id,
              c.signaturePolicy() == SignaturePolicy.STRICT_SIGN ? TestPeers.key(i + 1) : null,
              new Random(b.seed * 1_000_003L + i)));
      events.add(new ArrayList<>());
      accepted.add(new ArrayList<>());
    }
    this.scheduledTimer = new long[b.peers];
    java.util.Arrays.fill(scheduledTimer, Long.MIN_VALUE);
    Random topology = new Random(b.seed);
    if (b.minDegree > 0) {
      for (int i = 0; i < b.peers; i++) {
        int want = b.minDegree + topology.nextInt(b.maxDegree - b.minDegree + 1);
        int guard = 0;
        while (degree(i) < want && guard++ < 10 * b.peers) {
          int j = topology.nextInt(b.peers);
          if (j != i && !connected(i, j)) {
            connect(i, j);
          }
        }
      }
    }
    for (int[] pair : b.pairs) {
      connect(pair[0], pair[1]);
    }
  }

  static Builder builder() {
    return new Builder();
  }

  static final class Builder {
    private int peers = 2;
    private long seed = 1;
    private long latencyNanos = 10_000_000L;
    private int minDegree;
    private int maxDegree;
    private final List<int[]> pairs = new ArrayList<>();
    private IntFunction<GossipConfig> config = i -> GossipConfig.builder().build();

    Builder peers(int n) {
      this.peers = n;
      return this;
    }

    Builder seed(long s) {
      this.seed = s;
      return this;
    }

    Builder latencyNanos(long l) {
      this.latencyNanos = l;
      return this;
    }

    /** Each node dials random peers until it has between min and max connections. */
    Builder randomDegree(int min, int max) {
      this.minDegree = min;
      this.maxDegree = max;
      return this;
    }

    Builder fullMesh() {
      for (int i = 0; i < peers; i++) {
        for (int j = i + 1; j < peers; j++) {
          pairs.add(new int[] {i, j});
        }
      }
      return this;
    }

    Builder connect(int dialer, int listener) {
      pairs.add(new int[] {dialer, listener});
      return this;
    }

    Builder config(GossipConfig c) {
      this.config = i -> c;
      return this;
    }

    Builder config(IntFunction<GossipConfig> c) {
      this.config = c;
      return this;
    }

    GossipTestNetwork build() {
      return new GossipTestNetwork(this);
    }
  }

  int size() {
    return routers.size();
  }

  GossipRouter router(int i) {
    return routers.get(i);
  }

  PeerId id(int i) {
    return ids.get(i);
  }

  int indexOf(PeerId p) {
    return index.get(p);
  }

  long now() {
    return now;
  }

  List<GossipEvent> events(int i) {
    return events.get(i);
  }

  List<GossipEvent.MessageReceived> accepted(int i) {
    return accepted.get(i);
  }

  boolean connected(int i, int j) {
    return links.contains(key(i, j));
  }

  int degree(int i) {
    int d = 0;
    for (int j = 0; j < size(); j++) {
      d += connected(i, j) ? 1 : 0;
    }
    return d;
  }

  private static long key(int i, int j) {
    return ((long) Math.min(i, j) << 32) | Math.max(i, j);
  }

  void connect(int dialer, int listener) {
    links.add(key(dialer, listener));
    routers
        .get(dialer)
        .handlePeerConnected(
            ids.get(listener), Direction.OUTBOUND, GossipProtocol.MESHSUB_V12, now);
    drain(dialer);
    routers
        .get(listener)
        .handlePeerConnected(ids.get(dialer), Direction.INBOUND, GossipProtocol.MESHSUB_V12, now);
    drain(listener);
  }

  void disconnect(int a, int b) {
    links.remove(key(a, b));
    routers.get(a).handlePeerDisconnected(ids.get(b), now);
    drain(a);
    routers.get(b).handlePeerDisconnected(ids.get(a), now);
    drain(b);
  }

  void subscribe(int node, String topic) {
    routers.get(node).subscribe(topic, now);
    drain(node);
  }

  void subscribeAll(String topic) {
    for (int i = 0; i < size(); i++) {
      subscribe(i, topic);
    }
  }

  MessageId publish(int node, String topic, byte[] data) {
    MessageId id = routers.get(node).publish(topic, data, now);
    drain(node);
    return id;
  }

  /** Reports a held validation and drains. */
  boolean report(int node, MessageId id, PeerId source, Acceptance acceptance) {
    boolean known = routers.get(node).reportValidation(id, source, acceptance);
    drain(node);
    return known;
  }

  /** Runs every event up to and including {@code untilNanos}, then sets the clock there. */
  void runUntil(long untilNanos) {
    while (!queue.isEmpty() && queue.peek().time <= untilNanos) {
      Event e = queue.poll();
      now = e.time;
      e.action.run();
    }
    now = untilNanos;
  }

  void runFor(long nanos) {
    runUntil(now + nanos);
  }

  private void schedule(long time, Runnable action) {
    queue.add(new Event(time, seq++, action));
  }

  private void drain(int node) {
    GossipRouter r = routers.get(node);
    boolean again = true;
    while (again) {
      again = false;
      for (Optional<OutboundRpc> o = r.pollOutbound(); o.isPresent(); o = r.pollOutbound()) {
        send(node, o.get());
      }
      OptionalLong t = r.pollTimeout();
      if (t.isPresent() && t.getAsLong() != scheduledTimer[node]) {
        long deadline = t.getAsLong();
        scheduledTimer[node] = deadline;
        schedule(
            deadline,
            () -> {
              if (scheduledTimer[node] == deadline) {
                scheduledTimer[node] = Long.MIN_VALUE;
                r.handleTimeout(now);
                drain(node);
              }
            });
      }
      for (Optional<GossipEvent> e = r.pollEvent(); e.isPresent(); e = r.pollEvent()) {
        events.get(node).add(e.get());
        if (e.get() instanceof GossipEvent.MessageReceived m) {
          Acceptance a = validator.validate(node, m);
          if (a == Acceptance.ACCEPT) {
            accepted.get(node).add(m);
          }
          if (a != null) {
            r.reportValidation(m.id(), m.source(), a);
            again = true;
          }
        }
      }
    }
  }

  private void send(int from, OutboundRpc o) {
    int to = index.get(o.to());
    if (!connected(from, to) || !linkFilter.deliver(from, to, o.rpc(), now)) {
      return;
    }
    Rpc decoded;
    try {
      decoded = codec.decode(codec.encode(o.rpc()));
    } catch (MalformedFrameException e) {
      throw new AssertionError("router produced an RPC it cannot decode", e);
    }
    schedule(
        now + latencyNanos,
        () -> {
          if (connected(from, to)) {
            routers.get(to).handleRpc(ids.get(from), decoded, now);
            drain(to);
          }
        });
  }

  /** Sums a metric over all routers. */
  long sum(Function<GossipMetrics, Long> metric) {
    long total = 0;
    for (GossipRouter r : routers) {
      total += metric.apply(r.metrics());
    }
    return total;
  }
}
