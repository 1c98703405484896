package org.grapevine.libp2p.mux;

import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ImmediateEventExecutor;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * Two {@link MuxedStream}s joined in memory, for testing stream protocols without a muxer. Writes
 * are delivered synchronously to the other side's reader (or queued until it has one, or while it
 * has paused reading), which is the ordering a real muxer gives on one event loop. Tracks what each
 * side wrote, for assertions.
 *
 * <p>Flow control as Yamux's, in miniature: a side is not writable while the bytes its peer has
 * kept unread reach {@code windowBytes}, and says {@code onWritable} once the peer has read them.
 */
public final class MemoryStreamPair {
  public final Side a;
  public final Side b;

  public MemoryStreamPair() {
    this(Long.MAX_VALUE);
  }

  public MemoryStreamPair(long windowBytes) {
    a = new Side(true, windowBytes);
    b = new Side(false, windowBytes);
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
    private final long windowBytes;
    private long keptBytes;
    private boolean paused;
    private boolean blocked;
    public boolean writeClosed;
    public boolean remoteClosed;
    public boolean wasReset;
    public final List<Integer> writes = new ArrayList<>();

    Side(boolean outbound, long windowBytes) {
      this.outbound = outbound;
      this.windowBytes = windowBytes;
    }

    /** Bytes that arrived here and wait for a reader or the end of a pause. */
    public long keptBytes() {
      return keptBytes;
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
      if (!isWritable()) {
        blocked = true;
      }
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
      drain();
    }

    @Override
    public void pauseReading() {
      paused = true;
    }

    @Override
    public void resumeReading() {
      paused = false;
      drain();
    }

    private void drain() {
      StreamReader r = reader;
      while (r != null && reader == r && !paused && !pending.isEmpty()) {
        Object item = pending.poll();
        if (item instanceof ByteBuf buf) {
          keptBytes -= buf.readableBytes();
        }
        dispatch(item);
      }
      peer.maybeWritable();
    }

    private void maybeWritable() {
      if (blocked && isWritable() && reader != null) {
        blocked = false;
        reader.onWritable(this);
      }
    }

    @Override
    public boolean isWritable() {
      return !writeClosed && !wasReset && peer.keptBytes < windowBytes;
    }

    @Override
    public EventExecutor executor() {
      return ImmediateEventExecutor.INSTANCE;
    }

    private void deliver(Object item) {
      if (item == RST && reader != null) {
        dispatch(item); // a reset does not wait behind kept data
      } else if (reader == null || paused || !pending.isEmpty()) {
        if (item instanceof ByteBuf buf) {
          keptBytes += buf.readableBytes();
        }
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
          for (Object kept; (kept = pending.poll()) != null; ) {
            if (kept instanceof ByteBuf buf) {
              buf.release();
            }
          }
          keptBytes = 0;
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
