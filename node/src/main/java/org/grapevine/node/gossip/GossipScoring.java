package org.grapevine.node.gossip;

import java.util.concurrent.TimeUnit;
import org.grapevine.libp2p.gossipsub.PeerScoreParams;
import org.grapevine.libp2p.gossipsub.TopicScoreParams;

/**
 * How the node scores gossip peers. Topics are per identity and unknown in advance, so one set of
 * topic parameters scores them all ({@link PeerScoreParams#defaultTopic}). What matters is P4: an
 * invalid message (bad signature, malformed, wrong topic, stripped content: the engine's REJECT)
 * costs its sender -10 × n² for n of them: -10 (the gossip threshold) after one, -40 after two, -90
 * after three, under the graylist threshold (-80), so its RPCs are ignored. An honest relay never
 * forwards what it could not validate, so honest peers do not pay this.
 *
 * <p>P3 (mesh delivery deficit) stays off: an identity posts a few times a day, so a quiet mesh is
 * normal and must not cost honest peers. P2 (first deliveries) rewards useful peers a little.
 */
public final class GossipScoring {
  private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

  private GossipScoring() {}

  /** Topic parameters for every identity's topic. */
  public static TopicScoreParams identityTopic() {
    return TopicScoreParams.builder()
        .topicWeight(1.0)
        .timeInMeshWeight(0)
        .timeInMeshQuantumNanos(SECOND)
        .firstMessageDeliveriesWeight(0.5)
        .firstMessageDeliveriesDecay(0.99)
        .firstMessageDeliveriesCap(20)
        .meshMessageDeliveriesWeight(0)
        .meshFailurePenaltyWeight(0)
        .invalidMessageDeliveriesWeight(-10)
        // Decayed once a second: an invalid message's cost halves in about 70 s.
        .invalidMessageDeliveriesDecay(0.99)
        .build();
  }

  public static PeerScoreParams params() {
    return PeerScoreParams.builder().defaultTopic(identityTopic()).build();
  }
}
