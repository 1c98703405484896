package org.grapevine.libp2p.yamux;

import io.netty.buffer.ByteBuf;
import java.util.ArrayDeque;

/** One stream's flow-control and close state inside a {@link YamuxSession}. Not thread-safe. */
final class YamuxStreamState {
  final long id;
  final boolean outbound;

  /** Bytes the peer still lets us send. */
  long sendWindow = YamuxConfig.INITIAL_WINDOW_BYTES;

  /** Bytes we still let the peer send (credit already granted). */
  long recvWindow;

  /** Delivered to the application but not yet reported consumed. */
  long unconsumed;

  /** Consumed but not yet granted back in a WindowUpdate. */
  long pendingGrant;

  private final ArrayDeque<ByteBuf> sendQueue = new ArrayDeque<>();
  long queuedBytes;

  boolean acked;
  boolean remoteFin;

  /** The application called closeWrite; the FIN goes out once the queue drains. */
  boolean localFinQueued;

  boolean localFinSent;

  /** We reported the stream not writable and owe a StreamWritable event. */
  boolean blocked;

  boolean removed;

  YamuxStreamState(long id, boolean outbound, long recvWindow) {
    this.id = id;
    this.outbound = outbound;
    this.recvWindow = recvWindow;
  }

  void enqueue(ByteBuf data) {
    queuedBytes += data.readableBytes();
    sendQueue.add(data);
  }

  /** Moves {@code n} queued bytes into {@code out}, releasing buffers it empties. */
  void drainInto(ByteBuf out, int n) {
    int left = n;
    while (left > 0) {
      ByteBuf head = sendQueue.peek();
      int take = Math.min(left, head.readableBytes());
      out.writeBytes(head, take);
      left -= take;
      if (!head.isReadable()) {
        sendQueue.poll().release();
      }
    }
    queuedBytes -= n;
  }

  boolean writable() {
    return queuedBytes == 0 && sendWindow > 0 && !localFinQueued && !removed;
  }

  void releaseQueue() {
    ByteBuf b;
    while ((b = sendQueue.poll()) != null) {
      b.release();
    }
    queuedBytes = 0;
  }
}
