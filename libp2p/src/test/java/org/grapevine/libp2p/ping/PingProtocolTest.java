package org.grapevine.libp2p.ping;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.grapevine.libp2p.mux.MemoryStreamPair;
import org.grapevine.libp2p.mux.MuxedStream;
import org.grapevine.libp2p.mux.StreamReader;
import org.junit.jupiter.api.Test;

class PingProtocolTest {
  private final UnpooledByteBufAllocator alloc = new UnpooledByteBufAllocator(false);

  @Test
  void ping_againstResponder_completesWithClockDifferenceAndCloses() {
    MemoryStreamPair pair = new MemoryStreamPair();
    PingProtocol.respond(pair.b);
    AtomicLong clock = new AtomicLong(1_000);
    // The responder echoes synchronously, so advance the clock on the echo's way back.
    CompletableFuture<Long> rtt =
        PingProtocol.ping(pair.a, alloc, new SplittableRandom(1), () -> clock.getAndAdd(250));
    assertThat(rtt).isCompletedWithValue(250L);
    assertThat(pair.a.writes).containsExactly(32);
    assertThat(pair.b.writes).containsExactly(32);
    assertThat(pair.a.writeClosed).isTrue();
    assertThat(pair.b.writeClosed).isTrue(); // The responder closed after our FIN.
  }

  @Test
  void ping_peerEchoesOtherBytes_failsAndResets() {
    MemoryStreamPair pair = new MemoryStreamPair();
    pair.b.setReader(
        new StreamReader() {
          @Override
          public void onData(MuxedStream s, ByteBuf data) {
            data.setByte(data.readerIndex(), data.getByte(data.readerIndex()) ^ 1);
            s.write(data);
          }

          @Override
          public void onRemoteClosed(MuxedStream s) {}

          @Override
          public void onReset(MuxedStream s) {}
        });
    CompletableFuture<Long> rtt =
        PingProtocol.ping(pair.a, alloc, new SplittableRandom(1), System::nanoTime);
    assertThat(rtt).isCompletedExceptionally();
    assertThat(pair.a.wasReset).isTrue();
  }

  @Test
  void ping_peerClosesWithoutEcho_fails() {
    MemoryStreamPair pair = new MemoryStreamPair();
    pair.b.setReader(
        new StreamReader() {
          @Override
          public void onData(MuxedStream s, ByteBuf data) {
            data.release();
            s.closeWrite();
          }

          @Override
          public void onRemoteClosed(MuxedStream s) {}

          @Override
          public void onReset(MuxedStream s) {}
        });
    assertThat(PingProtocol.ping(pair.a, alloc, new SplittableRandom(1), System::nanoTime))
        .isCompletedExceptionally();
  }
}
