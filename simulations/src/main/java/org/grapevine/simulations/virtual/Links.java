package org.grapevine.simulations.virtual;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.function.IntConsumer;
import org.grapevine.simulations.network.Network;
import org.grapevine.simulations.network.Topology;

/**
 * Every directed link of a run: the topology's (ids {@code 0 .. topology.links()-1}, connected
 * whenever both ends are up and no split is between them), and those made during the run (topic
 * peers the DHT found), which get the next ids and are connected only while {@link #setConnected}
 * says so. Per link: its base latency, its connection generation and the arrival time of its last
 * message ({@link Wire}). Links are never removed: a closed run-time link keeps its id for the next
 * connection between the same two nodes.
 */
final class Links {
  private final Topology topology;
  private final Network network;
  private final Map<Long, Integer> made = new HashMap<>();
  private int count;
  private long[] latency = new long[16];
  private boolean[] connected = new boolean[16];
  private int[] gen;
  private long[] lastArrival;
  private final int[][] madeNeighbours;
  private final int[] madeDegree;

  Links(Topology topology, Network network) {
    this.topology = topology;
    this.network = network;
    this.count = topology.links();
    this.gen = new int[count + 16];
    this.lastArrival = new long[count + 16];
    this.madeNeighbours = new int[topology.nodeCount()][];
    this.madeDegree = new int[topology.nodeCount()];
  }

  /**
   * The key of the directed pair in {@link #made}: {@code a << 32 | b} times an odd constant (a
   * bijection, so keys stay unique). Unmixed, {@code Long.hashCode} is {@code a ^ b}, which at
   * 10,000 nodes gives some 16,000 distinct hashes for hundreds of thousands of links: every bin of
   * the map turned into a tree.
   */
  private static long key(int a, int b) {
    return ((long) a << 32 | b) * 0x9E3779B97F4A7C15L;
  }

  /** The directed link from {@code a} to {@code b}, or -1 if none was ever made. */
  int link(int a, int b) {
    int l = topology.link(a, b);
    if (l >= 0) {
      return l;
    }
    Integer m = made.get(key(a, b));
    return m == null ? -1 : m;
  }

  /** Whether {@code a} and {@code b} are neighbours in the topology. */
  boolean inTopology(int a, int b) {
    return topology.link(a, b) >= 0;
  }

  /** The link from {@code a} to {@code b}, made (both directions) if there was none. */
  int make(int a, int b) {
    int l = link(a, b);
    if (l >= 0) {
      return l;
    }
    long lat = network.pairLatencyNanos(a, b);
    int ab = add(lat);
    int ba = add(lat);
    made.put(key(a, b), ab);
    made.put(key(b, a), ba);
    addNeighbour(a, b);
    addNeighbour(b, a);
    return ab;
  }

  /** Whether the run-time link between {@code a} and {@code b} is connected. */
  boolean connectedMade(int a, int b) {
    Integer m = made.get(key(a, b));
    return m != null && connected[m - topology.links()];
  }

  void setConnected(int a, int b, boolean on) {
    int ab = make(a, b); // First: making the link may grow the array.
    int ba = make(b, a);
    connected[ab - topology.links()] = on;
    connected[ba - topology.links()] = on;
  }

  /** Each node {@code a} ever had a run-time link with. */
  void forEachMadeNeighbour(int a, IntConsumer f) {
    for (int i = 0; i < madeDegree[a]; i++) {
      f.accept(madeNeighbours[a][i]);
    }
  }

  long latencyNanos(int link) {
    return link < topology.links()
        ? network.baseLatencyNanos(link)
        : latency[link - topology.links()];
  }

  int gen(int link) {
    return gen[link];
  }

  void nextGen(int link) {
    gen[link]++;
  }

  long lastArrival(int link) {
    return lastArrival[link];
  }

  void setLastArrival(int link, long nanos) {
    lastArrival[link] = nanos;
  }

  /** Every pair linked during the run, packed {@code (long) a << 32 | b} with {@code a < b}. */
  long[] madeEdges() {
    long[] out = new long[madeLinks() / 2];
    int e = 0;
    for (int a = 0; a < madeDegree.length; a++) {
      for (int i = 0; i < madeDegree[a]; i++) {
        if (a < madeNeighbours[a][i]) {
          out[e++] = (long) a << 32 | madeNeighbours[a][i];
        }
      }
    }
    return out;
  }

  /** Links made during the run, both directions counted. */
  int madeLinks() {
    return count - topology.links();
  }

  private int add(long lat) {
    int i = count - topology.links();
    if (i == latency.length) {
      latency = Arrays.copyOf(latency, i * 2);
      connected = Arrays.copyOf(connected, i * 2);
    }
    if (count == gen.length) {
      gen = Arrays.copyOf(gen, count * 2);
      lastArrival = Arrays.copyOf(lastArrival, count * 2);
    }
    latency[i] = lat;
    return count++;
  }

  private void addNeighbour(int a, int b) {
    int[] n = madeNeighbours[a];
    if (n == null) {
      n = new int[4];
    } else if (madeDegree[a] == n.length) {
      n = Arrays.copyOf(n, n.length * 2);
    }
    n[madeDegree[a]++] = b;
    madeNeighbours[a] = n;
  }
}
