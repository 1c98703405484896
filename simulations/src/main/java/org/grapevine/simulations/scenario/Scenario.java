package org.grapevine.simulations.scenario;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One simulation run, as described by a scenario file (every key and default: the module's README).
 * Built only by {@link ScenarioReader}, which checks every value; times are nanoseconds of virtual
 * time, node numbers are 0-based indexes.
 */
public record Scenario(
    String name,
    long seed,
    long durationNanos,
    long warmUpNanos,
    Nodes nodes,
    Connections connections,
    Latency latency,
    double loss,
    Follows follows,
    Workload workload,
    Faults faults,
    Protocol protocol,
    Dht dht,
    Hosts hosts) {

  /** A scenario identical but for the seed (the command line's {@code --seed}). */
  public Scenario withSeed(long newSeed) {
    return new Scenario(
        name,
        newSeed,
        durationNanos,
        warmUpNanos,
        nodes,
        connections,
        latency,
        loss,
        follows,
        workload,
        faults,
        protocol,
        dht,
        hosts);
  }

  /**
   * The nodes, their classes, and when they start.
   *
   * @param startSpreadNanos node {@code i} starts at {@code i × startSpread / count} (0: all at t =
   *     0), in index order, so each node's bootstrap peers (lower indices) run when it starts
   */
  public record Nodes(int count, List<NodeClass> classes, long startSpreadNanos) {}

  /**
   * A kind of node; nodes are assigned classes in proportion to {@code weight}.
   *
   * @param validationDelayNanos virtual time one received entry occupies the node's validator
   */
  public record NodeClass(
      String name,
      double weight,
      double uploadMbps,
      double downloadMbps,
      long validationDelayNanos) {}

  public enum TopologyModel {
    RANDOM,
    RANDOM_REGULAR,
    SMALL_WORLD,
    EXPLICIT
  }

  /**
   * How the nodes are connected.
   *
   * @param topicPeers the topic-peer <em>oracle</em>, an assumption: each node also connects to
   *     this many other subscribers of every topic it joins (plus a ring over them), as if topic
   *     discovery were perfect and free; 0 turns it off (the default while the DHT is on, whose
   *     lookups then find the topic peers)
   */
  public record Connections(
      TopologyModel model, int degree, double rewire, List<int[]> edges, int topicPeers) {}

  public enum LatencyModel {
    CONSTANT,
    UNIFORM,
    NORMAL,
    REGIONS
  }

  public record Region(String name, double weight) {}

  /** One-way link latency; {@code jitterNanos} is a per-message uniform extra in [0, jitter]. */
  @SuppressWarnings(
      "ArrayRecordComponent") // a parsed setting, read by the network model, never compared
  public record Latency(
      LatencyModel model,
      long constantNanos,
      long minNanos,
      long maxNanos,
      long meanNanos,
      long stdDevNanos,
      long jitterNanos,
      List<Region> regions,
      long[][] matrixNanos) {}

  public enum FollowModel {
    ZIPF,
    UNIFORM,
    EXPLICIT
  }

  public record Follows(FollowModel model, int perNode, double exponent, List<int[]> edges) {}

  public enum AuthorChoice {
    UNIFORM,
    BY_FOLLOWERS
  }

  public enum Arrivals {
    POISSON,
    CONSTANT
  }

  /**
   * The posts of a run, and the addressed entries (issue 15) on top of them.
   *
   * @param replies replies by strangers ({@link Replies#NONE}: none)
   * @param flood a stranger's flood of replies at one addressee ({@link Flood#NONE}: none)
   */
  public record Workload(
      int posts,
      double postsPerSecond,
      AuthorChoice authors,
      int messageBytes,
      int messageBytesMax,
      Arrivals arrivals,
      Replies replies,
      Flood flood) {}

  /** Who writes the replies of {@link Replies}. */
  public enum ReplyFrom {
    /**
     * A stranger of the post's author: the replier does not follow the author and the author does
     * not follow the replier, so only the addressed-entry rule can bring the reply to the author.
     */
    NON_FOLLOWERS
  }

  /**
   * Replies to posts already written, each by a node chosen by {@code from}, at {@code perSecond}
   * (Poisson) over the posting window; {@code count} 0: none.
   */
  public record Replies(int count, double perSecond, ReplyFrom from) {
    public static final Replies NONE = new Replies(0, 1, ReplyFrom.NON_FOLLOWERS);
  }

  /**
   * {@code writers} strangers of one addressee (the author of the first post) each write {@code
   * entries} replies to that post, at {@code perSecond} each (constant gaps), starting at {@code
   * atNanos}; {@code writers} 0: none.
   */
  public record Flood(int writers, int entries, double perSecond, long atNanos) {
    public static final Flood NONE = new Flood(0, 0, 1, 0);
  }

  public record Faults(Churn churn, List<Partition> partitions, BadForwarders badForwarders) {}

  /** One scheduled absence of a node. */
  public record Outage(int node, long leaveNanos, long returnNanos) {}

  /**
   * Nodes leaving and returning.
   *
   * @param leavesPerHour mean leaves per node per hour of virtual time (Poisson), 0 for none
   * @param meanDowntimeNanos mean of the exponential time a leaving node stays away
   */
  public record Churn(double leavesPerHour, long meanDowntimeNanos, List<Outage> schedule) {}

  /**
   * A network split and its healing.
   *
   * @param groups explicit groups of nodes (nodes in none form one more group), or empty with
   *     {@code groupCount} random groups of about equal size
   */
  public record Partition(long atNanos, long healNanos, int groupCount, List<int[]> groups) {}

  public enum BadMode {
    DROP,
    DELAY
  }

  public record BadForwarders(int count, List<Integer> nodes, BadMode mode, long delayNanos) {}

  /**
   * Protocol settings that override the defaults.
   *
   * @param gossip GossipConfig record components by name (durations in nanoseconds), only those the
   *     file set
   * @param score PeerScoreParams components, likewise
   * @param thresholds PeerScoreThresholds components, likewise
   */
  public record Protocol(
      long syncIntervalNanos,
      int syncPeersPerRound,
      Map<String, Object> gossip,
      Map<String, Object> score,
      Map<String, Object> thresholds) {}

  /**
   * The Kademlia DHT every node runs (its real {@code Dht} and topic rendezvous, in the node core).
   *
   * @param enabled run it (topic peers then come from provider lookups)
   * @param bootstrapPeers each node starts connected to this many random earlier nodes (node 0 to
   *     none), as a node starts from its bootstrap list: the DHT forms from these connections
   * @param clientFraction the share of nodes in client mode (ask, never serve; not in any table)
   * @param topicPeers a followed topic with fewer connected subscribers than this is looked up
   *     ({@code [dht] topic_peers})
   * @param announceFollows provide every followed topic, not only the own one ({@code [network]
   *     announce_follows})
   */
  public record Dht(
      boolean enabled,
      int bootstrapPeers,
      double clientFraction,
      int topicPeers,
      boolean announceFollows) {
    public static final Dht OFF = new Dht(false, 0, 0, 4, true);
  }

  /**
   * The hosts of the distributed real engine (issue 19: engines {@code netns} and {@code k8s}):
   * {@code count} agents, each one JVM on its own host (a network namespace, a pod) holding a share
   * of the real nodes. Between agents the latency is the network's: {@code netem} on each agent's
   * interface; within an agent the scenario's {@code latency} model is injected as in the {@code
   * real} engine. The virtual and {@code real} engines ignore this section.
   *
   * @param count agents; node {@code i} runs on agent {@code i % count}
   * @param netem what {@code tc netem} adds to every packet leaving an agent
   * @param cpu cores requested per agent (Kubernetes resource requests)
   * @param memoryMiB memory requested per agent, MiB (the agent's heap gets three quarters)
   */
  public record Hosts(int count, Netem netem, double cpu, int memoryMiB) {
    public static final Hosts ONE = new Hosts(1, Netem.NONE, 2, 4096);
  }

  /**
   * A {@code tc netem} discipline on an agent's egress: each packet is held {@code delay} (plus a
   * uniform {@code ±jitter}), lost with probability {@code loss}, and the interface is limited to
   * {@code rateMbps} (0: no limit). Two agents' nodes see the sum of both ends' egress delays one
   * way: {@code delay} applies per direction at the sender.
   */
  public record Netem(long delayNanos, long jitterNanos, double loss, double rateMbps) {
    public static final Netem NONE = new Netem(0, 0, 0, 0);

    /** Whether the discipline changes anything (otherwise no qdisc is installed). */
    public boolean active() {
      return delayNanos > 0 || loss > 0 || rateMbps > 0;
    }

    /**
     * The arguments after {@code tc qdisc add dev IF root netem}, e.g. {@code delay 20ms 5ms loss
     * 0.5% rate 100mbit}: times in microseconds so that no precision is lost to tc's units.
     */
    public List<String> tcArgs() {
      List<String> args = new ArrayList<>();
      if (delayNanos > 0 || jitterNanos > 0) {
        args.add("delay");
        args.add((delayNanos / 1000) + "us");
        if (jitterNanos > 0) {
          args.add((jitterNanos / 1000) + "us");
        }
      }
      if (loss > 0) {
        args.add("loss");
        args.add(BigDecimal.valueOf(loss * 100).stripTrailingZeros().toPlainString() + "%");
      }
      if (rateMbps > 0) {
        args.add("rate");
        args.add(Math.round(rateMbps * 1000) + "kbit");
      }
      return List.copyOf(args);
    }
  }
}
