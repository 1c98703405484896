package org.grapevine.libp2p.multistream;

import io.netty.buffer.ByteBuf;

/**
 * What {@link MultistreamNegotiator#receive} asks of its caller next.
 *
 * <p>Buffer ownership: the caller owns the buffers inside {@link Send} and {@link Selected} and
 * must write them out or release them.
 */
public sealed interface NegotiationEvent {
  /** Nothing to do until more bytes arrive. */
  record NeedData() implements NegotiationEvent {}

  /**
   * Write these bytes to the peer, then call {@code receive} again with the same input: it may
   * already hold the next message.
   */
  record Send(ByteBuf data) implements NegotiationEvent {}

  /**
   * Negotiation is over. Every byte after the deciding message belongs to {@code protocol} and is
   * in {@code leftover} (possibly empty): hand it to the protocol's handler before any later bytes.
   */
  record Selected(String protocol, ByteBuf leftover) implements NegotiationEvent {}

  /** Negotiation failed: close the connection or reset the stream. */
  record Failed(MultistreamErrorCode code, String detail) implements NegotiationEvent {}

  /** The one instance of {@link NeedData}. */
  NeedData NEED_DATA = new NeedData();
}
