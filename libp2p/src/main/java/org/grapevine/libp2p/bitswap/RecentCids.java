package org.grapevine.libp2p.bitswap;

import java.util.LinkedHashSet;
import java.util.Set;

/**
 * CIDs we stopped wanting lately (received or cancelled), oldest dropped first. A block for one of
 * them is a race with our cancel, not a fault: it is dropped without reporting the sender.
 */
final class RecentCids {
  private final int capacity;
  private final Set<Cid> cids = new LinkedHashSet<>();

  RecentCids(int capacity) {
    this.capacity = capacity;
  }

  void add(Cid cid) {
    cids.remove(cid);
    cids.add(cid);
    if (cids.size() > capacity) {
      cids.remove(cids.iterator().next());
    }
  }

  boolean contains(Cid cid) {
    return cids.contains(cid);
  }

  void remove(Cid cid) {
    cids.remove(cid);
  }
}
