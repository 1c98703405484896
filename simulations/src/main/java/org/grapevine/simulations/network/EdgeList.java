package org.grapevine.simulations.network;

import java.util.Arrays;

/** A growable list of undirected edges packed in longs, for building a {@link Topology}. */
final class EdgeList {
  private long[] edges = new long[1024];
  private int size;

  void add(int a, int b) {
    if (a == b) {
      return;
    }
    if (size == edges.length) {
      edges = Arrays.copyOf(edges, edges.length * 2);
    }
    edges[size++] = (long) Math.min(a, b) << 32 | Math.max(a, b);
  }

  Topology build(int nodeCount) {
    return Topology.of(nodeCount, edges, size);
  }
}
