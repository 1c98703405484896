package org.grapevine.libp2p.relay.netty;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.grapevine.libp2p.FrameError;
import org.grapevine.libp2p.MalformedFrameException;
import org.grapevine.libp2p.mux.ForwardingMuxedStream;
import org.grapevine.libp2p.mux.MuxedStream;
import org.grapevine.libp2p.mux.StreamReader;
import org.grapevine.libp2p.relay.RelayCodec;

/**
 * A hop or stop stream: reads the relay protocol's delimited messages ({@link #readMessage}), then
 * hands the same stream, with every byte that followed the message, to the next reader (the circuit
 * pipe, or the upgrade of a relayed connection). Bytes that arrive while nobody reads are kept, up
 * to {@link #MAX_BUFFERED_BYTES}; more resets the stream.
 *
 * <p>Threading: callbacks run on the stream's event loop; {@link #readMessage} and {@link
 * #setReader} may be called from any thread and hop onto it.
 */
final class RelayStream extends ForwardingMuxedStream implements StreamReader {
  static final int MAX_BUFFERED_BYTES = 64 << 10;

  private ByteBuf buffered = Unpooled.EMPTY_BUFFER;
  private boolean fin;
  private boolean rst;
  private CompletableFuture<byte[]> waiting;
  private ScheduledFuture<?> timer;
  private StreamReader reader;

  RelayStream(MuxedStream delegate) {
    super(delegate);
    delegate.setReader(this);
  }

  /** Sends one framed message. */
  void send(byte[] body) {
    delegate.write(Unpooled.wrappedBuffer(RelayCodec.frame(body)));
  }

  /**
   * The next message's body; fails with a {@link MalformedFrameException} (oversize, bad varint,
   * TRUNCATED when the peer closes first, RESET) or, after {@code timeout}, a TimeoutException.
   */
  CompletableFuture<byte[]> readMessage(Duration timeout) {
    CompletableFuture<byte[]> result = new CompletableFuture<>();
    onLoop(
        () -> {
          if (waiting != null || reader != null) {
            result.completeExceptionally(new IllegalStateException("already reading"));
            return;
          }
          waiting = result;
          timer =
              executor()
                  .schedule(
                      () -> {
                        if (waiting == result) {
                          waiting = null;
                          result.completeExceptionally(
                              new java.util.concurrent.TimeoutException(
                                  "no relay message within " + timeout.toMillis() + " ms"));
                        }
                      },
                      timeout.toNanos(),
                      TimeUnit.NANOSECONDS);
          tryComplete();
        });
    return result;
  }

  private void tryComplete() {
    if (waiting == null) {
      return;
    }
    CompletableFuture<byte[]> w = waiting;
    try {
      Optional<byte[]> body = RelayCodec.readBody(buffered);
      if (body.isPresent()) {
        if (!buffered.isReadable()) {
          buffered.release();
          buffered = Unpooled.EMPTY_BUFFER;
        }
        finish();
        w.complete(body.get());
      } else if (rst || fin) {
        finish();
        w.completeExceptionally(
            new MalformedFrameException(
                rst ? FrameError.RESET : FrameError.TRUNCATED,
                "the stream " + (rst ? "was reset" : "closed") + " before a whole relay message"));
      }
    } catch (MalformedFrameException e) {
      finish();
      w.completeExceptionally(e);
    }
  }

  private void finish() {
    waiting = null;
    if (timer != null) {
      timer.cancel(false);
    }
  }

  // --- From the stream, on its loop -------------------------------------------------------------

  @Override
  public void onData(MuxedStream s, ByteBuf data) {
    if (reader != null) {
      reader.onData(this, data);
      return;
    }
    if (rst || buffered.readableBytes() + data.readableBytes() > MAX_BUFFERED_BYTES) {
      data.release();
      if (!rst) {
        reset();
        onReset(s);
      }
      return;
    }
    buffered = buffered.isReadable() ? Unpooled.wrappedBuffer(buffered, data) : swap(data);
    tryComplete();
  }

  private ByteBuf swap(ByteBuf data) {
    buffered.release();
    return data;
  }

  @Override
  public void onRemoteClosed(MuxedStream s) {
    if (reader != null) {
      reader.onRemoteClosed(this);
    } else {
      fin = true;
      tryComplete();
    }
  }

  @Override
  public void onReset(MuxedStream s) {
    if (reader != null) {
      reader.onReset(this);
    } else if (!rst) {
      resetKept();
    }
  }

  /** Reset with nobody reading: what was kept goes, and a waiting read fails. */
  private void resetKept() {
    rst = true;
    buffered.release();
    buffered = Unpooled.EMPTY_BUFFER;
    tryComplete();
  }

  @Override
  public void onWritable(MuxedStream s) {
    if (reader != null) {
      reader.onWritable(this);
    }
  }

  // --- To the stream ----------------------------------------------------------------------------

  /** Hands the stream on: kept bytes first, then a FIN or reset that came while nobody read. */
  @Override
  public void setReader(StreamReader next) {
    onLoop(
        () -> {
          reader = next;
          ByteBuf kept = buffered;
          buffered = Unpooled.EMPTY_BUFFER;
          if (kept.isReadable()) {
            next.onData(this, kept);
          } else {
            kept.release();
          }
          if (rst) {
            next.onReset(this);
          } else if (fin) {
            next.onRemoteClosed(this);
          }
        });
  }

  /**
   * Nothing more will be read from this stream: whatever was kept and whatever arrives is released
   * (after a final answer; the peer's FIN or reset still ends the stream).
   */
  void discard() {
    setReader(DISCARD);
  }

  private static final StreamReader DISCARD =
      new StreamReader() {
        @Override
        public void onData(MuxedStream s, ByteBuf data) {
          data.release();
        }

        @Override
        public void onRemoteClosed(MuxedStream s) {}

        @Override
        public void onReset(MuxedStream s) {}
      };

  /** Resets the stream and releases what was kept for a reader that will not come. */
  @Override
  public void reset() {
    delegate.reset();
    onLoop(
        () -> {
          if (reader == null) {
            resetKept();
          }
        });
  }
}
