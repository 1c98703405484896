package org.grapevine.libp2p.mux;

import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.EventExecutor;

/**
 * A stream that wraps another and reads it itself (to keep or parse what arrives before handing it
 * on): every call of {@link MuxedStream} but {@link #setReader} goes to the wrapped stream. A
 * subclass sets itself as the wrapped stream's reader and decides what its own reader sees; {@link
 * #reset} may be overridden to also drop what it kept.
 */
public abstract class ForwardingMuxedStream implements MuxedStream {
  protected final MuxedStream delegate;

  protected ForwardingMuxedStream(MuxedStream delegate) {
    this.delegate = delegate;
  }

  /** Runs {@code task} on the stream's event loop: now if called there, else queued to it. */
  protected final void onLoop(Runnable task) {
    EventExecutor loop = delegate.executor();
    if (loop.inEventLoop()) {
      task.run();
    } else {
      loop.execute(task);
    }
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

  @Override
  public void pauseReading() {
    delegate.pauseReading();
  }

  @Override
  public void resumeReading() {
    delegate.resumeReading();
  }
}
