package org.grapevine.simulations.real;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufHolder;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Next to the socket of one TCP connection on loopback: holds every read and every write for a
 * one-way link latency (plus a per-message jitter) before passing it on, so that one handler on the
 * dialling side delays both directions once. Order is kept per direction (a message never overtakes
 * an earlier one, as on TCP), and a close waits behind the data before it. Counts the bytes each
 * way (all of them: Noise, Yamux and multistream framing included).
 *
 * <p>With no latency and no jitter it only counts. Confined to the channel's event loop.
 */
// Futures of close(), write() and the scheduled releases are not awaited: writes carry the
// caller's promise, which the caller watches, and a release runs on this channel's event loop.
@SuppressWarnings("FutureReturnValueIgnored")
final class LatencyHandler extends ChannelDuplexHandler {
  private final long latencyNanos;
  private final long jitterNanos;
  private final SplittableRandom random;
  private final LongAdder bytesIn;
  private final LongAdder bytesOut;
  private final ArrayDeque<Held> reads = new ArrayDeque<>();
  private final ArrayDeque<Held> writes = new ArrayDeque<>();
  private boolean readTimer;
  private boolean writeTimer;

  /**
   * One message held until {@code dueNanos}; a null message is a read-complete, inactive or close
   * marker.
   */
  private record Held(long dueNanos, Object message, ChannelPromise promise, Kind kind) {}

  private enum Kind {
    DATA,
    READ_COMPLETE,
    INACTIVE,
    CLOSE
  }

  LatencyHandler(
      long latencyNanos,
      long jitterNanos,
      SplittableRandom random,
      LongAdder bytesIn,
      LongAdder bytesOut) {
    this.latencyNanos = latencyNanos;
    this.jitterNanos = jitterNanos;
    this.random = random;
    this.bytesIn = bytesIn;
    this.bytesOut = bytesOut;
  }

  private boolean delays() {
    return latencyNanos > 0 || jitterNanos > 0;
  }

  /** When a message sent now is due: never before the one ahead of it. */
  private long due(ArrayDeque<Held> queue) {
    long d =
        System.nanoTime()
            + latencyNanos
            + (jitterNanos == 0 ? 0 : random.nextLong(jitterNanos + 1));
    return queue.isEmpty() ? d : Math.max(d, queue.peekLast().dueNanos());
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    bytesIn.add(size(msg));
    if (!delays()) {
      ctx.fireChannelRead(msg);
      return;
    }
    reads.add(new Held(due(reads), msg, null, Kind.DATA));
    armReads(ctx);
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    if (!delays()) {
      ctx.fireChannelReadComplete();
      return;
    }
    if (!reads.isEmpty()) {
      reads.add(new Held(reads.peekLast().dueNanos(), null, null, Kind.READ_COMPLETE));
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (!delays() || reads.isEmpty()) {
      ctx.fireChannelInactive();
      return;
    }
    reads.add(new Held(reads.peekLast().dueNanos(), null, null, Kind.INACTIVE));
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    bytesOut.add(size(msg));
    if (!delays()) {
      ctx.write(msg, promise);
      return;
    }
    writes.add(new Held(due(writes), msg, promise, Kind.DATA));
    armWrites(ctx);
  }

  @Override
  public void flush(ChannelHandlerContext ctx) {
    if (!delays()) {
      ctx.flush();
    } // Else each held write is flushed when it is let go.
  }

  @Override
  public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
    if (!delays() || writes.isEmpty()) {
      ctx.close(promise);
      return;
    }
    writes.add(new Held(writes.peekLast().dueNanos(), null, promise, Kind.CLOSE));
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    for (ArrayDeque<Held> q : java.util.List.of(reads, writes)) {
      for (Held h = q.poll(); h != null; h = q.poll()) {
        ReferenceCountUtil.release(h.message());
      }
    }
  }

  private void armReads(ChannelHandlerContext ctx) {
    if (!readTimer && !reads.isEmpty()) {
      readTimer = true;
      ctx.executor()
          .schedule(
              () -> releaseReads(ctx),
              Math.max(0, reads.peek().dueNanos() - System.nanoTime()),
              TimeUnit.NANOSECONDS);
    }
  }

  private void armWrites(ChannelHandlerContext ctx) {
    if (!writeTimer && !writes.isEmpty()) {
      writeTimer = true;
      ctx.executor()
          .schedule(
              () -> releaseWrites(ctx),
              Math.max(0, writes.peek().dueNanos() - System.nanoTime()),
              TimeUnit.NANOSECONDS);
    }
  }

  private void releaseReads(ChannelHandlerContext ctx) {
    readTimer = false;
    long now = System.nanoTime();
    while (!reads.isEmpty() && reads.peek().dueNanos() <= now) {
      Held h = reads.poll();
      switch (h.kind()) {
        case DATA -> ctx.fireChannelRead(h.message());
        case READ_COMPLETE -> ctx.fireChannelReadComplete();
        case INACTIVE -> ctx.fireChannelInactive();
        case CLOSE -> throw new IllegalStateException("a close among the reads");
      }
    }
    armReads(ctx);
  }

  private void releaseWrites(ChannelHandlerContext ctx) {
    writeTimer = false;
    long now = System.nanoTime();
    boolean wrote = false;
    while (!writes.isEmpty() && writes.peek().dueNanos() <= now) {
      Held h = writes.poll();
      if (h.kind() == Kind.CLOSE) {
        ctx.flush();
        ctx.close(h.promise());
        wrote = false;
      } else {
        ctx.write(h.message(), h.promise());
        wrote = true;
      }
    }
    if (wrote) {
      ctx.flush();
    }
    armWrites(ctx);
  }

  private static long size(Object msg) {
    if (msg instanceof ByteBuf b) {
      return b.readableBytes();
    }
    return msg instanceof ByteBufHolder h ? h.content().readableBytes() : 0;
  }
}
