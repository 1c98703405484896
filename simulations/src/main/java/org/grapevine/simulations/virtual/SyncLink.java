package org.grapevine.simulations.virtual;

import org.grapevine.protocol.sync.SyncSession;

/** One sync exchange between two connected nodes: a {@link SyncSession} on each side. */
final class SyncLink {
  final int a;
  final int b;
  final int gen;
  final SyncSession atA;
  final SyncSession atB;
  long timerA = Long.MIN_VALUE;
  long timerB = Long.MIN_VALUE;

  SyncLink(int a, int b, int gen, SyncSession atA, SyncSession atB) {
    this.a = a;
    this.b = b;
    this.gen = gen;
    this.atA = atA;
    this.atB = atB;
  }

  SyncSession at(int node) {
    return node == a ? atA : atB;
  }

  int other(int node) {
    return node == a ? b : a;
  }

  boolean over() {
    return atA.isOver() && atB.isOver();
  }

  static long key(int x, int y) {
    return (long) Math.min(x, y) << 32 | Math.max(x, y);
  }
}
