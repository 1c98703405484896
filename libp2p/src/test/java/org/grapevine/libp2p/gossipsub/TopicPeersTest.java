package org.grapevine.libp2p.gossipsub;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.grapevine.libp2p.peer.PeerId;
import org.junit.jupiter.api.Test;

/**
 * TopicPeers must answer as the map of insertion-ordered sets it replaced: same peers per topic in
 * the same order, topics gone with their last peer or removed whole, through growth and the
 * back-shifting deletes of its open addressing (many topics, few peers each, as a router sees
 * them).
 */
class TopicPeersTest {
  @Test
  void randomOperations_matchAMapOfLinkedHashSets() {
    SplittableRandom random = new SplittableRandom(3);
    List<PeerId> peers = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      peers.add(TestPeers.peer(i));
    }
    for (int round = 0; round < 50; round++) {
      TopicPeers table = new TopicPeers();
      Map<String, Set<PeerId>> reference = new HashMap<>();
      int topics = 1 + random.nextInt(300); // from one slot's worth to several growths
      int peerRange = 1 + random.nextInt(peers.size());
      for (int op = 0; op < 3000; op++) {
        String topic = "/grapevine/topic/" + random.nextInt(topics);
        PeerId peer = peers.get(random.nextInt(peerRange));
        int kind = random.nextInt(20);
        if (kind < 13) {
          assertThat(table.add(topic, peer))
              .isEqualTo(reference.computeIfAbsent(topic, t -> new LinkedHashSet<>()).add(peer));
        } else if (kind == 19) {
          assertThat(table.removeTopic(topic)).isEqualTo(reference.remove(topic) != null);
        } else {
          Set<PeerId> s = reference.get(topic);
          boolean removed = s != null && s.remove(peer);
          if (s != null && s.isEmpty()) {
            reference.remove(topic);
          }
          assertThat(table.remove(topic, peer)).isEqualTo(removed);
        }
        assertThat(table.size()).isEqualTo(reference.size());
      }
      for (int t = 0; t < topics; t++) {
        String topic = "/grapevine/topic/" + t;
        assertThat(new ArrayList<>(table.get(topic)))
            .as(topic)
            .isEqualTo(new ArrayList<>(reference.getOrDefault(topic, Set.of())));
      }
    }
  }
}
