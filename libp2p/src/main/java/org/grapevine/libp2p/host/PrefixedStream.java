package org.grapevine.libp2p.host;

import io.netty.buffer.ByteBuf;
import java.util.ArrayDeque;
import org.grapevine.libp2p.mux.ForwardingMuxedStream;
import org.grapevine.libp2p.mux.MuxedStream;
import org.grapevine.libp2p.mux.StreamReader;

/**
 * A stream handed to a protocol after multistream-select. It takes over reading from the
 * negotiation at once (on the event loop) and keeps everything that arrives, in order, until the
 * protocol sets its reader, from any thread and at any later time: first the bytes that came with
 * the negotiation, then later data, then the peer's half-close or reset. Without it, a protocol
 * that sets its reader after a hop to another executor would lose what arrived in between.
 */
final class PrefixedStream extends ForwardingMuxedStream implements StreamReader {
  private static final Object FIN = new Object();
  private static final Object RST = new Object();

  private final ArrayDeque<Object> pending = new ArrayDeque<>();
  private StreamReader reader;

  /** Must be called on the stream's event loop (protocol handlers are). */
  PrefixedStream(MuxedStream delegate, ByteBuf prefix) {
    super(delegate);
    if (prefix.isReadable()) {
      pending.add(prefix);
    } else {
      prefix.release();
    }
    delegate.setReader(this);
  }

  @Override
  public void setReader(StreamReader newReader) {
    onLoop(() -> install(newReader));
  }

  private void install(StreamReader newReader) {
    reader = newReader;
    while (reader == newReader && !pending.isEmpty()) {
      dispatch(pending.poll());
    }
  }

  // --- From the muxer, on the event loop ---------------------------------------------------------

  @Override
  public void onData(MuxedStream stream, ByteBuf data) {
    if (reader == null) {
      pending.add(data);
    } else {
      reader.onData(this, data);
    }
  }

  @Override
  public void onRemoteClosed(MuxedStream stream) {
    if (reader == null) {
      pending.add(FIN);
    } else {
      reader.onRemoteClosed(this);
    }
  }

  @Override
  public void onReset(MuxedStream stream) {
    if (reader == null) {
      releasePending(); // Nobody will read them: the stream is gone.
      pending.add(RST);
    } else {
      reader.onReset(this);
    }
  }

  @Override
  public void onWritable(MuxedStream stream) {
    if (reader != null) {
      reader.onWritable(this);
    }
  }

  private void dispatch(Object item) {
    if (item == FIN) {
      reader.onRemoteClosed(this);
    } else if (item == RST) {
      reader.onReset(this);
    } else {
      reader.onData(this, (ByteBuf) item);
    }
  }

  private void releasePending() {
    for (Object o : pending) {
      if (o instanceof ByteBuf b) {
        b.release();
      }
    }
    pending.clear();
  }
}
