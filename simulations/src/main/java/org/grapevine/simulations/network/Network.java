package org.grapevine.simulations.network;

import java.util.SplittableRandom;
import org.grapevine.simulations.scenario.Scenario;

/**
 * The modelled network of a run: each node's class (bandwidth, validation delay) and region, and
 * each link's base one-way latency (symmetric). Per-message jitter and loss are drawn while the run
 * goes ({@link #jitterNanos}, {@link #loss}). Immutable after {@link #generate}.
 */
public final class Network {
  private final Topology topology;
  private final byte[] classOf;
  private final byte[] regionOf;
  private final long[] baseLatencyNanos;
  private final Scenario scenario;
  private final long pairSalt;

  private Network(
      Scenario scenario,
      Topology topology,
      byte[] classOf,
      byte[] regionOf,
      long[] baseLatencyNanos,
      long pairSalt) {
    this.scenario = scenario;
    this.pairSalt = pairSalt;
    this.topology = topology;
    this.classOf = classOf;
    this.regionOf = regionOf;
    this.baseLatencyNanos = baseLatencyNanos;
  }

  public static Network generate(Scenario s, Topology topology, SplittableRandom random) {
    int n = topology.nodeCount();
    if (s.nodes().classes().size() > 127 || s.latency().regions().size() > 127) {
      throw new IllegalArgumentException("at most 127 node classes and 127 regions");
    }
    double[] classWeights =
        s.nodes().classes().stream().mapToDouble(Scenario.NodeClass::weight).toArray();
    byte[] classOf = new byte[n];
    for (int i = 0; i < n; i++) {
      classOf[i] = (byte) Sampling.pick(classWeights, random);
    }
    Scenario.Latency l = s.latency();
    byte[] regionOf = new byte[n];
    if (l.model() == Scenario.LatencyModel.REGIONS) {
      double[] w = l.regions().stream().mapToDouble(Scenario.Region::weight).toArray();
      for (int i = 0; i < n; i++) {
        regionOf[i] = (byte) Sampling.pick(w, random);
      }
    }
    long[] base = new long[topology.links()];
    for (int a = 0; a < n; a++) {
      for (int link = topology.firstLink(a);
          link < topology.firstLink(a) + topology.degree(a);
          link++) {
        int b = topology.target(link);
        if (b < a) {
          base[link] = base[topology.link(b, a)];
          continue;
        }
        base[link] =
            switch (l.model()) {
              case CONSTANT -> l.constantNanos();
              case UNIFORM ->
                  l.minNanos()
                      + (l.maxNanos() == l.minNanos()
                          ? 0
                          : random.nextLong(l.maxNanos() - l.minNanos() + 1));
              case NORMAL ->
                  Math.max(0, Math.round(l.meanNanos() + random.nextGaussian() * l.stdDevNanos()));
              case REGIONS -> l.matrixNanos()[regionOf[a]][regionOf[b]];
            };
      }
    }
    // Drawn last, so that the links' latencies are those drawn before there were pairs.
    return new Network(s, topology, classOf, regionOf, base, random.nextLong());
  }

  public Topology topology() {
    return topology;
  }

  public int nodeClass(int node) {
    return classOf[node];
  }

  public String className(int node) {
    return scenario.nodes().classes().get(classOf[node]).name();
  }

  public int region(int node) {
    return regionOf[node];
  }

  public long baseLatencyNanos(int link) {
    return baseLatencyNanos[link];
  }

  /**
   * The base one-way latency between any two nodes, connected or not (DHT requests, connections
   * made during the run), from the same model as the links': the link's own when they are connected
   * by the topology, otherwise a draw that depends only on the pair and the seed, so the two
   * directions and every message between them agree, and nothing is stored per pair.
   */
  public long pairLatencyNanos(int a, int b) {
    int link = topology.link(a, b);
    if (link >= 0) {
      return baseLatencyNanos[link];
    }
    Scenario.Latency l = scenario.latency();
    SplittableRandom r =
        new SplittableRandom(pairSalt ^ ((long) Math.min(a, b) << 32 | Math.max(a, b)));
    return switch (l.model()) {
      case CONSTANT -> l.constantNanos();
      case UNIFORM ->
          l.minNanos()
              + (l.maxNanos() == l.minNanos() ? 0 : r.nextLong(l.maxNanos() - l.minNanos() + 1));
      case NORMAL -> Math.max(0, Math.round(l.meanNanos() + r.nextGaussian() * l.stdDevNanos()));
      case REGIONS -> l.matrixNanos()[regionOf[a]][regionOf[b]];
    };
  }

  /** Nanoseconds to put {@code bytes} on the node's uplink. */
  public long uploadNanos(int node, long bytes) {
    return transmit(bytes, scenario.nodes().classes().get(classOf[node]).uploadMbps());
  }

  /** Nanoseconds to take {@code bytes} off the node's downlink. */
  public long downloadNanos(int node, long bytes) {
    return transmit(bytes, scenario.nodes().classes().get(classOf[node]).downloadMbps());
  }

  private static long transmit(long bytes, double mbps) {
    return (long) Math.ceil(bytes * 8_000.0 / mbps); // bits / (Mbit/s) = µs; x 1000 = ns.
  }

  public long validationDelayNanos(int node) {
    return scenario.nodes().classes().get(classOf[node]).validationDelayNanos();
  }

  /** One message's extra delay, uniform in [0, jitter]. */
  public long jitterNanos(SplittableRandom random) {
    long j = scenario.latency().jitterNanos();
    return j == 0 ? 0 : random.nextLong(j + 1);
  }

  /** Whether one gossip RPC is lost. */
  public boolean loss(SplittableRandom random) {
    return scenario.loss() > 0 && random.nextDouble() < scenario.loss();
  }
}
