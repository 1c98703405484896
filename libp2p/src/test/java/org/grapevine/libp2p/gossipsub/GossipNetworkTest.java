package org.grapevine.libp2p.gossipsub;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Multi-router behaviour in virtual time through {@link GossipTestNetwork}. */
class GossipNetworkTest {
  private static final long S = 1_000_000_000L;
  private static final long MS = 1_000_000L;

  @Test
  void heartbeat_fullyConnectedPeers_meshesSettleBetweenDloAndDhi() {
    GossipTestNetwork net = GossipTestNetwork.builder().peers(20).seed(3).fullMesh().build();
    net.subscribeAll("t");
    net.runFor(10 * S);
    for (int i = 0; i < net.size(); i++) {
      int size = net.router(i).meshPeers("t").size();
      assertThat(size).as("mesh of %d", i).isBetween(4, 12);
      // Mesh links are symmetric once GRAFTs have landed.
      for (var p : net.router(i).meshPeers("t")) {
        assertThat(net.router(net.indexOf(p)).meshPeers("t")).contains(net.id(i));
      }
    }
  }

  @Test
  void publish_notSubscribedWithoutFloodPublish_usesFanoutUntilTtl() {
    GossipConfig c = GossipConfig.builder().floodPublish(false).build();
    GossipTestNetwork net =
        GossipTestNetwork.builder().peers(10).seed(4).fullMesh().config(c).build();
    for (int i = 1; i < 10; i++) {
      net.subscribe(i, "t");
    }
    net.runFor(2 * S);
    net.publish(0, "t", bytes("hello"));
    assertThat(net.router(0).fanoutPeers("t")).hasSize(6);
    net.runFor(2 * S);
    for (int i = 1; i < 10; i++) {
      assertThat(net.accepted(i)).hasSize(1);
    }
    net.runFor(59 * S); // 61 s after the publish
    assertThat(net.router(0).fanoutPeers("t")).isEmpty();
  }

  @Test
  void gossip_messageMissedByMesh_recoveredThroughIHaveIWant() {
    GossipTestNetwork net = GossipTestNetwork.builder().peers(12).seed(5).fullMesh().build();
    net.subscribeAll("t");
    net.runFor(5 * S);
    int victim = 7;
    long start = net.now();
    // Every pushed copy towards the victim is lost for 50 ms; later copies (IWANT answers) get
    // through.
    net.linkFilter =
        (from, to, rpc, t) ->
            !(to == victim && rpc.proto().getPublishCount() > 0 && t < start + 50 * MS);
    MessageId id = net.publish(0, "t", bytes("gossip me"));
    net.runFor(100 * MS);
    assertThat(net.accepted(victim)).isEmpty();
    net.runFor(3 * S);
    assertThat(net.accepted(victim))
        .extracting(GossipEvent.MessageReceived::id)
        .containsExactly(id);
    assertThat(net.router(victim).metrics().iwantOut()).isPositive();
    assertThat(net.sum(m -> m.iwantServed())).isPositive();
    for (int i = 1; i < net.size(); i++) {
      assertThat(net.accepted(i)).hasSize(1);
    }
  }

  @Test
  void reject_peerFloodingInvalidMessages_isGraylisted() {
    TopicScoreParams topic =
        TopicScoreParams.builder()
            .topicWeight(1)
            .timeInMeshWeight(0)
            .firstMessageDeliveriesWeight(0)
            .meshMessageDeliveriesWeight(0)
            .meshFailurePenaltyWeight(0)
            .invalidMessageDeliveriesWeight(-1)
            .invalidMessageDeliveriesDecay(0.99)
            .build();
    GossipConfig c =
        GossipConfig.builder()
            .scoreParams(PeerScoreParams.builder().topics(Map.of("t", topic)).build())
            .build();
    GossipTestNetwork net =
        GossipTestNetwork.builder().peers(2).seed(6).connect(0, 1).config(c).build();
    net.subscribeAll("t");
    net.runFor(2 * S);
    net.validator = (node, m) -> Acceptance.REJECT;
    for (int i = 0; i < 10; i++) {
      net.publish(0, "t", bytes("bad " + i));
      net.runFor(20 * MS);
    }
    // P4 = 9 rejects -> -81 < -80: the tenth message is never looked at.
    assertThat(net.events(1)).filteredOn(e -> e instanceof GossipEvent.MessageReceived).hasSize(9);
    assertThat(net.router(1).peerScore(net.id(0))).isLessThan(-80);
    assertThat(net.router(1).metrics().drops()).containsEntry(DropReason.GRAYLISTED, 1L);
    assertThat(net.events(1))
        .filteredOn(
            e ->
                e instanceof GossipEvent.PeerMisbehaved pm
                    && pm.code() == GossipErrorCode.INVALID_MESSAGE)
        .hasSize(9);
  }

  /**
   * 100 routers, 10-20 random connections each, 100 messages from random publishers: every router
   * delivers each message exactly once. Duplicates per delivery are bounded by the fan-out: with
   * flood publishing the origin sends to all its ~15 peers, and each of the other routers forwards
   * to its mesh (~D = 6) minus the sender, so a router receives on average about D - 1 ~ 5 copies
   * beyond the first, fewer when IDONTWANT arrives in time.
   */
  @Test
  void propagation_hundredRouters_everyMessageDeliveredExactlyOnce() {
    GossipTestNetwork net =
        GossipTestNetwork.builder()
            .peers(100)
            .seed(42)
            .randomDegree(10, 20)
            .latencyNanos(20 * MS)
            .build();
    net.subscribeAll("t");
    net.runFor(5 * S);
    Random random = new Random(7);
    Map<MessageId, Integer> publishers = new HashMap<>();
    for (int k = 0; k < 100; k++) {
      int publisher = random.nextInt(net.size());
      byte[] data =
          new byte[random.nextBoolean() ? 100 : 2000]; // half above the IDONTWANT threshold
      random.nextBytes(data);
      publishers.put(net.publish(publisher, "t", data), publisher);
      net.runFor(50 * MS);
    }
    net.runFor(10 * S);
    long deliveries = 0;
    for (int i = 0; i < net.size(); i++) {
      Map<MessageId, Integer> counts = new HashMap<>();
      net.accepted(i).forEach(m -> counts.merge(m.id(), 1, Integer::sum));
      for (Map.Entry<MessageId, Integer> e : publishers.entrySet()) {
        int expected = e.getValue() == i ? 0 : 1; // own messages are not delivered to oneself
        assertThat(counts.getOrDefault(e.getKey(), 0))
            .as("router %d, message %s", i, e.getKey())
            .isEqualTo(expected);
      }
      deliveries += net.accepted(i).size();
    }
    long duplicates = net.sum(GossipMetrics::duplicates);
    double perDelivery = (double) duplicates / deliveries;
    double meanMesh = net.sum(m -> (long) m.meshSizes().getOrDefault("t", 0)) / (double) net.size();
    System.out.printf(
        "propagation: %d deliveries, %d duplicates (%.2f per delivery), mean mesh %.2f, %d IWANT served, %d IDONTWANT sent%n",
        deliveries,
        duplicates,
        perDelivery,
        meanMesh,
        net.sum(GossipMetrics::iwantServed),
        net.sum(GossipMetrics::idontwantOut));
    assertThat(deliveries).isEqualTo(99L * 100);
    assertThat(perDelivery)
        .isLessThanOrEqualTo(meanMesh + 1); // about one copy per mesh peer, plus flood publish
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
