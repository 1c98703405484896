package org.grapevine.node.gossip;

import org.grapevine.libp2p.gossipsub.GossipConfig;
import org.grapevine.libp2p.gossipsub.PeerScoreParams;
import org.grapevine.libp2p.gossipsub.SignaturePolicy;

/**
 * The one place a node's GossipSub configuration is made, for the real node and the simulator
 * alike, so that a simulated router is configured as a node's is.
 *
 * <p>Three things are Grapevine's and never tuning: no pubsub signatures ({@link
 * SignaturePolicy#STRICT_NO_SIGN}: entries carry their authors' signatures), message id = {@link
 * EntryMessageIds}, and the per-identity-topic scoring of {@link GossipScoring} (topics are per
 * identity, so one set of topic parameters scores them all). Everything else (D, heartbeat, caches,
 * thresholds, the global score weights and decays) comes from the tuning given, whose defaults are
 * the router's.
 */
public final class NodeGossip {
  private NodeGossip() {}

  /** A node's configuration with the router's default tuning. */
  public static GossipConfig config() {
    return config(GossipConfig.builder().build());
  }

  /**
   * A node's configuration over {@code tuning}: its signature policy and message id function are
   * replaced by Grapevine's; its score parameters keep their global values and get the node's
   * identity-topic scoring, unless they already name topic parameters of their own.
   */
  public static GossipConfig config(GossipConfig tuning) {
    PeerScoreParams score = tuning.scoreParams();
    if (score.defaultTopic() == null && score.topics().isEmpty()) {
      score = score.toBuilder().defaultTopic(GossipScoring.identityTopic()).build();
    }
    return tuning.toBuilder()
        .signaturePolicy(SignaturePolicy.STRICT_NO_SIGN)
        .messageIdFunction(EntryMessageIds.function())
        .scoreParams(score)
        .build();
  }
}
