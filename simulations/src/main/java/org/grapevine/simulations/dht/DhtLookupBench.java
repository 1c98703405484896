package org.grapevine.simulations.dht;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import org.grapevine.libp2p.MalformedFrameException;
import org.grapevine.libp2p.kad.Dht;
import org.grapevine.libp2p.kad.DhtConfig;
import org.grapevine.libp2p.kad.DhtEvent;
import org.grapevine.libp2p.kad.DhtRequest;
import org.grapevine.libp2p.kad.KadKey;
import org.grapevine.libp2p.kad.KadPeer;
import org.grapevine.libp2p.kad.KadServer;
import org.grapevine.libp2p.kad.QueryStats;
import org.grapevine.libp2p.multiaddr.Multiaddr;
import org.grapevine.libp2p.multiaddr.MultiaddrFormatException;
import org.grapevine.libp2p.peer.PeerId;

/**
 * Lookup cost in a DHT of {@code n} nodes (issue 13's benchmark): {@code n} real {@link Dht}s in
 * virtual time, every one in server mode, each started (one per millisecond) with {@code seeds}
 * random earlier nodes in its table and then {@link Dht#bootstrap} (a self lookup and a refresh of
 * every stale bucket); after {@code settle}, {@code lookups} {@link Dht#findPeer} lookups from a
 * random node for another random node, one every 50 ms. Each message takes the pair's one-way
 * latency, uniform in 10..100 ms and fixed per pair; nothing is lost. A node identifies the sender
 * of each request (the connection it came on), so tables fill as in the running network. Single
 * threaded; the same arguments give the same figures.
 */
public final class DhtLookupBench {
  private static final long MS = 1_000_000L;

  /** What the lookups cost (the arrays sorted). */
  @SuppressWarnings("ArrayRecordComponent") // figures of one run, printed, never compared
  public record Figures(
      int nodes,
      int lookups,
      int found,
      long[] hops,
      long[] messages,
      long[] latencyNanos,
      long messagesInBuild,
      double meanTableSize) {}

  private record Event(long time, long seq, Runnable action) {}

  private final SplittableRandom random;
  private final Dht[] nodes;
  private final PeerId[] ids;
  private final Map<PeerId, Integer> index = new HashMap<>();
  private final long[] armed;
  private final Multiaddr[] addrs;
  private final long salt;
  private final PriorityQueue<Event> queue =
      new PriorityQueue<>(
          (a, b) -> a.time != b.time ? Long.compare(a.time, b.time) : Long.compare(a.seq, b.seq));
  private final Map<Long, QueryStats> done = new HashMap<>();
  private long now;
  private long seq;
  private long messages;

  public DhtLookupBench(int n, long seed) {
    this.random = new SplittableRandom(seed);
    this.salt = random.nextLong();
    this.nodes = new Dht[n];
    this.ids = new PeerId[n];
    this.armed = new long[n];
    this.addrs = new Multiaddr[n];
    for (int i = 0; i < n; i++) {
      byte[] mh = new byte[34];
      mh[0] = 0x12; // sha2-256 multihash of a random "key": a peer ID like any other.
      mh[1] = 0x20;
      for (int b = 2; b < 34; b++) {
        mh[b] = (byte) random.nextInt(256);
      }
      try {
        ids[i] = PeerId.fromBytes(mh);
      } catch (MalformedFrameException e) {
        throw new IllegalStateException(e);
      }
      index.put(ids[i], i);
      nodes[i] = new Dht(ids[i], DhtConfig.DEFAULT, random.split(), 0);
      nodes[i].handleOwnAddrs(List.of(addr(i)));
      armed[i] = Long.MAX_VALUE;
    }
  }

  /** Node {@code i}'s DHT, for tests of the tables. */
  Dht node(int i) {
    return nodes[i];
  }

