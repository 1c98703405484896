package org.grapevine.libp2p.bitswap;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The server side of one peer: what it wants of us and what we owe it. Bounded by {@link
 * BitswapLimits#maxWantsPerPeer} ({@code wants}; the queues only hold CIDs of wants).
 */
final class PeerLedger {
  /** The peer's wants, by CID. Answered want-haves stay until cancelled; a sent block leaves. */
  final Map<Cid, WantEntry> wants = new LinkedHashMap<>();

  /** HAVE and DONT_HAVE answers not yet handed out, in the order decided. */
  final Map<Cid, PresenceType> presences = new LinkedHashMap<>();

  /** Want-blocks we hold the block for and have not sent yet. */
  final Map<Cid, WantEntry> blocksToSend = new LinkedHashMap<>();

  /** Block bytes handed out and not yet reported written. */
  long inFlight;

  /** Whether a reply could be built now: presences always flow, blocks within the in-flight cap. */
  boolean canSend(long maxInFlight) {
    return !presences.isEmpty() || (!blocksToSend.isEmpty() && inFlight < maxInFlight);
  }

  /** The peer revoked (or no longer lists) {@code cid}: nothing more is sent for it. */
  void forget(Cid cid) {
    wants.remove(cid);
    presences.remove(cid);
    blocksToSend.remove(cid);
  }

  /** A full wantlist replaces the old one; bytes already in flight stay counted. */
  void clearWants() {
    wants.clear();
    presences.clear();
    blocksToSend.clear();
  }

  /** The highest-priority block to send; the earliest wanted among equals (the spec's order). */
  WantEntry nextBlock() {
    Iterator<WantEntry> it = blocksToSend.values().iterator();
    WantEntry best = it.next();
    while (it.hasNext()) {
      WantEntry e = it.next();
      if (e.priority() > best.priority()) {
        best = e;
      }
    }
    return best;
  }
}
