package org.grapevine.node;

import java.util.Map;
import org.grapevine.protocol.identity.Identity;

/**
 * What {@code grapevine status} shows of the DHT.
 *
 * @param mode "server" or "client"
 * @param routingTable peers in the routing table
 * @param topics per followed identity (our own left out), its topic's peers
 */
public record DhtStatus(String mode, int routingTable, Map<Identity, TopicPeers> topics) {
  public DhtStatus {
    topics = Map.copyOf(topics);
  }

  /**
   * One followed topic's peers.
   *
   * @param kept providers found in the DHT and kept connected for the topic
   * @param connected connected peers that announced the topic (GossipSub subscribers), found in the
   *     DHT or not
   */
  public record TopicPeers(int kept, int connected) {}
}
