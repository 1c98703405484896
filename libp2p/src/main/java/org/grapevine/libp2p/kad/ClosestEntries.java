package org.grapevine.libp2p.kad;

/**
 * The {@code n} closest of the entries offered, closest first, kept by insertion: most offers cost
 * one comparison with the farthest kept, where sorting every entry read (a table's worth for most
 * targets) cost more than anything else in a FIND_NODE answer. Distinct peers have distinct
 * distances, so the result is the sort's. For {@link RoutingTable#closest}.
 */
final class ClosestEntries {
  final KadKey target;
  final TableEntry[] best;
  int size;

  /** Entries offered so far, kept or not. */
  int considered;

  ClosestEntries(KadKey target, int n) {
    this.target = target;
    this.best = new TableEntry[n];
  }

  void offer(TableEntry e) {
    considered++;
    int n = best.length;
    if (n == 0 || (size == n && target.compareDistance(e.key, best[n - 1].key) >= 0)) {
      return;
    }
    int i = size < n ? size++ : n - 1;
    while (i > 0 && target.compareDistance(e.key, best[i - 1].key) < 0) {
      best[i] = best[i - 1];
      i--;
    }
    best[i] = e;
  }
}
