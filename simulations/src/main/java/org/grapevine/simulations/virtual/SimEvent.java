package org.grapevine.simulations.virtual;

/**
 * One scheduled event. Ordered by (time, seq): {@code seq} is the order of scheduling, so ties
 * break the same way in every run (quinn's Pair scaled to N nodes).
 */
final class SimEvent implements Comparable<SimEvent> {
  enum Kind {
    /** A gossip RPC or sync message reached the far end of the link; it still has to come off the downlink. */
    ARRIVE,
    /** A gossip RPC is in the receiver's hands. */
    GOSSIP_RPC,
    /** A sync message is in the receiver's hands. */
    SYNC_MESSAGE,
    /** A router's heartbeat deadline. */
    ROUTER_TIMER,
    /** A received gossip message finished validation (the node class's delay). */
    VALIDATED,
    /** A batch of sync entries finished validation. */
    SYNC_VALIDATED,
    SYNC_TIMER,
    SYNC_TICK,
    PUBLISH,
    LEAVE,
    RETURN,
    SPLIT,
    HEAL
  }

  final long time;
  final long seq;
  final Kind kind;
  final int node;
  /** The other node (sender), the post, the partition, ... depending on the kind. */
  final int arg;
  /** The link and its connection generation at scheduling, for messages in flight. */
  final int link;
  final int gen;
  final Object payload;
  /** Message bytes, for ARRIVE; the kind to become after the downlink in {@link #next}. */
  final int bytes;
  final Kind next;

  SimEvent(long time, long seq, Kind kind, int node, int arg, int link, int gen, Object payload, int bytes, Kind next) {
    this.time = time;
    this.seq = seq;
    this.kind = kind;
    this.node = node;
    this.arg = arg;
    this.link = link;
    this.gen = gen;
    this.payload = payload;
    this.bytes = bytes;
    this.next = next;
  }

  @Override
  public int compareTo(SimEvent o) {
    int c = Long.compare(time, o.time);
    return c != 0 ? c : Long.compare(seq, o.seq);
  }
}
