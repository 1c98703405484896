package org.grapevine.libp2p.kad.netty;

/** What happened to inbound Kademlia streams and requests, counted by {@link KadInboundHandler}. */
public enum KadInboundCounter {
  /** A request answered (or, for ADD_PROVIDER, taken) as the handler replied. */
  SERVED(false),
  /** The handler refused a request ({@code Reply.refusal}): the stream was reset. */
  REFUSED(false),
  /** A frame announced more than the limit: reset before its bytes were buffered. */
  OVERSIZE(true),
  /** A frame that did not decode (bad varint, protobuf, unknown type, too many peers). */
  MALFORMED(true),
  /** The peer closed its side in the middle of a frame. */
  TRUNCATED(true),
  /** More decoded requests waiting on one stream than allowed: reset. */
  FLOODED(true),
  /** One inbound stream more than a connection may hold: reset at once. */
  STREAM_LIMIT(false),
  /** No request for the idle timeout: reset. */
  IDLE_TIMEOUT(false),
  /** The handler's executor refused the work (shutting down or full): reset. */
  OVERLOADED(false),
  /** The handler threw (our bug): logged, reset. */
  HANDLER_FAILED(false);

  private final boolean peerAtFault;

  KadInboundCounter(boolean peerAtFault) {
    this.peerAtFault = peerAtFault;
  }

  /** True if the peer broke the protocol (the owner may penalise it). */
  public boolean peerAtFault() {
    return peerAtFault;
  }
}
