package org.grapevine.libp2p.gossipsub;

import java.util.Optional;

/**
 * The pubsub protocol a peer negotiated; it fixes which features we may use with it. Floodsub is
 * not supported: it is legacy, and no peer we target lacks meshsub.
 */
public enum GossipProtocol {
  MESHSUB_V10("/meshsub/1.0.0"),
  /** Adds PRUNE backoff and peer exchange. */
  MESHSUB_V11("/meshsub/1.1.0"),
  /** Adds IDONTWANT. */
  MESHSUB_V12("/meshsub/1.2.0");

  private final String id;

  GossipProtocol(String id) {
    this.id = id;
  }

  /** The multistream protocol id. */
  public String id() {
    return id;
  }

  public boolean supportsBackoff() {
    return this != MESHSUB_V10;
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
