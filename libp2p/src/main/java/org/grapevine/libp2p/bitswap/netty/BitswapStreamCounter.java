package org.grapevine.libp2p.bitswap.netty;

/**
 * What the streams of a {@link BitswapService} did and dropped ({@link BitswapService#count}); the
 * core counts the messages themselves ({@link BitswapService#counters}).
 */
public enum BitswapStreamCounter {
  /** Inbound Bitswap streams accepted. */
  INBOUND_STREAMS,
  /**
   * Inbound streams reset at once: the connection already had {@link
   * BitswapService#MAX_INBOUND_STREAMS_PER_CONNECTION} open (the peer's doing).
   */
  INBOUND_STREAM_LIMIT,
  /** Messages read and handed to the core, on any stream. */
  MESSAGES_RECEIVED,
  /**
   * Messages read on our own outbound stream: the spec has the peer answer on a stream it opens,
   * but we take them (counted, no fault).
   */
  MESSAGES_ON_OUR_STREAM,
  /**
   * Frames over the message limit or bodies that did not decode: reported to the core ({@code
   * handleMalformed}, the peer's fault) and the stream reset.
   */
  MALFORMED_FRAMES,
  /** Streams the peer closed in the middle of a frame: the partial frame dropped. */
  TRUNCATED_FRAMES,
  /**
   * Streams reset because a frame did not arrive whole within {@link
   * BitswapService#FRAME_TIMEOUT_NANOS} of its first byte (a peer trickling bytes, or a very slow
   * link): the partial frame dropped; not reported as misbehaviour.
   */
  FRAMES_TIMED_OUT,
  /** Our outbound streams opened (one at a time per peer; a new one after idle or a reset). */
  OUTBOUND_STREAMS,
  /**
   * Outbound streams that could not be opened (not connected any more, the peer refused the
   * protocol): the queued messages dropped and the peer treated as gone by the core.
   */
  OUTBOUND_OPEN_FAILED,
  /** Messages written and handed on by the muxer. */
  MESSAGES_SENT,
  /**
   * Messages dropped before writing: the peer's backlog of written-but-unsent bytes was over {@link
   * BitswapService#maxBacklogBytes} (a peer that does not read), or its stream failed to open.
   * Their block bytes are released in the core.
   */
  MESSAGES_DROPPED,
  /**
   * Messages written on a stream that was reset or closed before the muxer handed them on: they may
   * not have arrived (wants time out in the core; blocks are asked for again).
   */
  MESSAGES_UNCONFIRMED
}
