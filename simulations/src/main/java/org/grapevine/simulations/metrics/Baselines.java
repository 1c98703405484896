package org.grapevine.simulations.metrics;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.grapevine.simulations.network.Network;
import org.grapevine.simulations.network.Topology;

/**
 * The flood lower bound of every (post, recipient) pair, on the run's own graph: the shortest-path
 * delay from the author when every node relays at once, each hop costing the link's base latency
 * (no jitter), the sender's upload and the receiver's download time for the envelope, and the
 * receiver's validation delay. Nothing can deliver sooner over this network, so our delay divided
 * by it (the stretch) is at least 1. Faults are ignored (the bound is over the intact graph). With
 * the DHT, the graph is the topology plus every connection made during the run (topic peers), as if
 * each had been up from the start: still a lower bound. Posts by one author with one envelope size
 * share a single Dijkstra run.
 *
 * <p>The <em>topic lower bound</em> of a pair is the same shortest path, but through the
 * subscribers of the author's topic alone (the author and its followers): GossipSub relays a
 * message only among peers subscribed to its topic, and sync runs only between peers that follow
 * it, so no copy can take a shorter path. Stretch over the flood bound then splits in two: the
 * topic bound over the flood bound is what the topic's overlay costs (who is connected to whom
 * among the subscribers: an assumption with the topic-peer oracle, the DHT's doing without it), and
 * the delay over the topic bound is what the protocol costs on that overlay (mesh choice, mesh
 * formation, queueing, validation, jitter).
 */
public final class Baselines {
  private Baselines() {}

  /** {@link #compute(DeliveryLog, Topology, Network, int[], int)} on every available core. */
  public static void compute(
      DeliveryLog log, Topology topology, Network network, int[] envelopeBytes) {
    compute(log, topology, network, envelopeBytes, Runtime.getRuntime().availableProcessors());
  }

