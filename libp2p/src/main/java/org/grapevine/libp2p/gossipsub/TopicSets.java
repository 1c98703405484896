package org.grapevine.libp2p.gossipsub;

import java.lang.ref.WeakReference;
import java.util.WeakHashMap;

/**
 * One copy of each peer topic list in use: routers that share a {@code TopicSets} share the lists
 * their peers announce. A peer announces the same subscriptions to every peer it connects to, so in
 * a simulation of many routers in one process each list would otherwise be held once per connection
 * end (at 20,000 nodes of bench-1m's shape, 385,000 copies of twelve-topic lists, 7% of the heap).
 *
 * <p>Lists are held weakly: one no peer state refers to any more goes at the next collection, so a
 * router that is dropped without disconnecting its peers leaves nothing behind. Which copy a router
 * gets never changes what it does (lists are equal by content). Not thread-safe: routers that share
 * one must be driven by one thread, as the virtual simulator's are; each router otherwise makes its
 * own ({@link GossipRouter}'s four-argument constructor).
 */
public final class TopicSets {
  private final WeakHashMap<TopicList, WeakReference<TopicList>> canonical = new WeakHashMap<>();

  /** Lists held now (for tests). */
  int size() {
    return canonical.size();
  }

  /**
   * The copy held for {@code fresh}'s content: an equal list shared before, or this one, now
   * shared. A router shares a peer's list once per RPC, after all its subscriptions: the lists in
   * between are its own and gone soon after.
   */
  TopicList share(TopicList fresh) {
    if (fresh.size() == 0) {
      return TopicList.EMPTY;
    }
    WeakReference<TopicList> ref = canonical.get(fresh);
    TopicList held = ref == null ? null : ref.get();
    if (held != null) {
      return held;
    }
    canonical.put(fresh, new WeakReference<>(fresh));
    return fresh;
  }
}
