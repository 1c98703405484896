package org.grapevine.simulations.virtual;

import java.util.SplittableRandom;
import org.grapevine.simulations.network.Network;

/**
 * The modelled network between the nodes: per node an uplink and a downlink that serialise at their
 * rates (FIFO), per link a latency with jitter and FIFO order (like TCP), and per link a connection
 * generation: a message in flight belongs to one connection, and is dropped if the link went down
 * (churn, partition) before it was delivered, as a reset TCP connection drops it.
 */
final class Wire {
  private final Links links;
  private final Network network;
  private final SplittableRandom random;
  private final EventQueue queue;
  private final long[] upFreeAt;
  private final long[] downFreeAt;

  Wire(Links links, Network network, SplittableRandom random, EventQueue queue, int nodes) {
    this.links = links;
    this.network = network;
    this.random = random;
    this.queue = queue;
    this.upFreeAt = new long[nodes];
    this.downFreeAt = new long[nodes];
  }

  /**
   * Sends {@code bytes} from {@code e.from} to {@code e.node}: the sender's uplink, then the link's
   * latency and jitter, then at arrival the receiver's downlink; {@code e} fires after all three. A
   * lost message still costs the sender's uplink.
   */
  void send(SimEvent.OnLink e, int bytes, long extraDelayNanos, boolean lost) {
    int link = links.link(e.from, e.node);
    long start = Math.max(queue.now() + extraDelayNanos, upFreeAt[e.from]);
    long sent = start + network.uploadNanos(e.from, bytes);
    upFreeAt[e.from] = sent;
    if (lost) {
      return;
    }
    long arrive =
        Math.max(
            sent + links.latencyNanos(link) + network.jitterNanos(random), links.lastArrival(link));
    links.setLastArrival(link, arrive);
    e.link = link;
    e.gen = links.gen(link);
    e.wireBytes = bytes;
    e.travelling = true;
    queue.at(arrive, e);
  }

  /**
   * Sends a DHT message of {@code bytes} from {@code from} to {@code e.node}, connected or not: the
   * sender's uplink, the pair's latency and jitter, the receiver's downlink. It belongs to no
   * connection of the topology (a DHT stream on a connection of its own, whose set-up is not
   * charged), so no link state holds it up or drops it; the receiver's handler checks that it is
   * still there. Never lost: it runs over TCP.
   */
  void sendDirect(int from, SimEvent e, int bytes) {
    long sent = Math.max(queue.now(), upFreeAt[from]) + network.uploadNanos(from, bytes);
    upFreeAt[from] = sent;
    long arrive = sent + network.pairLatencyNanos(from, e.node) + network.jitterNanos(random);
    queue.at(arrive, new SimEvent.Arrive(e, bytes));
  }

  /** One-way base latency between two nodes (for a failure that comes back without data). */
  long pairLatencyNanos(int a, int b) {
    return network.pairLatencyNanos(a, b);
  }

  /** The far end of the link: through the receiver's downlink, unless the connection is gone. */
  void arrive(SimEvent.OnLink e) {
    if (!current(e)) {
      return;
    }
    throughDownlink(e, e.wireBytes);
  }

  /** The far end of a direct send: through the receiver's downlink. */
  void arrive(SimEvent.Arrive a) {
    throughDownlink(a.next, a.bytes);
  }

  private void throughDownlink(SimEvent e, int bytes) {
    long done = Math.max(queue.now(), downFreeAt[e.node]) + network.downloadNanos(e.node, bytes);
    downFreeAt[e.node] = done;
    queue.at(done, e);
  }

  /** Whether the connection {@code e} travelled on is still the link's current one. */
  boolean current(SimEvent.OnLink e) {
    return links.gen(e.link) == e.gen;
  }

  /**
   * A new connection (or the end of one) between {@code a} and {@code b}: what is in flight is
   * dropped.
   */
  void newGeneration(int a, int b) {
    links.nextGen(links.make(a, b));
    links.nextGen(links.make(b, a));
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
