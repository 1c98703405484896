package org.grapevine.libp2p.multistream.netty;

import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.EventExecutor;
import java.util.ArrayDeque;
import java.util.List;
import org.grapevine.libp2p.mux.MuxedStream;
import org.grapevine.libp2p.mux.StreamReader;

/**
 * Two ends of an in-memory stream. Delivery is queued on the executor (as a muxer would do), so a
 * test drives it with {@code runPendingTasks()}; every buffer written is kept for leak checks.
 */
final class PipeStream implements MuxedStream {
  private final long id;
  private final boolean outbound;
  private final EventExecutor executor;
  private final List<ByteBuf> written;
  private final ArrayDeque<ByteBuf> pending = new ArrayDeque<>();
  private PipeStream peer;
  private StreamReader reader;
  private boolean pendingFin;
  boolean wasReset;
  boolean writeClosed;

  private PipeStream(long id, boolean outbound, EventExecutor executor, List<ByteBuf> written) {
    this.id = id;
    this.outbound = outbound;
    this.executor = executor;
    this.written = written;
  }

  /** {@code [0]} is the opener's end, {@code [1]} the acceptor's. */
  static PipeStream[] pair(EventExecutor executor, List<ByteBuf> written) {
    PipeStream a = new PipeStream(1, true, executor, written);
    PipeStream b = new PipeStream(1, false, executor, written);
    a.peer = b;
    b.peer = a;
    return new PipeStream[] {a, b};
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
    written.add(data);
    if (wasReset || writeClosed) {
      data.release();
      return;
    }
    executor.execute(() -> peer.deliver(data));
  }

  private void deliver(ByteBuf data) {
    if (wasReset) {
      data.release();
    } else if (reader == null) {
      pending.add(data);
    } else {
      reader.onData(this, data);
    }
  }

  @Override
  public void closeWrite() {
    writeClosed = true;
    executor.execute(
        () -> {
          if (peer.reader == null) {
            peer.pendingFin = true;
          } else {
            peer.reader.onRemoteClosed(peer);
          }
        });
  }

  @Override
  public void reset() {
    if (wasReset) {
      return;
    }
    wasReset = true;
    drop();
    executor.execute(
        () -> {
          if (!peer.wasReset) {
            peer.wasReset = true;
            peer.drop();
            if (peer.reader != null) {
              peer.reader.onReset(peer);
            }
          }
        });
  }

  private void drop() {
    pending.forEach(ByteBuf::release);
    pending.clear();
  }

  @Override
  public void setReader(StreamReader reader) {
    this.reader = reader;
    while (!pending.isEmpty() && this.reader == reader) {
      reader.onData(this, pending.poll());
    }
    if (pendingFin && this.reader == reader) {
      pendingFin = false;
      reader.onRemoteClosed(this);
    }
  }

  @Override
  public boolean isWritable() {
    return true;
  }

  @Override
  public EventExecutor executor() {
    return executor;
  }
}
