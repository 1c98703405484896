package org.grapevine.libp2p.yamux.netty;

import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.EventExecutor;
import java.util.ArrayDeque;
import java.util.concurrent.RejectedExecutionException;
import org.grapevine.libp2p.mux.MuxedStream;
import org.grapevine.libp2p.mux.StreamReader;

/**
 * A yamux stream as the host sees it. Commands hop onto the event loop; callbacks arrive there.
 * Data that comes before a reader is set, or while reading is paused, waits here: it is at most one
 * receive window, since the session reopens the window only for bytes a reader has taken. The
 * peer's FIN waits behind that data; a reset does not wait.
 */
final class YamuxMuxedStream implements MuxedStream {
  private final YamuxHandler handler;
  private final long id;
  private final boolean outbound;
  // Touched on the event loop only.
  private StreamReader reader;
  private final ArrayDeque<ByteBuf> early = new ArrayDeque<>();
  private boolean remoteClosed;
  private boolean reset;
  private boolean paused;
  // The reader last told of the FIN: a new reader learns of it too, the same reader only once.
  private StreamReader toldFin;
  private volatile boolean writable = true;

  YamuxMuxedStream(YamuxHandler handler, long id, boolean outbound) {
    this.handler = handler;
    this.id = id;
    this.outbound = outbound;
  }

  @Override
  public long id() {
    return id;
  }

  @Override
  public boolean outbound() {
    return outbound;
  }

  @Override
  public void write(ByteBuf data) {
    try {
      onLoop(() -> writable = handler.write(this, data));
    } catch (RejectedExecutionException e) {
      data.release(); // the connection's loop is gone, and the stream with it
    }
  }

  @Override
  public void closeWrite() {
    onLoop(
        () -> {
          writable = false;
          handler.closeWrite(this);
        });
  }

  @Override
  public void reset() {
    onLoop(
        () -> {
          if (!reset) {
            handler.reset(this);
          }
        });
  }

  @Override
  public void setReader(StreamReader newReader) {
    onLoop(
        () -> {
          reader = newReader;
          drain();
          if (reset && reader == newReader) {
            newReader.onReset(this);
          }
        });
  }

  @Override
  public void pauseReading() {
    onLoop(() -> paused = true);
  }

  @Override
  public void resumeReading() {
    onLoop(
        () -> {
          if (paused) {
            paused = false;
            drain();
          }
        });
  }

  /** Delivers kept data, then a kept FIN, while there is a reader and reading is not paused. */
  private void drain() {
    StreamReader r = reader;
    ByteBuf data;
    while (r != null && reader == r && !paused && (data = early.poll()) != null) {
      deliver(data);
    }
    if (r != null
        && reader == r
        && !paused
        && !reset
        && early.isEmpty()
        && remoteClosed
        && toldFin != r) {
      toldFin = r;
      r.onRemoteClosed(this);
    }
  }

  @Override
  public boolean isWritable() {
    return writable;
  }

  @Override
  public EventExecutor executor() {
    return handler.executor();
  }

  // ------------------------------------------------------------- session events, on the loop

  void onData(ByteBuf data) {
    if (reset) {
      data.release();
    } else if (reader == null || paused || !early.isEmpty()) {
      early.add(data);
    } else {
      deliver(data);
    }
  }

  void onRemoteClosed() {
    remoteClosed = true;
    drain();
  }

  void onReset() {
    if (reset) {
      return;
    }
    reset = true;
    writable = false;
    ByteBuf data;
    while ((data = early.poll()) != null) {
      data.release();
    }
    if (reader != null) {
      reader.onReset(this);
    }
  }

  void onWritable() {
    writable = true;
    if (reader != null) {
      reader.onWritable(this);
    }
  }

  private void deliver(ByteBuf data) {
    int n = data.readableBytes();
    reader.onData(this, data);
    handler.consumed(this, n);
  }

  private void onLoop(Runnable task) {
    EventExecutor executor = handler.executor();
    if (executor.inEventLoop()) {
      task.run();
    } else {
      executor.execute(task);
    }
  }

  @Override
  public String toString() {
    return "YamuxStream(" + id + (outbound ? ", out)" : ", in)");
  }
}
