package org.grapevine.libp2p.yamux;

import io.netty.buffer.ByteBuf;

/**
 * What a {@link YamuxSession} reports to its driver. Stream events describe what the peer (or the
 * session itself) did; commands the application issued (such as its own reset) yield no event.
 * After {@link SessionError} or {@link SessionClosed} no further event follows.
 */
public sealed interface YamuxEvent {
  /** The peer opened a stream; it has already been acknowledged. */
  record InboundStreamOpened(long streamId) implements YamuxEvent {}

  /**
   * Bytes for a stream, in order. The receiver owns {@code data} and must release it, and must
   * report the bytes through {@link YamuxSession#consumed} once the application has them, or the
   * peer's window is never reopened.
   */
  record StreamData(long streamId, ByteBuf data) implements YamuxEvent {}

  /** The peer half-closed (FIN): no more data will come on this stream. */
  record StreamRemoteClosed(long streamId) implements YamuxEvent {}

  /** Both directions have finished (FIN each way); the session has forgotten the stream. */
  record StreamClosed(long streamId) implements YamuxEvent {}

  /** The stream is gone: the peer reset it, it broke the protocol, or the session ended. */
  record StreamReset(long streamId) implements YamuxEvent {}

  /** Queued writes have drained after the stream reported itself not writable. */
  record StreamWritable(long streamId) implements YamuxEvent {}

  /** The peer answered our ping {@code value} after {@code rttNanos}. */
  record PingRtt(long value, long rttNanos) implements YamuxEvent {}

  /** The peer sent GoAway: we may open no more streams. {@code code} is as received. */
  record GoAwayReceived(long code) implements YamuxEvent {}

  /**
   * We found the peer at fault (or failed ourselves): a GoAway with {@code code} is queued as the
   * last outbound frame, every stream has been reset; the driver closes the transport.
   */
  record SessionError(YamuxErrorCode code, String reason) implements YamuxEvent {}

  /**
   * The session ended without our error: after a GoAway (either side) all streams finished or the
   * grace time ran out, or the peer's GoAway carried an error code. The driver closes the transport
   * once queued outbound bytes are written.
   */
  record SessionClosed() implements YamuxEvent {}
}
