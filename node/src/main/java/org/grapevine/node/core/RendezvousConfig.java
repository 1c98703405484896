package org.grapevine.node.core;

import java.time.Duration;

/**
 * How a node finds the peers of the topics it follows through the DHT ({@link Rendezvous}).
 *
 * @param announceFollows provide every followed topic, not only our own identity's ({@code
 *     [network] announce_follows}); off, the node still finds the topics it follows but nobody
 *     finds it through them (provider records tell who follows whom, from where)
 * @param targetTopicPeers a followed topic with fewer connected subscribers than this is looked up
 *     ({@code [dht] topic_peers}, 4 by default)
 * @param checkIntervalNanos how often the topics are counted against the target
 * @param lookupBackoffNanos the least time between two lookups of one topic; doubled after each
 *     lookup that found nobody new, up to {@link #maxLookupBackoffNanos}
 * @param maxLookupBackoffNanos the cap of that backoff
 * @param maxTopicPeersPerTopic the most providers of one topic kept as topic peers at once
 * @param maxFollowedTopics the most topics looked up (a node follows at most this many identities
 *     through the DHT; the rest are served by the peers it has)
 * @param maxCircleTopics the most members of the extended circle whose topics are looked up (the
 *     first fetched ones, in circle order), with their own budget, not counted against {@code
 *     maxFollowedTopics}; 0 for none (the circle is then fetched from the peers the node has)
 */
public record RendezvousConfig(
    boolean announceFollows,
    int targetTopicPeers,
    long checkIntervalNanos,
    long lookupBackoffNanos,
    long maxLookupBackoffNanos,
    int maxTopicPeersPerTopic,
    int maxFollowedTopics,
    int maxCircleTopics) {
  public static final RendezvousConfig DEFAULT =
      new RendezvousConfig(
          true,
          4,
          // Short at first: a follow's lookup may race the followed node's first announcement
          // (nodes that start together), and one that found nobody should not wait minutes.
          Duration.ofSeconds(10).toNanos(),
          Duration.ofSeconds(10).toNanos(),
          Duration.ofMinutes(30).toNanos(),
          8,
          10_000,
          32);

  public RendezvousConfig {
    if (targetTopicPeers < 0 || targetTopicPeers > 64) {
      throw new IllegalArgumentException("topic peers must be 0..64: " + targetTopicPeers);
    }
    if (checkIntervalNanos <= 0 || lookupBackoffNanos <= 0) {
      throw new IllegalArgumentException("rendezvous intervals must be positive");
    }
    if (maxLookupBackoffNanos < lookupBackoffNanos) {
      throw new IllegalArgumentException("the lookup backoff cap is below the backoff");
    }
    if (maxCircleTopics < 0 || maxCircleTopics > 10_000) {
      throw new IllegalArgumentException("circle topics must be 0..10000: " + maxCircleTopics);
    }
    if (maxTopicPeersPerTopic < targetTopicPeers || maxFollowedTopics < 1) {
      throw new IllegalArgumentException(
          "at most "
              + maxTopicPeersPerTopic
              + " topic peers is below the target "
              + targetTopicPeers);
    }
  }

  public RendezvousConfig withAnnounceFollows(boolean on) {
    return new RendezvousConfig(
        on,
        targetTopicPeers,
        checkIntervalNanos,
        lookupBackoffNanos,
        maxLookupBackoffNanos,
        maxTopicPeersPerTopic,
        maxFollowedTopics,
        maxCircleTopics);
  }

  public RendezvousConfig withMaxCircleTopics(int n) {
    return new RendezvousConfig(
        announceFollows,
        targetTopicPeers,
        checkIntervalNanos,
        lookupBackoffNanos,
        maxLookupBackoffNanos,
        maxTopicPeersPerTopic,
        maxFollowedTopics,
        n);
  }

  public RendezvousConfig withTargetTopicPeers(int n) {
    return new RendezvousConfig(
        announceFollows,
        n,
        checkIntervalNanos,
        lookupBackoffNanos,
        maxLookupBackoffNanos,
        Math.max(maxTopicPeersPerTopic, n),
        maxFollowedTopics,
        maxCircleTopics);
  }
}
