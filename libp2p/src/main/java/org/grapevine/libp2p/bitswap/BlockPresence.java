package org.grapevine.libp2p.bitswap;

import java.util.Objects;

/** "I have" or "I do not have" {@code cid} (Bitswap 1.2.0 {@code BlockPresence}). */
public record BlockPresence(Cid cid, PresenceType type) {
  public BlockPresence {
    Objects.requireNonNull(cid, "cid");
    Objects.requireNonNull(type, "type");
  }
}
