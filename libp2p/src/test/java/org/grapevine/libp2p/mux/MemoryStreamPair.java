package org.grapevine.libp2p.mux;

import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ImmediateEventExecutor;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * Two {@link MuxedStream}s joined in memory, for testing stream protocols without a muxer. Writes
 * are delivered synchronously to the other side's reader (or queued until it has one), which is the
 * ordering a real muxer gives on one event loop. Tracks what each side wrote, for assertions.
 */
public final class MemoryStreamPair {
  public final Side a = new Side(true);
  public final Side b = new Side(false);

  public MemoryStreamPair() {
    a.peer = b;
    b.peer = a;
  }

  /** One end. */
  public static final class Side implements MuxedStream {
    private final boolean outbound;
    private Side peer;
    private StreamReader reader;
    private final ArrayDeque<Object> pending = new ArrayDeque<>();
    private static final Object FIN = new Object();
    private static final Object RST = new Object();
    public boolean writeClosed;
    public boolean remoteClosed;
    public boolean wasReset;
    public final List<Integer> writes = new ArrayList<>();

    Side(boolean outbound) {
      this.outbound = outbound;
    }

    @Override
    public long id() {
      return 1;
    }

    @Override
    public boolean outbound() {
      return outbound;
    }

    @Override
    public void write(ByteBuf data) {
      if (writeClosed || wasReset) {
        data.release();
        return;
      }
      writes.add(data.readableBytes());
      peer.deliver(data);
    }

    @Override
    public void closeWrite() {
      if (!writeClosed && !wasReset) {
        writeClosed = true;
        peer.deliver(FIN);
      }
    }

    @Override
    public void reset() {
      if (!wasReset) {
        wasReset = true;
        if (reader != null) {
          reader.onReset(this);
        }
        peer.deliver(RST);
      }
    }

    @Override
    public void setReader(StreamReader r) {
      this.reader = r;
      while (reader != null && !pending.isEmpty()) {
        dispatch(pending.poll());
      }
    }

    @Override
    public boolean isWritable() {
      return !writeClosed && !wasReset;
    }

    @Override
    public EventExecutor executor() {
      return ImmediateEventExecutor.INSTANCE;
    }

    private void deliver(Object item) {
      if (reader == null) {
        pending.add(item);
      } else {
        dispatch(item);
      }
    }

    private void dispatch(Object item) {
      if (item == FIN) {
        remoteClosed = true;
        reader.onRemoteClosed(this);
      } else if (item == RST) {
        if (!wasReset) {
          wasReset = true;
          reader.onReset(this);
        }
      } else if (wasReset) {
        ((ByteBuf) item).release();
      } else {
        reader.onData(this, (ByteBuf) item);
      }
    }
  }
}
