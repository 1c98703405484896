package org.grapevine.simulations.network;

import java.util.SplittableRandom;
import org.grapevine.simulations.scenario.Scenario;

/**
 * The connection graph of a scenario: the base model (random K peers, random regular, small-world,
 * explicit) plus the topic overlay, in which the subscribers of each identity's topic (the identity
 * and its followers) are joined in a ring, in random order, and each also connects to {@code
 * topicPeers - 2} random others of the topic. The ring keeps every topic connected, as topic
 * discovery (a rendezvous or DHT lookup) does for a real node; without it a topic whose subscribers
 * share no connection could never deliver.
 */
public final class TopologyBuilder {
  private TopologyBuilder() {}

  /**
   * The scenario's connections: {@link #build(Scenario.Connections, FollowGraph,
   * SplittableRandom)}, plus, with the DHT on, each node's connections to {@code
   * dht.bootstrapPeers} random earlier nodes (node {@code i} picks among {@code 0 .. i-1}), as a
   * node starting with a bootstrap list of peers already up: the only way into the DHT.
   */
  public static Topology build(Scenario s, FollowGraph follows, SplittableRandom random) {
    EdgeList edges = edges(s.connections(), follows, random);
    if (s.dht().enabled()) {
      for (int i = 1; i < follows.nodeCount(); i++) {
        int b = Math.min(i, s.dht().bootstrapPeers());
        int[] picked = new int[b];
        for (int got = 0; got < b; ) {
          int x = random.nextInt(i);
          if (!java.util.Arrays.stream(picked, 0, got).anyMatch(y -> y == x)) {
            picked[got++] = x;
            edges.add(i, x);
          }
        }
      }
    }
    return edges.build(follows.nodeCount());
  }

  public static Topology build(
      Scenario.Connections spec, FollowGraph follows, SplittableRandom random) {
    return edges(spec, follows, random).build(follows.nodeCount());
  }

  private static EdgeList edges(
      Scenario.Connections spec, FollowGraph follows, SplittableRandom random) {
    int n = follows.nodeCount();
    EdgeList edges = new EdgeList();
    switch (spec.model()) {
      case RANDOM -> {
        for (int i = 0; i < n; i++) {
          for (int x : Sampling.distinctOthers(i, spec.degree(), n, random, null)) {
            edges.add(i, x);
          }
        }
      }
      case RANDOM_REGULAR -> randomRegular(n, spec.degree(), random, edges);
      case SMALL_WORLD -> smallWorld(n, spec.degree(), spec.rewire(), random, edges);
      case EXPLICIT -> spec.edges().forEach(e -> edges.add(e[0], e[1]));
    }
    if (spec.topicPeers() > 0) {
      topicOverlay(follows, spec.topicPeers(), random, edges);
    }
    return edges;
  }

  /**
   * The configuration model: {@code degree} stubs per node, shuffled and paired. Self-loops and
   * repeated pairs are dropped, so a few nodes end slightly below the degree (a known property of
   * the model; exact rejection sampling is slow for large graphs).
   */
  private static void randomRegular(int n, int degree, SplittableRandom random, EdgeList edges) {
    int[] stubs = new int[n * degree];
    for (int i = 0; i < stubs.length; i++) {
      stubs[i] = i / degree;
    }
    Sampling.shuffle(stubs, stubs.length, random);
    for (int i = 0; i + 1 < stubs.length; i += 2) {
      edges.add(stubs[i], stubs[i + 1]);
    }
  }

  /**
   * Watts-Strogatz: a ring lattice of {@code degree / 2} neighbours a side, each edge rewired with
   * probability {@code beta}.
   */
  private static void smallWorld(
      int n, int degree, double beta, SplittableRandom random, EdgeList edges) {
    for (int i = 0; i < n; i++) {
      for (int j = 1; j <= degree / 2; j++) {
        int other = (i + j) % n;
        if (random.nextDouble() < beta) {
          int x = random.nextInt(n);
          other = x == i ? other : x;
        }
        edges.add(i, other);
      }
    }
  }

  private static void topicOverlay(
      FollowGraph follows, int topicPeers, SplittableRandom random, EdgeList edges) {
    int n = follows.nodeCount();
    int[] members = new int[n];
    for (int identity = 0; identity < n; identity++) {
      int[] followers = follows.followers(identity);
      if (followers.length == 0) {
        continue;
      }
      members[0] = identity;
      System.arraycopy(followers, 0, members, 1, followers.length);
      int m = followers.length + 1;
      Sampling.shuffle(members, m, random);
      for (int i = 0; i < m; i++) {
        edges.add(members[i], members[(i + 1) % m]);
        for (int k = 0; k < topicPeers - 2 && m > 3; k++) {
          edges.add(members[i], members[random.nextInt(m)]);
        }
      }
    }
  }
}
