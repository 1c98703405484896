package org.grapevine.simulations.virtual;

import java.util.SplittableRandom;
import org.grapevine.simulations.network.Network;
import org.grapevine.simulations.network.Topology;

/**
 * The modelled network between the nodes: per node an uplink and a downlink that serialise at their
 * rates (FIFO), per link a latency with jitter and FIFO order (like TCP), and per link a connection
 * generation: a message in flight belongs to one connection, and is dropped if the link went down
 * (churn, partition) before it was delivered, as a reset TCP connection drops it.
 */
final class Wire {
  private final Topology topology;
  private final Network network;
  private final SplittableRandom random;
  private final EventQueue queue;
  private final int[] linkGen;
  private final long[] lastArrival;
  private final long[] upFreeAt;
  private final long[] downFreeAt;

  Wire(Topology topology, Network network, SplittableRandom random, EventQueue queue, int nodes) {
    this.topology = topology;
    this.network = network;
    this.random = random;
    this.queue = queue;
    this.linkGen = new int[topology.links()];
    this.lastArrival = new long[topology.links()];
    this.upFreeAt = new long[nodes];
    this.downFreeAt = new long[nodes];
  }

  /**
   * Sends {@code bytes} from {@code e.from} to {@code e.node}: the sender's uplink, then the link's
   * latency and jitter, then at arrival the receiver's downlink; {@code e} fires after all three. A
   * lost message still costs the sender's uplink.
   */
  void send(SimEvent.OnLink e, int bytes, long extraDelayNanos, boolean lost) {
    int link = topology.link(e.from, e.node);
    long start = Math.max(queue.now() + extraDelayNanos, upFreeAt[e.from]);
    long sent = start + network.uploadNanos(e.from, bytes);
    upFreeAt[e.from] = sent;
    if (lost) {
      return;
    }
    long arrive =
        Math.max(
            sent + network.baseLatencyNanos(link) + network.jitterNanos(random), lastArrival[link]);
    lastArrival[link] = arrive;
    e.link = link;
    e.gen = linkGen[link];
    queue.at(arrive, new SimEvent.Arrive(e, bytes));
  }

  /** The far end of the link: through the receiver's downlink, unless the connection is gone. */
  void arrive(SimEvent.Arrive a) {
    if (!current(a.next)) {
      return;
    }
    long done = Math.max(queue.now(), downFreeAt[a.node]) + network.downloadNanos(a.node, a.bytes);
    downFreeAt[a.node] = done;
    queue.at(done, a.next);
  }

  /** Whether the connection {@code e} travelled on is still the link's current one. */
  boolean current(SimEvent.OnLink e) {
    return linkGen[e.link] == e.gen;
  }

  /**
   * A new connection (or the end of one) between {@code a} and {@code b}: what is in flight is
   * dropped.
   */
  void newGeneration(int a, int b) {
    linkGen[topology.link(a, b)]++;
    linkGen[topology.link(b, a)]++;
  }

  /** A fresh process starts with idle links (what the old one queued left with it). */
  void resetNode(int node) {
    upFreeAt[node] = queue.now();
    downFreeAt[node] = queue.now();
  }

  long validationDelayNanos(int node) {
    return network.validationDelayNanos(node);
  }

  boolean loss() {
    return network.loss(random);
  }
}
