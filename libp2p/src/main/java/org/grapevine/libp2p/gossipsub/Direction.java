package org.grapevine.libp2p.gossipsub;

/** Who dialled the connection; outbound peers fill the D_out mesh quota (gossipsub-v1.1.md). */
public enum Direction {
  /** The remote peer dialled us. */
  INBOUND,
  /** We dialled the remote peer. */
  OUTBOUND
}