  /** How the routing tables come to be. */
  public enum Build {
    /**
     * Every node joins as a real one does: seeds, then {@link Dht#bootstrap} (a self lookup and a
     * refresh of every bucket), one node per millisecond; the messages are counted. Slow at 100,000
     * nodes (about 85 minutes here).
     */
    JOINS,
    /**
     * Every table is filled directly with what a settled Kademlia table holds: for each bucket
     * {@code i}, all peers sharing exactly {@code i} leading bits with the node if there are at
     * most k of them, else k of them drawn at random. No messages; seconds at 100,000 nodes. The
     * ideal the joins approach: {@code DhtLookupBenchTest} checks that both give lookups of the
     * same cost at sizes where both run.
     */
    DIRECT
  }

  /** Builds the network by joins, runs the lookups, and returns their figures. */
  public Figures run(int seeds, long settleNanos, int lookups) {
    return run(Build.JOINS, seeds, settleNanos, lookups);
  }

  /** Builds the network as {@code build} says, runs the lookups, and returns their figures. */
  public Figures run(Build build, int seeds, long settleNanos, int lookups) {
    int n = nodes.length;
    if (build == Build.DIRECT) {
      fillTablesDirectly();
      return lookups(settleNanos, lookups, 0);
    }
    for (int i = 0; i < n; i++) {
      int node = i;
      List<KadPeer> s = new ArrayList<>();
      for (int j = 0; j < Math.min(seeds, i); j++) {
        int o = random.nextInt(i);
        s.add(new KadPeer(ids[o], List.of(addr(o))));
      }
      at(
          i * MS,
          () -> {
            nodes[node].handleSeed(s, now);
            nodes[node].bootstrap(now);
            drain(node);
          });
    }
    long start = n * MS + settleNanos;
    runUntil(start);
    return lookups(start, lookups, messages);
  }

  private Figures lookups(long start, int lookups, long built) {
    int n = nodes.length;
    runUntil(start);
    long[] queries = new long[lookups];
    int[] askers = new int[lookups];
    for (int q = 0; q < lookups; q++) {
      int from = random.nextInt(n);
      int target = (from + 1 + random.nextInt(n - 1)) % n;
      int slot = q;
      askers[q] = from;
      at(
          start + q * 50L * MS,
          () -> {
            queries[slot] = nodes[from].findPeer(ids[target], now);
            drain(from);
          });
    }
    runUntil(start + lookups * 50L * MS + DhtConfig.DEFAULT.queryTimeoutNanos() + 1);
    long[] hops = new long[lookups];
    long[] msgs = new long[lookups];
    long[] lat = new long[lookups];
    int found = 0;
    for (int q = 0; q < lookups; q++) {
      QueryStats st = done.get((long) askers[q] << 40 ^ queries[q]);
      if (st == null) {
        throw new IllegalStateException("lookup " + q + " never ended");
      }
      hops[q] = st.hops();
      msgs[q] = st.requests();
      lat[q] = st.durationNanos();
      found += st.success() ? 1 : 0;
    }
    Arrays.sort(hops);
    Arrays.sort(msgs);
    Arrays.sort(lat);
    double table = 0;
    for (Dht d : nodes) {
      table += d.routingTableSize();
    }
    return new Figures(n, lookups, found, hops, msgs, lat, built, table / n);
  }

