package org.grapevine.libp2p.relay.netty;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.grapevine.libp2p.host.StreamCollector;
import org.grapevine.libp2p.mux.MemoryStreamPair;
import org.grapevine.libp2p.relay.CircuitEnd;
import org.grapevine.libp2p.relay.RelayLimit;
import org.junit.jupiter.api.Test;

/**
 * The relay's pipe between two in-memory streams: B's end of the hop stream and A's end of the stop
 * stream, with the relay's RelayStreams in the middle.
 */
class CircuitPipeTest {
  private static final int WINDOW_BYTES = 100;
  private static final int MAX_PENDING_BYTES = 150;

  // Each side keeps at most WINDOW_BYTES unread before its writer stops being writable.
  private final MemoryStreamPair hop = new MemoryStreamPair(WINDOW_BYTES); // a: B, b: relay
  private final MemoryStreamPair stop = new MemoryStreamPair(WINDOW_BYTES); // a: relay, b: A
  private final StreamCollector atA = new StreamCollector();
  private final StreamCollector atB = new StreamCollector();
  private final AtomicInteger closed = new AtomicInteger();
  private final List<CircuitEnd> ends = new ArrayList<>();

  private CircuitPipe pipe(long dataBytes) {
    RelayStream source = new RelayStream(hop.b);
    RelayStream target = new RelayStream(stop.a);
    stop.b.setReader(atA);
    hop.a.setReader(atB);
    return new CircuitPipe(
        source,
        target,
        new RelayLimit(0, dataBytes),
        MAX_PENDING_BYTES,
        why -> {
          ends.add(why);
          closed.incrementAndGet();
        });
  }

  @Test
  void start_bytesBeforeThePipe_deliveredFirstAndInOrder() throws Exception {
    CircuitPipe pipe = pipe(0);
    hop.a.write(Unpooled.wrappedBuffer(new byte[] {1, 2}));
    pipe.start();
    hop.a.write(Unpooled.wrappedBuffer(new byte[] {3}));
    hop.a.closeWrite();
    stop.b.write(Unpooled.wrappedBuffer(new byte[] {9}));
    stop.b.closeWrite();

    assertThat(atA.done.get()).containsExactly(1, 2, 3);
    assertThat(atB.done.get()).containsExactly(9);
    assertThat(closed).hasValue(1);
    assertThat(ends).containsExactly(CircuitEnd.CLOSED);
    assertThat(hop.b.wasReset).isFalse();
  }

  @Test
  void onData_pastDataLimit_forwardsUpToTheLimitThenResetsBoth() {
    CircuitPipe pipe = pipe(10);
    pipe.start();
    hop.a.write(Unpooled.wrappedBuffer(new byte[6]));
    assertThat(stop.a.writes).containsExactly(6);

    hop.a.write(Unpooled.wrappedBuffer(new byte[6]));

    assertThat(stop.a.writes).containsExactly(6, 4);
    assertThat(hop.b.wasReset).isTrue();
    assertThat(stop.a.wasReset).isTrue();
    assertThat(pipe.cutByLimit()).isTrue();
    assertThat(pipe.relayedBytes()).containsExactly(10, 0);
    assertThat(atA.done).isCompletedExceptionally();
    assertThat(closed).hasValue(1);
    assertThat(ends).containsExactly(CircuitEnd.DATA_LIMIT);
  }

  @Test
  void onData_eachDirectionHasItsOwnBudget() {
    CircuitPipe pipe = pipe(10);
    pipe.start();
    hop.a.write(Unpooled.wrappedBuffer(new byte[10]));
    stop.b.write(Unpooled.wrappedBuffer(new byte[10]));

    assertThat(pipe.cutByLimit()).isFalse();
    assertThat(closed).hasValue(0);
  }

