package org.grapevine.node.core;

import java.util.List;
import org.grapevine.node.config.NodeConfig;

/**
 * What the extended circle is now ({@link NodeCore#circleStatus}; {@code GET /v1/status}, {@code
 * grapevine status}).
 *
 * @param config its configuration (disabled: no members, nothing kept)
 * @param members in order, most followed by this node's follows first
 * @param heldBytes content bytes held of all members together
 * @param refusedEntries entries of members whose content was not kept because it would have gone
 *     over a budget (the entry itself is held without its content, as over the node's quota)
 * @param refusedBytes the content bytes those entries had
 * @param dhtTopics members whose topics the DHT rendezvous looks up now (the first fetched ones)
 * @param dhtTopicPeers the peers it keeps connected for them, found as providers of their topics
 */
public record CircleStatus(
    NodeConfig.Circle config,
    List<Circle.Member> members,
    long heldBytes,
    long refusedEntries,
    long refusedBytes,
    int dhtTopics,
    int dhtTopicPeers) {
  public CircleStatus {
    members = List.copyOf(members);
  }

  /** This status with the DHT rendezvous's counts. */
  public CircleStatus withDht(int topics, int topicPeers) {
    return new CircleStatus(
        config, members, heldBytes, refusedEntries, refusedBytes, topics, topicPeers);
  }

  /** Members not fetched any more because they or the circle are at a budget. */
  public long notFetched() {
    return members.stream().filter(m -> !m.fetched()).count();
  }
}
