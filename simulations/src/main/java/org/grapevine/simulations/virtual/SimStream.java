package org.grapevine.simulations.virtual;

/**
 * One sync stream between two nodes: the stream id each side's node core gave it. Opened by {@code
 * a} (its core asked), answered by {@code b}; reliable and in order, like the TCP connection it
 * models, and gone with that connection.
 */
final class SimStream {
  final int a;
  final int b;
  final long idAtA;
  final long idAtB;

  SimStream(int a, int b, long idAtA, long idAtB) {
    this.a = a;
    this.b = b;
    this.idAtA = idAtA;
    this.idAtB = idAtB;
  }

  int other(int node) {
    return node == a ? b : a;
  }

  long idAt(int node) {
    return node == a ? idAtA : idAtB;
  }
}