  @Test
  void cut_durationLimit_resetsBothOnce() {
    CircuitPipe pipe = pipe(0);
    pipe.start();

    pipe.cut(CircuitEnd.DURATION_LIMIT);
    pipe.cut(CircuitEnd.RELAY_CLOSING);

    assertThat(hop.b.wasReset).isTrue();
    assertThat(stop.a.wasReset).isTrue();
    assertThat(atB.done).isCompletedExceptionally();
    assertThat(closed).hasValue(1);
    assertThat(ends).containsExactly(CircuitEnd.DURATION_LIMIT);
  }

  @Test
  void onData_receiverNotReading_pausesTheSenderAndResumesWhenItReads() throws Exception {
    CircuitPipe pipe = pipe(0);
    pipe.start();
    stop.b.pauseReading(); // A does not read
    byte[] sent = new byte[2_000];
    for (int i = 0; i < sent.length; i++) {
      sent[i] = (byte) i;
    }
    for (int off = 0; off < sent.length; off += 40) {
      hop.a.write(Unpooled.wrappedBuffer(sent, off, 40)); // B keeps writing
    }

    // The relay forwarded until A's window closed (80 bytes went out within it, 120 did not) and
    // its pending writes reached the bound, then stopped reading B, whose bytes wait unread in the
    // relay's hop stream (so B's window is closed too).
    assertThat(pipe.pauses()).isEqualTo(1);
    assertThat(pipe.pendingBytes()).isBetween((long) MAX_PENDING_BYTES, MAX_PENDING_BYTES + 40L);
    assertThat(stop.b.keptBytes()).isEqualTo(80 + pipe.pendingBytes());
    assertThat(hop.b.keptBytes()).isEqualTo(sent.length - stop.b.keptBytes());
    assertThat(hop.a.isWritable()).isFalse();

    stop.b.resumeReading();
    hop.a.closeWrite();
    stop.b.write(Unpooled.wrappedBuffer(new byte[] {7}));
    stop.b.closeWrite();

    assertThat(atA.done.get()).isEqualTo(sent);
    assertThat(atB.done.get()).containsExactly(7);
    assertThat(pipe.pendingBytes()).isZero();
    assertThat(pipe.peakPendingBytes()).isLessThanOrEqualTo(MAX_PENDING_BYTES + 40L);
    assertThat(pipe.relayedBytes()).containsExactly(sent.length, 1);
    assertThat(ends).containsExactly(CircuitEnd.CLOSED);
  }

  @Test
  void onRemoteClosed_sourceHalfCloses_targetStillSendsUntilItCloses() throws Exception {
    CircuitPipe pipe = pipe(0);
    pipe.start();
    hop.a.write(Unpooled.wrappedBuffer(new byte[] {1}));
    hop.a.closeWrite();

    assertThat(atA.done.get()).containsExactly(1);
    assertThat(closed).hasValue(0);
    stop.b.write(Unpooled.wrappedBuffer(new byte[] {2, 3}));
    stop.b.write(Unpooled.wrappedBuffer(new byte[] {4}));
    assertThat(atB.done).isNotDone();
    stop.b.closeWrite();

    assertThat(atB.done.get()).containsExactly(2, 3, 4);
    assertThat(ends).containsExactly(CircuitEnd.CLOSED);
    assertThat(hop.b.wasReset || stop.a.wasReset).isFalse();
  }

  @Test
  void onReset_targetResetsAfterSourceHalfClosed_resetsTheSource() {
    CircuitPipe pipe = pipe(0);
    pipe.start();
    hop.a.closeWrite();

    stop.b.reset();

    assertThat(hop.b.wasReset).isTrue();
    assertThat(atB.done).isCompletedExceptionally();
    assertThat(ends).containsExactly(CircuitEnd.TARGET_RESET);
    assertThat(pipe.end()).isEqualTo(CircuitEnd.TARGET_RESET);
  }

  @Test
  void onReset_sourceResets_resetsTheTargetAndCountsTheSource() {
    CircuitPipe pipe = pipe(0);
    pipe.start();

    hop.a.reset();

    assertThat(stop.a.wasReset).isTrue();
    assertThat(atA.done).isCompletedExceptionally();
    assertThat(ends).containsExactly(CircuitEnd.SOURCE_RESET);
  }
}
