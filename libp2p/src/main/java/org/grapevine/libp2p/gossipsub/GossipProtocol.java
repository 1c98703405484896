package org.grapevine.libp2p.gossipsub;

import java.util.Optional;

/**
 * The pubsub protocol a peer negotiated; it fixes which features we may use with it. Floodsub peers
 * (the legacy fallback js still offers) get every message of their topics and no control messages:
 * they are never in a mesh and never receive gossip.
 */
public enum GossipProtocol {
  MESHSUB_V10("/meshsub/1.0.0"),
  /** Adds PRUNE backoff and peer exchange. */
  MESHSUB_V11("/meshsub/1.1.0"),
  /** Adds IDONTWANT. */
  MESHSUB_V12("/meshsub/1.2.0"),
  /** pubsub/README.md floodsub: same RPC, no control messages; the last fallback. */
  FLOODSUB("/floodsub/1.0.0");

  private final String id;

  GossipProtocol(String id) {
    this.id = id;
  }

  /** The multistream protocol id. */
  public String id() {
    return id;
  }

  public boolean supportsBackoff() {
    return this == MESHSUB_V11 || this == MESHSUB_V12;
  }

  /** Whether the peer takes part in meshes and gossip (every meshsub version, not floodsub). */
  public boolean isMeshsub() {
    return this != FLOODSUB;
  }

  public boolean supportsIDontWant() {
    return this == MESHSUB_V12;
  }

  public static Optional<GossipProtocol> fromId(String id) {
    for (GossipProtocol p : values()) {
      if (p.id.equals(id)) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }
}
