package org.grapevine.libp2p.gossipsub;

/** Why the router dropped a message or an RPC; counted in {@link GossipMetrics#drops()}. */
public enum DropReason {
  /** The peer's undrained outbound queue was full. */
  QUEUE_FULL,
  /** Too many received messages awaited {@link GossipRouter#reportValidation}. */
  VALIDATION_QUEUE_FULL,
  /** Too many received messages of one topic awaited validation. */
  TOPIC_VALIDATION_QUEUE_FULL,
  /** The sending peer's score is below the graylist threshold (whole RPC). */
  GRAYLISTED,
  /** A message for a topic we are not subscribed to. */
  NOT_SUBSCRIBED,
  /** The message failed the signature policy. */
  SIGNATURE_POLICY,
  /** The application rejected it. */
  REJECTED,
  /** The application ignored it. */
  IGNORED,
  /** The peer exceeded the stored IDONTWANT ids. */
  IDONTWANT_LIMIT,
  /** The peer exceeded the tracked topics. */
  TOPIC_LIMIT,
  /** IHAVE beyond the per-heartbeat limits or from a peer below the gossip threshold. */
  IHAVE_LIMIT
}
