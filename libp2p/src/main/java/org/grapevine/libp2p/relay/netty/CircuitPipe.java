package org.grapevine.libp2p.relay.netty;

import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.EventExecutor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.grapevine.libp2p.mux.MuxedStream;
import org.grapevine.libp2p.mux.StreamReader;
import org.grapevine.libp2p.relay.CircuitBudget;
import org.grapevine.libp2p.relay.CircuitEnd;
import org.grapevine.libp2p.relay.RelayLimit;

/**
 * The relay's bidirectional pipe of one circuit: the source's hop stream and the target's stop
 * stream, each direction with its own {@link CircuitBudget}.
 *
 * <p>Rules:
 *
 * <ol>
 *   <li>Back-pressure. Each direction counts its pending bytes: written to the other stream and not
 *       yet gone out (the stream was not writable after the write, and has not said {@code
 *       onWritable} since). Once they reach {@code maxPendingBytes} the pipe pauses reading the
 *       side it forwards from, so that stream's Yamux window closes and its sender stalls; it
 *       resumes once they fall to half that. A direction so holds at most {@code maxPendingBytes}
 *       plus one inbound chunk (a Yamux frame, at most the stream receive window), and its paused
 *       stream at most one receive window unconsumed.
 *   <li>Half-close. A FIN is passed on as a FIN and the other direction goes on until its own FIN
 *       (or a limit); the circuit ends {@link CircuitEnd#CLOSED} once both came. go-libp2p's relay
 *       does the same (CloseWrite on EOF); the spec only says the relay bridges the streams.
 *   <li>Reset. A reset of either stream resets the other; so do the limits: a chunk that does not
 *       fit the data budget is forwarded up to the limit, then both streams are reset
 *       (circuit-v2.md "Limit"), and {@link #cut} resets both (duration limit, relay closing).
 *   <li>{@code onClosed} runs once, with the first cause ({@link CircuitEnd}).
 * </ol>
 *
 * <p>Threading: the two streams may live on different event loops. A direction's budget and its
 * decision to pause run on the loop of the stream it reads; its writes, and the drain accounting,
 * run on the loop of the stream it writes (so they keep their order with the FIN); the pending
 * count, the paused flag and the end are atomic. Pausing is re-checked after it is set, so a drain
 * racing with it cannot leave a side paused for ever.
 */
final class CircuitPipe {
  /** Default {@code maxPendingBytes}: a quarter of a Yamux default window per direction. */
  static final int DEFAULT_MAX_PENDING_BYTES = 256 << 10;

  private final RelayStream source;
  private final RelayStream target;
  private final RelayLimit limit;
  private final long maxPendingBytes;
  private final Consumer<CircuitEnd> onClosed;
  private final AtomicReference<CircuitEnd> end = new AtomicReference<>();
  private final AtomicBoolean closedRun = new AtomicBoolean();
  private final AtomicInteger finished = new AtomicInteger();
  private final Direction toTarget;
  private final Direction toSource;

  CircuitPipe(
      RelayStream source,
      RelayStream target,
      RelayLimit limit,
      int maxPendingBytes,
      Consumer<CircuitEnd> onClosed) {
    if (maxPendingBytes < 1) {
      throw new IllegalArgumentException("maxPendingBytes must be positive: " + maxPendingBytes);
    }
    this.source = source;
    this.target = target;
    this.limit = limit;
    this.maxPendingBytes = maxPendingBytes;
    this.onClosed = onClosed;
    this.toTarget = new Direction(source, target, CircuitEnd.SOURCE_RESET);
    this.toSource = new Direction(target, source, CircuitEnd.TARGET_RESET);
    toTarget.reverse = toSource;
    toSource.reverse = toTarget;
  }

  void start() {
    source.setReader(toTarget);
    target.setReader(toSource);
  }

  /** Resets both streams (duration limit, relay closing); {@code why} counts if it is the first. */
  void cut(CircuitEnd why) {
    end.compareAndSet(null, why);
    source.reset();
    target.reset();
    finish();
  }

  /** Whether a data limit cut the circuit. */
  boolean cutByLimit() {
    return end.get() == CircuitEnd.DATA_LIMIT;
  }