  /**
   * {@link Build#DIRECT}: with the nodes sorted by key, the peers sharing exactly {@code cpl}
   * leading bits with a node are one contiguous run of that order (its prefix of {@code cpl} bits,
   * then the opposite bit), found by binary search on the first 64 bits of the key.
   */
  private void fillTablesDirectly() {
    int n = nodes.length;
    long[] word = new long[n];
    Integer[] order = new Integer[n];
    for (int i = 0; i < n; i++) {
      word[i] = ByteBuffer.wrap(KadKey.of(ids[i]).toBytes()).getLong();
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> Long.compareUnsigned(word[a], word[b]));
    long[] sorted = new long[n];
    for (int r = 0; r < n; r++) {
      sorted[r] = word[order[r]];
      if (r > 0 && sorted[r] == sorted[r - 1]) {
        throw new IllegalStateException("two keys share their first 64 bits; pick another seed");
      }
    }
    KadPeer[] peers = new KadPeer[n];
    for (int i = 0; i < n; i++) {
      peers[i] = new KadPeer(ids[i], List.of(addr(i)));
    }
    int k = DhtConfig.DEFAULT.k();
    for (int i = 0; i < n; i++) {
      List<KadPeer> table = new ArrayList<>();
      for (int cpl = 0; cpl < 64; cpl++) {
        int shift = 63 - cpl;
        long lo = ((word[i] >>> shift) ^ 1L) << shift;
        long hi = lo | (shift == 0 ? 0L : -1L >>> (64 - shift));
        int from = firstAtLeast(sorted, lo);
        int to = hi == -1L ? n : firstAtLeast(sorted, hi + 1);
        if (to - from <= k) {
          for (int r = from; r < to; r++) {
            table.add(peers[order[r]]);
          }
        } else {
          random.ints(from, to).distinct().limit(k).forEach(r -> table.add(peers[order[r]]));
        }
      }
      nodes[i].handleSeed(table, 0);
    }
  }

  /** The first rank whose word is at least {@code w} (unsigned), or {@code sorted.length}. */
  private static int firstAtLeast(long[] sorted, long w) {
    int lo = 0;
    int hi = sorted.length;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (Long.compareUnsigned(sorted[mid], w) < 0) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  private void drain(int i) {
    Dht d = nodes[i];
    for (DhtRequest r = d.pollRequest().orElse(null); r != null; r = d.pollRequest().orElse(null)) {
      send(i, r);
    }
    for (DhtEvent e = d.pollEvent().orElse(null); e != null; e = d.pollEvent().orElse(null)) {
      if (e instanceof DhtEvent.QueryDone q) {
        done.put((long) i << 40 ^ q.query(), q.stats());
      }
    }
    long t = d.pollTimeout().orElse(Long.MAX_VALUE);
    if (t < armed[i]) {
      armed[i] = t;
      at(
          t,
          () -> {
            if (armed[i] == t) {
              armed[i] = Long.MAX_VALUE;
              nodes[i].handleTimeout(now);
              drain(i);
            }
          });
    }
  }

  private void send(int from, DhtRequest r) {
    messages++;
    int to = index.get(r.to().id());
    long one = latency(from, to);
    at(
        now + one,
        () -> {
          Dht target = nodes[to];
          target.handlePeerIdentified(ids[from], List.of(addr(from)), true, now);
          KadServer.Reply reply = target.handleRequest(ids[from], r.message(), now);
          drain(to);
          if (!r.expectsResponse()) {
            return;
          }
          messages++;
          at(
              now + one,
              () -> {
                if (reply.response().isPresent()) {
                  nodes[from].handleResponse(r.id(), reply.response().get(), now);
                } else {
                  nodes[from].handleFailure(r.id(), "refused", now);
                }
                drain(from);
              });
        });
    if (!r.expectsResponse()) {
      nodes[from].handleResponse(r.id(), null, now);
    }
  }

  private long latency(int a, int b) {
    long x = salt ^ ((long) Math.min(a, b) << 32 | Math.max(a, b));
    return 10 * MS + new SplittableRandom(x).nextLong(90 * MS + 1);
  }

  private void at(long time, Runnable action) {
    queue.add(new Event(Math.max(time, now), seq++, action));
  }

  private void runUntil(long time) {
    while (!queue.isEmpty() && queue.peek().time <= time) {
      Event e = queue.poll();
      now = e.time;
      e.action.run();
    }
    now = Math.max(now, time);
  }

  private Multiaddr addr(int i) {
    if (addrs[i] != null) {
      return addrs[i];
    }
    try {
      addrs[i] =
          Multiaddr.parse(
              "/ip4/10." + (i >> 16 & 255) + "." + (i >> 8 & 255) + "." + (i & 255) + "/tcp/4001");
      return addrs[i];
    } catch (MultiaddrFormatException e) {
      throw new IllegalStateException(e);
    }
  }
}
