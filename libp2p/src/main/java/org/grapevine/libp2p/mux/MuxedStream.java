package org.grapevine.libp2p.mux;

import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.EventExecutor;

/**
 * One stream of a multiplexed connection (Yamux), as the layers above see it.
 *
 * <p>Threading: every callback of the {@link StreamReader} runs on {@link #executor()}, the
 * connection's event loop. {@link #write}, {@link #closeWrite}, {@link #reset}, {@link
 * #pauseReading} and {@link #resumeReading} may be called from any thread; they hop onto the event
 * loop (and act at once when called on it).
 *
 * <p>Buffer ownership: {@link #write} takes ownership of the buffer (it is released once written or
 * when the stream fails); {@link StreamReader#onData} hands ownership to the reader.
 */
public interface MuxedStream {
  /** The muxer's stream id (odd for streams the dialer opened, even for the listener's). */
  long id();

  /** Whether this side opened the stream. */
  boolean outbound();

  /** Queues bytes for sending; flow control (the peer's window) decides when they go out. */
  void write(ByteBuf data);

  /** Half-closes: no more writes from this side (FIN). Reading goes on until the peer closes. */
  void closeWrite();

  /** Abandons the stream in both directions (RST). Idempotent. */
  void reset();

  /**
   * Where inbound data and state changes go. Data that arrived before a reader was set is delivered
   * to it at once, in order.
   */
  void setReader(StreamReader reader);

  /**
   * Whether writes go out now rather than queue (the peer's window is open and the queue is short).
   */
  boolean isWritable();

  /** The connection's event loop. */
  EventExecutor executor();

  /**
   * Stops delivering data to the reader: what arrives is kept unconsumed, so the muxer grants the
   * peer no more window and the peer's sender stalls (back-pressure). The peer's FIN waits behind
   * the kept data; a reset is delivered at once. Idempotent. The default, for streams without flow
   * control, ignores it.
   */
  default void pauseReading() {}

  /** Delivers what was kept, in order, and goes on delivering. Idempotent. */
  default void resumeReading() {}
}