  /** Why the circuit ended; null while it runs. */
  CircuitEnd end() {
    return end.get();
  }

  /** Bytes relayed so far towards the target and towards the source. */
  long[] relayedBytes() {
    return new long[] {toTarget.budget.relayedBytes(), toSource.budget.relayedBytes()};
  }

  /** Bytes written on and not yet gone out, both directions (any thread). */
  long pendingBytes() {
    return toTarget.pending.get() + toSource.pending.get();
  }

  /** The most bytes one direction has held pending (any thread). */
  long peakPendingBytes() {
    return Math.max(toTarget.peak.get(), toSource.peak.get());
  }

  /** How many times a side was paused because the other did not keep up (any thread). */
  long pauses() {
    return toTarget.pauses.get() + toSource.pauses.get();
  }

  RelayLimit limit() {
    return limit;
  }

  private void finish() {
    if (closedRun.compareAndSet(false, true)) {
      onClosed.accept(end.get());
    }
  }

  /** One direction; it is the reader of {@code from}. */
  private final class Direction implements StreamReader {
    private final MuxedStream from;
    private final MuxedStream to;
    private final CircuitEnd resetCause;
    private final CircuitBudget budget = new CircuitBudget(limit.dataBytes());
    private final AtomicLong pending = new AtomicLong();
    private final AtomicLong peak = new AtomicLong();
    private final AtomicLong pauses = new AtomicLong();
    private final AtomicBoolean paused = new AtomicBoolean();
    private Direction reverse;
    // On to's loop: bytes written to `to` since it was last seen writable.
    private long queued;

    Direction(MuxedStream from, MuxedStream to, CircuitEnd resetCause) {
      this.from = from;
      this.to = to;
      this.resetCause = resetCause;
    }

    @Override
    public void onData(MuxedStream s, ByteBuf data) {
      int n = data.readableBytes();
      long allowed = budget.admit(n);
      if (allowed == n) {
        forward(data);
        return;
      }
      if (allowed > 0) {
        forward(data.readRetainedSlice((int) allowed));
      }
      data.release();
      cut(CircuitEnd.DATA_LIMIT);
    }

    /** On from's loop. */
    private void forward(ByteBuf data) {
      int n = data.readableBytes();
      long now = pending.addAndGet(n);
      peak.accumulateAndGet(now, Math::max);
      try {
        onLoopOf(
            to,
            () -> {
              to.write(data);
              queued += n;
              if (to.isWritable()) {
                drained();
              }
            });
      } catch (RejectedExecutionException e) {
        data.release(); // to's connection and its loop are gone; its reset ends the circuit
      }
      if (now >= maxPendingBytes && paused.compareAndSet(false, true)) {
        pauses.incrementAndGet();
        from.pauseReading();
        maybeResume(); // a drain may have come between the count and the flag
      }
    }

    /** Everything written to {@code to} has gone out. On to's loop. */
    void drained() {
      long n = queued;
      queued = 0;
      if (n > 0) {
        pending.addAndGet(-n);
      }
      maybeResume();
    }

    private void maybeResume() {
      if (pending.get() <= maxPendingBytes / 2 && paused.compareAndSet(true, false)) {
        from.resumeReading();
      }
    }

    @Override
    public void onRemoteClosed(MuxedStream s) {
      onLoopOf(to, to::closeWrite); // after the writes queued before it
      if (finished.incrementAndGet() == 2 && end.compareAndSet(null, CircuitEnd.CLOSED)) {
        finish();
      }
    }

    @Override
    public void onReset(MuxedStream s) {
      cut(resetCause);
    }

    /** {@code from} drained: it is the stream the reverse direction writes to. */
    @Override
    public void onWritable(MuxedStream s) {
      reverse.drained(); // on from's loop, which is the loop reverse writes on
    }
  }

  private static void onLoopOf(MuxedStream stream, Runnable task) {
    EventExecutor loop = stream.executor();
    if (loop.inEventLoop()) {
      task.run();
    } else {
      loop.execute(task);
    }
  }
}
