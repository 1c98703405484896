package org.grapevine.libp2p.relay.netty;

import io.netty.buffer.ByteBuf;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.grapevine.libp2p.mux.MuxedStream;
import org.grapevine.libp2p.mux.StreamReader;
import org.grapevine.libp2p.relay.CircuitBudget;
import org.grapevine.libp2p.relay.RelayLimit;

/**
 * The relay's bidirectional pipe of one circuit: the source's hop stream and the target's stop
 * stream, each direction with its own {@link CircuitBudget}. A chunk that does not fit the budget
 * is forwarded up to the limit, then both streams are reset (circuit-v2.md "Limits"); a FIN is
 * passed on as a FIN, a reset as a reset; {@link #cut} resets both (the duration limit). {@code
 * onClosed} runs once, when both directions finished or the circuit was cut.
 *
 * <p>Threading: the two streams may live on different event loops. Each direction's budget is
 * touched only by the loop of the stream it reads; the shared end state is atomic. There is no
 * back-pressure across the pipe (a stream cannot pause its reader); the data limit bounds what can
 * queue in the relay, and a relay configured without one accepts that risk.
 */
final class CircuitPipe {
  private final RelayStream source;
  private final RelayStream target;
  private final RelayLimit limit;
  private final Runnable onClosed;
  private final AtomicBoolean ended = new AtomicBoolean();
  private final AtomicInteger finished = new AtomicInteger();
  private final CircuitBudget toTarget;
  private final CircuitBudget toSource;
  private volatile boolean cutByLimit;

  CircuitPipe(RelayStream source, RelayStream target, RelayLimit limit, Runnable onClosed) {
    this.source = source;
    this.target = target;
    this.limit = limit;
    this.onClosed = onClosed;
    this.toTarget = new CircuitBudget(limit.dataBytes());
    this.toSource = new CircuitBudget(limit.dataBytes());
  }

  void start() {
    source.setReader(new Direction(target, toTarget));
    target.setReader(new Direction(source, toSource));
  }

  /** Resets both streams (duration limit, relay closing). */
  void cut() {
    source.reset();
    target.reset();
    end();
  }

  /** Whether a data limit cut the circuit. */
  boolean cutByLimit() {
    return cutByLimit;
  }

  /** Bytes relayed so far towards the target and towards the source. */
  long[] relayedBytes() {
    return new long[] {toTarget.relayedBytes(), toSource.relayedBytes()};
  }

  RelayLimit limit() {
    return limit;
  }

  private void end() {
    if (ended.compareAndSet(false, true)) {
      onClosed.run();
    }
  }

  private final class Direction implements StreamReader {
    private final MuxedStream to;
    private final CircuitBudget budget;

    Direction(MuxedStream to, CircuitBudget budget) {
      this.to = to;
      this.budget = budget;
    }

    @Override
    public void onData(MuxedStream from, ByteBuf data) {
      int n = data.readableBytes();
      long allowed = budget.admit(n);
      if (allowed == n) {
        to.write(data);
        return;
      }
      if (allowed > 0) {
        to.write(data.readRetainedSlice((int) allowed));
      }
      data.release();
      cutByLimit = true;
      cut();
    }

    @Override
    public void onRemoteClosed(MuxedStream from) {
      to.closeWrite();
      if (finished.incrementAndGet() == 2) {
        end();
      }
    }

    @Override
    public void onReset(MuxedStream from) {
      cut();
    }
  }
}
