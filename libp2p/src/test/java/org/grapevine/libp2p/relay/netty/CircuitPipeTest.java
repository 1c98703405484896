package org.grapevine.libp2p.relay.netty;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import java.util.concurrent.atomic.AtomicInteger;
import org.grapevine.libp2p.host.StreamCollector;
import org.grapevine.libp2p.mux.MemoryStreamPair;
import org.grapevine.libp2p.relay.RelayLimit;
import org.junit.jupiter.api.Test;

/**
 * The relay's pipe between two in-memory streams: B's end of the hop stream and A's end of the stop
 * stream, with the relay's RelayStreams in the middle.
 */
class CircuitPipeTest {
  private final MemoryStreamPair hop = new MemoryStreamPair(); // a: B, b: relay
  private final MemoryStreamPair stop = new MemoryStreamPair(); // a: relay, b: A
  private final StreamCollector atA = new StreamCollector();
  private final StreamCollector atB = new StreamCollector();
  private final AtomicInteger closed = new AtomicInteger();

  private CircuitPipe pipe(long dataBytes) {
    RelayStream source = new RelayStream(hop.b);
    RelayStream target = new RelayStream(stop.a);
    stop.b.setReader(atA);
    hop.a.setReader(atB);
    return new CircuitPipe(source, target, new RelayLimit(0, dataBytes), closed::incrementAndGet);
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

    pipe.cut();
    pipe.cut();

    assertThat(hop.b.wasReset).isTrue();
    assertThat(stop.a.wasReset).isTrue();
    assertThat(atB.done).isCompletedExceptionally();
    assertThat(closed).hasValue(1);
  }
}
