package org.grapevine.libp2p.gossipsub;

import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.grapevine.libp2p.peer.PeerId;

/** Outputs of {@link GossipRouter#pollEvent()} for the application and the driver. */
public sealed interface GossipEvent {
  /**
   * A new message passed the signature policy and awaits the application's verdict through {@link
   * GossipRouter#reportValidation}; it is forwarded only after ACCEPT. {@code from} and {@code
   * seqno} are present for signed messages. {@code data} is shared; do not modify it.
   */
  @SuppressWarnings(
      "ArrayRecordComponent") // an event carrying the payload; MessageId is its identity
  record MessageReceived(
      MessageId id,
      PeerId source,
      String topic,
      byte[] data,
      Optional<PeerId> from,
      OptionalLong seqno)
      implements GossipEvent {}

  record Subscribed(PeerId peer, String topic) implements GossipEvent {}

  record Unsubscribed(PeerId peer, String topic) implements GossipEvent {}

  /** The peer entered our mesh for the topic (our GRAFT or theirs). */
  record Grafted(PeerId peer, String topic) implements GossipEvent {}

  /** The peer left our mesh for the topic (our PRUNE, theirs, or their unsubscribe). */
  record Pruned(PeerId peer, String topic) implements GossipEvent {}

  /** Peer exchange from a PRUNE by a peer above the accept-PX threshold: candidates to dial. */
  record PeerExchange(PeerId pruner, String topic, List<PeerId> peers) implements GossipEvent {}

  /** The peer broke the protocol; the router already applied any score penalty. */
  record PeerMisbehaved(PeerId peer, GossipErrorCode code) implements GossipEvent {}
}
