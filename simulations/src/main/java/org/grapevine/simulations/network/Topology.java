package org.grapevine.simulations.network;

import java.util.Arrays;

/**
 * An undirected graph of connections in compressed rows: node {@code i}'s neighbours are {@code
 * neighbours[offsets[i] .. offsets[i+1])}, sorted. Each position there is one directed link ({@link
 * #link}), so per-link state can live in a primitive array of {@link #links()} elements. Immutable.
 */
public final class Topology {
  private final int[] offsets;
  private final int[] neighbours;

  private Topology(int[] offsets, int[] neighbours) {
    this.offsets = offsets;
    this.neighbours = neighbours;
  }

  /**
   * Builds the graph from undirected edges packed as {@code (long) a << 32 | b}; duplicates and
   * self-loops are dropped.
   */
  public static Topology of(int nodeCount, long[] packedEdges, int edgeCount) {
    long[] directed = new long[edgeCount * 2];
    int d = 0;
    for (int i = 0; i < edgeCount; i++) {
      int a = (int) (packedEdges[i] >>> 32);
      int b = (int) packedEdges[i];
      if (a == b) {
        continue;
      }
      directed[d++] = (long) a << 32 | b;
      directed[d++] = (long) b << 32 | a;
    }
    Arrays.sort(directed, 0, d);
    int[] offsets = new int[nodeCount + 1];
    int[] neighbours = new int[d];
    int n = 0;
    long last = -1;
    for (int i = 0; i < d; i++) {
      if (directed[i] == last) {
        continue;
      }
      last = directed[i];
      offsets[(int) (last >>> 32) + 1]++;
      neighbours[n++] = (int) last;
    }
    for (int i = 0; i < nodeCount; i++) {
      offsets[i + 1] += offsets[i];
    }
    return new Topology(offsets, Arrays.copyOf(neighbours, n));
  }

  public int nodeCount() {
    return offsets.length - 1;
  }

  /** Directed links: twice the number of edges. */
  public int links() {
    return neighbours.length;
  }

  public int degree(int node) {
    return offsets[node + 1] - offsets[node];
  }

  public int firstLink(int node) {
    return offsets[node];
  }

  /** The node at the far end of a directed link. */
  public int target(int link) {
    return neighbours[link];
  }

  /** The directed link from {@code a} to {@code b}, or -1 if they are not connected. */
  public int link(int a, int b) {
    int i = Arrays.binarySearch(neighbours, offsets[a], offsets[a + 1], b);
    return i < 0 ? -1 : i;
  }
}
