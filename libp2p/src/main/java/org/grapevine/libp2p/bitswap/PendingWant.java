package org.grapevine.libp2p.bitswap;

import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.Set;
import org.grapevine.libp2p.peer.PeerId;

/**
 * The client side of one CID we want: whom we asked, who said HAVE, who owes us the block. At most
 * one peer is asked for the block at a time, so a block crosses the network once.
 */
final class PendingWant {
  /** Deadline order first, then this: the order the wants were made (unique per core). */
  static final Comparator<PendingWant> BY_DEADLINE =
      Comparator.<PendingWant>comparingLong(w -> w.deadline).thenComparingLong(w -> w.seq);

  final Cid cid;
  final long seq;

  /** Every peer holding an entry of ours for the CID: they get a cancel when the want ends. */
  final Set<PeerId> told = new LinkedHashSet<>();

  /** Asked want-have, no answer yet. */
  final Set<PeerId> awaitingHave = new LinkedHashSet<>();

  /** Said HAVE and not asked for the block yet: the next ones to ask, in the order they said so. */
  final Deque<PeerId> haves = new ArrayDeque<>();

  /** The peer asked for the block, or null. */
  PeerId blockPeer;

  /**
   * When the peers asked last have had long enough. Only {@code Bitswap#setDeadline} changes it: it
   * is the key of the core's deadline queue.
   */
  long deadline;

  int dontHaves;
  boolean timedOut;

  PendingWant(Cid cid, long seq) {
    this.cid = cid;
    this.seq = seq;
  }

  /** Whether an answer may still come. */
  boolean waiting() {
    return blockPeer != null || !awaitingHave.isEmpty();
  }

  BitswapEvent.Reason failure() {
    if (timedOut) {
      return BitswapEvent.Reason.TIMED_OUT;
    }
    return dontHaves > 0 ? BitswapEvent.Reason.DONT_HAVE : BitswapEvent.Reason.NO_PEERS;
  }
}
