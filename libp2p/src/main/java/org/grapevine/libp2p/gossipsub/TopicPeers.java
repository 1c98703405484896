package org.grapevine.libp2p.gossipsub;

import java.util.Arrays;
import java.util.Set;
import org.grapevine.collect.SmallSet;
import org.grapevine.libp2p.peer.PeerId;

/**
 * The peers known to subscribe to each topic, each topic's peers in the order they were added.
 *
 * <p>The router indexes here only the topics it has joined (see {@code GossipRouter.peersOf}); a
 * few of them have many peers, more have one. A {@code HashMap} of sets spends about 100 bytes on
 * each (node, set, array); this table spends two array slots on a topic with one peer (the value is
 * then the {@link PeerId} itself) and moves to a {@link SmallSet} from the second. Open addressing
 * with linear probing, deletion by shifting back (no tombstones), load at most 3/4. Never iterated
 * as a whole, so the table's order is of no consequence; each topic's order is. Not thread-safe.
 */
final class TopicPeers {
  private static final int MIN_CAPACITY = 8;

  private String[] topics = new String[0];

  /** Per slot: the one {@link PeerId}, or a {@link SmallSet} of two or more. */
  private Object[] values = new Object[0];

  private int size;

  /** The topics with at least one known subscriber. */
  int size() {
    return size;
  }

  /** The peers known to subscribe to {@code topic}, in subscription order; do not modify. */
  @SuppressWarnings("unchecked")
  Set<PeerId> get(String topic) {
    int i = find(topic);
    if (i < 0) {
      return Set.of();
    }
    Object v = values[i];
    return v instanceof PeerId one ? Set.of(one) : (Set<PeerId>) v;
  }

  /** Records that {@code peer} subscribes to {@code topic}; false if it was known to. */
  @SuppressWarnings("unchecked")
  boolean add(String topic, PeerId peer) {
    int i = find(topic);
    if (i >= 0) {
      Object v = values[i];
      if (v instanceof PeerId one) {
        if (one.equals(peer)) {
          return false;
        }
        SmallSet<PeerId> two = new SmallSet<>();
        two.add(one);
        two.add(peer);
        values[i] = two;
        return true;
      }
      return ((SmallSet<PeerId>) v).add(peer);
    }
    if ((size + 1) * 4 > topics.length * 3) {
      grow();
    }
    int slot = slot(topic, topics.length);
    while (topics[slot] != null) {
      slot = (slot + 1) & (topics.length - 1);
    }
    topics[slot] = topic;
    values[slot] = peer;
    size++;
    return true;
  }

  /** Forgets that {@code peer} subscribes to {@code topic}; the topic goes with its last peer. */
  @SuppressWarnings("unchecked")
  boolean remove(String topic, PeerId peer) {
    int i = find(topic);
    if (i < 0) {
      return false;
    }
    Object v = values[i];
    if (v instanceof PeerId one) {
      if (!one.equals(peer)) {
        return false;
      }
      delete(i);
      return true;
    }
    SmallSet<PeerId> set = (SmallSet<PeerId>) v;
    if (!set.remove(peer)) {
      return false;
    }
    if (set.size() == 1) {
      values[i] = set.iterator().next(); // back to the compact form
    }
    return true;
  }

  /** Forgets {@code topic} and all its peers; false if it had none. */
  boolean removeTopic(String topic) {
    int i = find(topic);
    if (i < 0) {
      return false;
    }
    delete(i);
    return true;
  }

  private int find(String topic) {
    if (size == 0) {
      return -1;
    }
    int mask = topics.length - 1;
    for (int i = slot(topic, topics.length); ; i = (i + 1) & mask) {
      String t = topics[i];
      if (t == null) {
        return -1;
      }
      if (t.equals(topic)) {
        return i;
      }
    }
  }

  /** Empties slot {@code i} and shifts back the entries of its probe run that hashed before it. */
  private void delete(int i) {
    int mask = topics.length - 1;
    int gap = i;
    for (int j = (i + 1) & mask; topics[j] != null; j = (j + 1) & mask) {
      int home = slot(topics[j], topics.length);
      // j's entry may fill the gap unless its home lies cyclically in (gap, j].
      boolean homeBetween = gap <= j ? gap < home && home <= j : gap < home || home <= j;
      if (!homeBetween) {
        topics[gap] = topics[j];
        values[gap] = values[j];
        gap = j;
      }
    }
    topics[gap] = null;
    values[gap] = null;
    size--;
  }

  private void grow() {
    String[] oldTopics = topics;
    Object[] oldValues = values;
    int capacity = Math.max(MIN_CAPACITY, oldTopics.length * 2);
    topics = new String[capacity];
    values = new Object[capacity];
    for (int i = 0; i < oldTopics.length; i++) {
      if (oldTopics[i] != null) {
        int slot = slot(oldTopics[i], capacity);
        while (topics[slot] != null) {
          slot = (slot + 1) & (capacity - 1);
        }
        topics[slot] = oldTopics[i];
        values[slot] = oldValues[i];
      }
    }
    Arrays.fill(oldValues, null);
  }

  private static int slot(String topic, int capacity) {
    int h = topic.hashCode() * 0x9E3779B9; // spread: topic names share long prefixes
    return (h ^ (h >>> 16)) & (capacity - 1);
  }
}
