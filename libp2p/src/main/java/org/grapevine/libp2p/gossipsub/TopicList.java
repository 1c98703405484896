package org.grapevine.libp2p.gossipsub;

import java.util.Arrays;

/**
 * The topics one peer is subscribed to, in the order it subscribed: immutable, and shared through
 * {@link TopicSets} by every peer state with the same list. Equal by content.
 */
final class TopicList {
  static final TopicList EMPTY = new TopicList(new String[0]);

  private final String[] topics;

  /**
   * Computed when first asked ({@link TopicSets#share}, once per RPC): a peer's subscriptions
   * arrive one by one, and the lists in between are never hashed. 0: not yet (or truly 0, then
   * computed again, which is only slower).
   */
  private int hash;

  TopicList(String[] topics) {
    this.topics = topics;
  }

  int size() {
    return topics.length;
  }

  String get(int i) {
    return topics[i];
  }

  boolean contains(String topic) {
    return indexOf(topic) >= 0;
  }

  int indexOf(String topic) {
    for (int i = 0; i < topics.length; i++) {
      if (topics[i].equals(topic)) {
        return i;
      }
    }
    return -1;
  }

  /** This list with {@code topic} appended; this list if it is in it already. */
  TopicList with(String topic) {
    if (contains(topic)) {
      return this;
    }
    String[] more = Arrays.copyOf(topics, topics.length + 1);
    more[topics.length] = topic;
    return new TopicList(more);
  }

  /** This list without {@code topic}, the others in their order; this list if it is not in it. */
  TopicList without(String topic) {
    int index = indexOf(topic);
    if (index < 0) {
      return this;
    }
    if (topics.length == 1) {
      return EMPTY;
    }
    String[] fewer = new String[topics.length - 1];
    System.arraycopy(topics, 0, fewer, 0, index);
    System.arraycopy(topics, index + 1, fewer, index, topics.length - index - 1);
    return new TopicList(fewer);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TopicList other
        && hashCode() == other.hashCode()
        && Arrays.equals(topics, other.topics);
  }

  @Override
  public int hashCode() {
    int h = hash;
    if (h == 0) {
      h = Arrays.hashCode(topics);
      hash = h;
    }
    return h;
  }

  @Override
  public String toString() {
    return Arrays.toString(topics);
  }
}
