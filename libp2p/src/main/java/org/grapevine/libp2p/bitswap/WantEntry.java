package org.grapevine.libp2p.bitswap;

import java.util.Objects;

/**
 * One wantlist entry. A {@code cancel} revokes whatever the sender wanted of {@code cid}; its other
 * fields mean nothing then.
 *
 * @param priority higher is answered first (the spec's "normalized" priority)
 * @param sendDontHave answer {@link PresenceType#DONT_HAVE} when we lack the block, rather than
 *     nothing
 */
public record WantEntry(
    Cid cid, int priority, boolean cancel, WantType type, boolean sendDontHave) {
  public WantEntry {
    Objects.requireNonNull(cid, "cid");
    Objects.requireNonNull(type, "type");
  }

  public static WantEntry want(Cid cid, WantType type) {
    return new WantEntry(cid, 1, false, type, true);
  }

  public static WantEntry cancel(Cid cid) {
    return new WantEntry(cid, 0, true, WantType.BLOCK, false);
  }
}
