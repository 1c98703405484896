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
 * each to a {@link Sink}, on the stream's event loop. Ends exactly once: with {@link Sink#onEnd}
 * when the peer closed, reset, or sent bytes that do not frame (then the stream is reset), or when
 * {@link #finish} is called. Releases its buffer at the end (the tests run Netty's PARANOID leak
 * detector).
 */
final class MessageReader implements StreamReader {
  /** Receives the messages and the end of one stream. */
  interface Sink {
    /**
     * One message; returns whether more are expected (false finishes the reader). Throwing makes
     * the stream end as malformed (and be reset).
     */
    boolean onMessage(MuxedStream stream, byte[] body) throws MalformedFrameException;

    /**
     * The stream ended before {@link #finish}: {@code TRUNCATED} (peer closed), {@code RESET}, or
     * the code of the malformed frame.
     */
    void onEnd(MuxedStream stream, FrameError why, String detail);
  }

  private final DelimitedReader reader;
  private final Sink sink;
  private boolean done;

  MessageReader(ByteBufAllocator alloc, int maxBytes, Sink sink) {
    this.reader = new DelimitedReader(alloc, maxBytes);
    this.sink = sink;
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
        if (!sink.onMessage(stream, body)) {
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
      sink.onEnd(stream, why, detail);
    }
  }
}