  /**
   * Fills in both bounds of every pair, with {@code threads} workers: each (author, size) group is
   * independent and writes only its own posts' slots, so the result does not depend on the number
   * of workers or their order. At 200,000 nodes the Dijkstra runs took about 240 s on one core
   * after the run (one pair of runs per group over the whole graph).
   */
  public static void compute(
      DeliveryLog log, Topology topology, Network network, int[] envelopeBytes, int threads) {
    Integer[] order = new Integer[log.posts()];
    for (int k = 0; k < order.length; k++) {
      order[k] = k;
    }
    // Grouped by (author, size) so that each distinct pair runs Dijkstra once.
    Arrays.sort(
        order,
        (x, y) -> {
          int c = Integer.compare(log.workload().author(x), log.workload().author(y));
          return c != 0 ? c : Integer.compare(envelopeBytes[x], envelopeBytes[y]);
        });
    List<Integer> groupStarts = new ArrayList<>();
    for (int i = 0; i < order.length; i++) {
      if (i == 0
          || log.workload().author(order[i]) != log.workload().author(order[i - 1])
          || envelopeBytes[order[i]] != envelopeBytes[order[i - 1]]) {
        groupStarts.add(i);
      }
    }
    groupStarts.add(order.length);
    AtomicInteger nextGroup = new AtomicInteger();
    Runnable worker =
        () -> {
          int n = topology.nodeCount();
          long[] dist = new long[n];
          long[] topicDist = new long[n];
          int[] stamp = new int[n];
          for (int g = nextGroup.getAndIncrement();
              g < groupStarts.size() - 1;
              g = nextGroup.getAndIncrement()) {
            int first = order[groupStarts.get(g)];
            int author = log.workload().author(first);
            int bytes = envelopeBytes[first];
            long[] arrive = arrivalNanos(bytes, network, n);
            dijkstra(author, bytes, arrive, topology, network, dist, null, 0);
            // The topic's subscribers: the author and its followers (every post's recipients).
            int mark = first + 1;
            stamp[author] = mark;
            for (int s = log.firstSlot(first); s < log.endSlot(first); s++) {
              stamp[log.recipient(first, s)] = mark;
            }
            dijkstra(author, bytes, arrive, topology, network, topicDist, stamp, mark);
            for (int i = groupStarts.get(g); i < groupStarts.get(g + 1); i++) {
              int k = order[i];
              for (int s = log.firstSlot(k); s < log.endSlot(k); s++) {
                log.setLowerBound(s, dist[log.recipient(k, s)]);
                log.setTopicBound(s, topicDist[log.recipient(k, s)]);
              }
            }
          }
        };
    int workers = Math.max(1, Math.min(threads, groupStarts.size() - 1));
    if (workers == 1) {
      worker.run();
      return;
    }
    ExecutorService pool = Executors.newFixedThreadPool(workers); // shut down below, always
    try {
      List<Future<?>> running = new ArrayList<>();
      for (int w = 0; w < workers; w++) {
        running.add(pool.submit(worker));
      }
      for (Future<?> f : running) {
        f.get(); // also what makes the workers' writes visible here
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while computing the baselines", e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("computing the baselines failed", e.getCause());
    } finally {
      pool.shutdownNow();
    }
  }

  /**
   * The flood lower bound of every reply and flood entry from its writer to its addressee, for the
   * entry's envelope size (the {@code Addressed} message adds the delegation: still a lower bound).
   */
  public static void computeAddressed(
      AddressedLog log, Topology topology, Network network, int[] envelopeBytes) {
    long[] dist = new long[topology.nodeCount()];
    for (int k = 0; k < log.workload().posts(); k++) {
      int to = log.addressee(k);
      if (to >= 0) {
        int bytes = envelopeBytes[k];
        long[] arrive = arrivalNanos(bytes, network, dist.length);
        dijkstra(log.workload().author(k), bytes, arrive, topology, network, dist, null, 0);
        log.setLowerBound(k, dist[to] == Long.MAX_VALUE ? 0 : dist[to]);
      }
    }
  }

  /**
   * What arriving at each node costs a message of {@code bytes}: its download and validation. Once
   * per Dijkstra run, not per edge (the network looks both up by the node's class).
   */
  private static long[] arrivalNanos(int bytes, Network net, int nodes) {
    long[] arrive = new long[nodes];
    for (int v = 0; v < nodes; v++) {
      arrive[v] = net.downloadNanos(v, bytes) + net.validationDelayNanos(v);
    }
    return arrive;
  }

  /**
   * Shortest delays from {@code source}; with {@code stamp}, only through nodes whose stamp is
   * {@code mark} (the others stay unreached, {@link Long#MAX_VALUE}).
   */
  private static void dijkstra(
      int source,
      int bytes,
      long[] arrive,
      Topology t,
      Network net,
      long[] dist,
      int[] stamp,
      int mark) {
    Arrays.fill(dist, Long.MAX_VALUE);
    dist[source] = 0;
    LongHeap heap = new LongHeap(t.nodeCount());
    heap.push(0, source);
    while (!heap.isEmpty()) {
      long d = heap.topKey();
      int u = heap.pop();
      if (d > dist[u]) {
        continue;
      }
      long up = net.uploadNanos(u, bytes);
      for (int link = t.firstLink(u); link < t.firstLink(u) + t.degree(u); link++) {
        int v = t.target(link);
        if (stamp != null && stamp[v] != mark) {
          continue;
        }
        long latency =
            t == net.topology() ? net.baseLatencyNanos(link) : net.pairLatencyNanos(u, v);
        long nd = d + up + latency + arrive[v];
        if (nd < dist[v]) {
          dist[v] = nd;
          heap.push(nd, v);
        }
      }
    }
  }

  /**
   * A binary min-heap of (long key, int value) in two primitive arrays; duplicates allowed (lazy
   * deletion).
   */
  private static final class LongHeap {
    private long[] keys;
    private int[] values;
    private int size;

    LongHeap(int capacity) {
      keys = new long[Math.max(16, capacity)];
      values = new int[keys.length];
    }

    boolean isEmpty() {
      return size == 0;
    }

    long topKey() {
      return keys[0];
    }

    void push(long key, int value) {
      if (size == keys.length) {
        keys = Arrays.copyOf(keys, size * 2);
        values = Arrays.copyOf(values, size * 2);
      }
      int i = size++;
      while (i > 0) {
        int parent = (i - 1) / 2;
        if (keys[parent] <= key) {
          break;
        }
        keys[i] = keys[parent];
        values[i] = values[parent];
        i = parent;
      }
      keys[i] = key;
      values[i] = value;
    }

    int pop() {
      int top = values[0];
      long key = keys[--size];
      int value = values[size];
      int i = 0;
      while (true) {
        int child = 2 * i + 1;
        if (child >= size) {
          break;
        }
        if (child + 1 < size && keys[child + 1] < keys[child]) {
          child++;
        }
        if (keys[child] >= key) {
          break;
        }
        keys[i] = keys[child];
        values[i] = values[child];
        i = child;
      }
      keys[i] = key;
      values[i] = value;
      return top;
    }
  }
}
