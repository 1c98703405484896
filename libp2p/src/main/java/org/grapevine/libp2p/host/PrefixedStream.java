package org.grapevine.libp2p.host;

import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.EventExecutor;
import org.grapevine.libp2p.mux.MuxedStream;
import org.grapevine.libp2p.mux.StreamReader;

/**
 * A stream whose first inbound bytes were read by multistream-select along with the protocol
 * choice: hands them to the reader the protocol sets, before anything that arrives later.
 */
final class PrefixedStream implements MuxedStream {
  private final MuxedStream delegate;
  private ByteBuf prefix;

  PrefixedStream(MuxedStream delegate, ByteBuf prefix) {
    this.delegate = delegate;
    this.prefix = prefix;
  }

  @Override
  public void setReader(StreamReader reader) {
    ByteBuf first = prefix;
    prefix = null;
    if (first != null) {
      if (first.isReadable() && reader != null) {
        reader.onData(delegate, first);
      } else {
        first.release();
      }
    }
    delegate.setReader(reader);
  }

  @Override
  public long id() {
    return delegate.id();
  }

  @Override
  public boolean outbound() {
    return delegate.outbound();
  }

  @Override
  public void write(ByteBuf data) {
    delegate.write(data);
  }

  @Override
  public void closeWrite() {
    delegate.closeWrite();
  }

  @Override
  public void reset() {
    if (prefix != null) {
      prefix.release();
      prefix = null;
    }
    delegate.reset();
  }

  @Override
  public boolean isWritable() {
    return delegate.isWritable();
  }

  @Override
  public EventExecutor executor() {
    return delegate.executor();
  }
}
