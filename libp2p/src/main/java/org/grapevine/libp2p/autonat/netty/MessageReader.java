package org.grapevine.libp2p.autonat.netty;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import org.grapevine.libp2p.FrameError;
import org.grapevine.libp2p.MalformedFrameException;
import org.grapevine.libp2p.encoding.DelimitedReader;
import org.grapevine.libp2p.mux.MuxedStream;
import org.grapevine.libp2p.mux.StreamReader;

/**
 * Splits an AutoNAT stream into length-delimited messages of at most {@code maxBytes} and hands
 * each to an {@link OnMessage}, on the stream's event loop. Ends exactly once: with {@link OnEnd}
 * when the peer closed, reset, or sent bytes that do not frame (then the stream is reset), or when
 * {@link #finish} is called. Releases its buffer at the end (the tests run Netty's PARANOID leak
 * detector). {@link #write} is the other direction: one message, framed.
 */
final class MessageReader implements StreamReader {
  /** Receives the messages of one stream. */
  @FunctionalInterface
  interface OnMessage {
    /**
     * One message; returns whether more are expected (false finishes the reader). Throwing makes
     * the stream end as malformed (and be reset).
     */
    boolean onMessage(MuxedStream stream, byte[] body) throws MalformedFrameException;
  }

  /**
   * The stream ended before {@link #finish}: {@code TRUNCATED} (peer closed), {@code RESET}, or the
   * code of the malformed frame.
   */
  @FunctionalInterface
  interface OnEnd {
    void onEnd(MuxedStream stream, FrameError why, String detail);
  }

  private final DelimitedReader reader;
  private final OnMessage onMessage;
  private final OnEnd onEnd;
  private boolean done;

  MessageReader(ByteBufAllocator alloc, int maxBytes, OnMessage onMessage, OnEnd onEnd) {
    this.reader = new DelimitedReader(alloc, maxBytes);
    this.onMessage = onMessage;
    this.onEnd = onEnd;
  }

  /** Writes {@code body} as one length-delimited message. */
  static void write(MuxedStream stream, ByteBufAllocator alloc, byte[] body) {
    stream.write(DelimitedReader.frame(alloc, body));
  }

  @Override
  public void onData(MuxedStream stream, ByteBuf data) {
    if (done) {
      data.release();
      return;
    }
    try {
      for (byte[] body : reader.feed(data)) {
        if (done) {
          return;
        }
        if (!onMessage.onMessage(stream, body)) {
          finish();
        }
      }
    } catch (MalformedFrameException e) {
      end(stream, e.code(), e.getMessage());
      stream.reset();
    }
  }

  @Override
  public void onRemoteClosed(MuxedStream stream) {
    end(stream, FrameError.TRUNCATED, "peer closed the stream");
  }

  @Override
  public void onReset(MuxedStream stream) {
    end(stream, FrameError.RESET, "stream reset");
  }

  /**
   * The exchange is over from our side: no more messages or ends are delivered. Call on the
   * stream's event loop (from the sink, or through {@link #finishLater}).
   */
  void finish() {
    if (!done) {
      done = true;
      reader.close();
    }
  }

  /** {@link #finish} from any thread. */
  void finishLater(MuxedStream stream) {
    stream.executor().execute(this::finish);
  }

  private void end(MuxedStream stream, FrameError why, String detail) {
    if (!done) {
      finish();
      onEnd.onEnd(stream, why, detail);
    }
  }
}
