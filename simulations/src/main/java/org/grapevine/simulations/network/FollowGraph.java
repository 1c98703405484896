package org.grapevine.simulations.network;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.grapevine.simulations.scenario.Scenario;

/**
 * Who follows whom: each node is one identity; {@link #follows} and {@link #followers} are sorted
 * node arrays. The followers of an identity are the recipients of its posts (they subscribe to its
 * topic). Immutable.
 */
public final class FollowGraph {
  private final int[][] follows;
  private final int[][] followers;

  private FollowGraph(int[][] follows) {
    this.follows = follows;
    int[] counts = new int[follows.length];
    for (int[] f : follows) {
      for (int x : f) {
        counts[x]++;
      }
    }
    followers = new int[follows.length][];
    for (int i = 0; i < follows.length; i++) {
      followers[i] = new int[counts[i]];
      counts[i] = 0;
    }
    for (int i = 0;
        i < follows.length;
        i++) { // Ascending i, so each followers array comes out sorted.
      for (int x : follows[i]) {
        followers[x][counts[x]++] = i;
      }
    }
  }

  public static FollowGraph generate(Scenario.Follows spec, int n, SplittableRandom random) {
    int[][] follows = new int[n][];
    switch (spec.model()) {
      case UNIFORM -> {
        for (int i = 0; i < n; i++) {
          follows[i] = Sampling.distinctOthers(i, spec.perNode(), n, random, null);
        }
      }
      case ZIPF -> {
        // Identities ranked in a random order; rank r is chosen with weight 1 / r^exponent.
        int[] byRank = Sampling.permutation(n, random);
        double[] cumulative = new double[n];
        double sum = 0;
        for (int r = 0; r < n; r++) {
          sum += 1 / Math.pow(r + 1, spec.exponent());
          cumulative[r] = sum;
        }
        Sampling.Weighted zipf = new Sampling.Weighted(cumulative, byRank);
        for (int i = 0; i < n; i++) {
          follows[i] = Sampling.distinctOthers(i, spec.perNode(), n, random, zipf);
        }
      }
      case EXPLICIT -> {
        List<List<Integer>> lists = new ArrayList<>();
        for (int i = 0; i < n; i++) {
          lists.add(new ArrayList<>());
        }
        for (int[] e : spec.edges()) {
          lists.get(e[0]).add(e[1]);
        }
        for (int i = 0; i < n; i++) {
          follows[i] =
              lists.get(i).stream().mapToInt(Integer::intValue).sorted().distinct().toArray();
        }
      }
    }
    return new FollowGraph(follows);
  }

  public int nodeCount() {
    return follows.length;
  }

  /** The identities {@code node} follows (not itself), sorted. Shared: do not modify. */
  public int[] follows(int node) {
    return follows[node];
  }

  /** The nodes that follow {@code identity}, sorted. Shared: do not modify. */
  public int[] followers(int identity) {
    return followers[identity];
  }

  /** Position of {@code node} among the followers of {@code identity}, or -1. */
  public int followerIndex(int identity, int node) {
    int i = Arrays.binarySearch(followers[identity], node);
    return i < 0 ? -1 : i;
  }
}
