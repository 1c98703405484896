package org.grapevine.libp2p.bitswap;

import java.util.Arrays;
import java.util.Objects;
import org.grapevine.libp2p.peer.PeerId;

/** What a {@link Bitswap} core reports to its owner ({@link Bitswap#pollEvent}). */
public sealed interface BitswapEvent {
  /** A block we wanted arrived from {@code from} and hashes to {@code cid}. */
  // The data is copied in and out, with equals and hashCode over the contents.
  @SuppressWarnings("ArrayRecordComponent")
  record BlockReceived(Cid cid, byte[] data, PeerId from) implements BitswapEvent {
    public BlockReceived {
      Objects.requireNonNull(cid, "cid");
      Objects.requireNonNull(from, "from");
      data = data.clone();
    }

    @Override
    public byte[] data() {
      return data.clone();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof BlockReceived b
          && cid.equals(b.cid)
          && Arrays.equals(data, b.data)
          && from.equals(b.from);
    }

    @Override
    public int hashCode() {
      return Objects.hash(cid, Arrays.hashCode(data), from);
    }

    @Override
    public String toString() {
      return "BlockReceived[" + cid + ", " + data.length + " bytes from " + from + "]";
    }
  }

  /**
   * We stopped wanting {@code cid} without getting it; every want ends in one of these or above.
   */
  record WantFailed(Cid cid, Reason reason) implements BitswapEvent {
    public WantFailed {
      Objects.requireNonNull(cid, "cid");
      Objects.requireNonNull(reason, "reason");
    }
  }

  /** Why a want failed. */
  enum Reason {
    /** Every peer asked answered DONT_HAVE. */
    DONT_HAVE,
    /** The peers left did not answer within {@link BitswapLimits#answerTimeoutNanos}. */
    TIMED_OUT,
    /** There was no candidate peer, or every one disconnected. */
    NO_PEERS,
    /**
     * We already want {@link BitswapLimits#maxWants} CIDs: refused at once, nobody asked. Our own
     * load, not a peer's fault; want it again once fetches end.
     */
    WANTLIST_FULL,
    /**
     * The owner stopped wanting it before an answer ({@link Bitswap#cancel}, or the adapter
     * closed). The core never reports this itself: it is for adapters that fail their callers'
     * fetches.
     */
    CANCELLED
  }

  /**
   * {@code peer} broke a rule ({@link BitswapError} says which); what it sent was dropped and
   * counted. The owner decides the penalty (score, disconnect).
   */
  record PeerMisbehaved(PeerId peer, BitswapError code) implements BitswapEvent {
    public PeerMisbehaved {
      Objects.requireNonNull(peer, "peer");
      Objects.requireNonNull(code, "code");
    }
  }
}
