package org.grapevine.libp2p.yamux;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

/**
 * Feeds peer bytes to a session in random splits: nothing may throw, reassembly stays within one
 * frame, and every buffer is released in the end. Random bytes mostly die at the version check, so
 * a second property builds well-formed headers with hostile fields to reach the stream logic.
 */
class YamuxSessionFuzzTest {
  private static final YamuxConfig CONFIG =
      YamuxConfig.builder().maxInboundStreams(4).ackBacklog(4).build();
  private static final int BOUND = YamuxFrameCodec.HEADER_BYTES + CONFIG.receiveWindowBytes();

  @Property(tries = 1000, seed = "7")
  void handleInbound_randomBytes_neverThrowsAndStaysBounded(
      @ForAll @Size(max = 2048) byte[] bytes, @ForAll long splitSeed) {
    run(bytes, splitSeed, false);
  }

  @Property(tries = 2000, seed = "11")
  void handleInbound_randomFrames_neverThrowsAndStaysBounded(
      @ForAll("frames") List<byte[]> frames, @ForAll long splitSeed, @ForAll boolean client) {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    frames.forEach(all::writeBytes);
    run(all.toByteArray(), splitSeed, client);
  }

  @Provide
  Arbitrary<List<byte[]>> frames() {
    Arbitrary<Integer> type = Arbitraries.integers().between(0, 4);
    Arbitrary<Integer> flags = Arbitraries.integers().between(0, 15);
    Arbitrary<Integer> streamId = Arbitraries.integers().between(0, 9);
    Arbitrary<Long> length =
        Arbitraries.oneOf(
            Arbitraries.longs().between(0, 300),
            Arbitraries.longs().between(0, 0xffffffffL),
            Arbitraries.of(0L, 262_143L, 262_144L, 262_145L));
    Arbitrary<Integer> bodyLength = Arbitraries.integers().between(0, 300);
    Arbitrary<byte[]> frame =
        Combinators.combine(type, flags, streamId, length, bodyLength)
            .as(
                (t, f, id, len, body) -> {
                  // Data frames mostly carry a body matching their length, sometimes a lying one.
                  long declared = t == 0 && len > 300 && body % 2 == 0 ? body : len;
                  return YamuxSessionTest.frame(
                      YamuxType.fromCode(Math.min(t, 3)),
                      f,
                      id,
                      declared,
                      new byte[t == 0 ? (int) Math.min(declared, body) : 0]);
                });
    return frame.list().ofMaxSize(40);
  }

  private static void run(byte[] bytes, long splitSeed, boolean client) {
    UnpooledByteBufAllocator alloc = new UnpooledByteBufAllocator(false);
    YamuxSession session = new YamuxSession(CONFIG, client, alloc, 0);
    long outbound = session.openStream();
    session.write(outbound, alloc.buffer().writeBytes(new byte[100]));
    Random random = new Random(splitSeed);
    int at = 0;
    long now = 0;
    while (at < bytes.length) {
      int n = Math.min(bytes.length - at, 1 + random.nextInt(64));
      session.handleInbound(alloc.buffer(n).writeBytes(bytes, at, n), now += 1000);
      at += n;
      assertThat(session.bufferedInboundBytes()).isLessThanOrEqualTo(BOUND);
      drain(session);
      if (random.nextInt(8) == 0 && session.isWritable(outbound)) {
        session.write(outbound, alloc.buffer().writeBytes(new byte[random.nextInt(1000)]));
      }
    }
    session.handleTransportClosed();
    drain(session);
    assertThat(alloc.metric().usedHeapMemory()).isZero();
  }

  private static void drain(YamuxSession session) {
    ByteBuf out;
    while ((out = session.pollOutbound()) != null) {
      out.release();
    }
    for (Optional<YamuxEvent> e = session.pollEvent(); e.isPresent(); e = session.pollEvent()) {
      if (e.get() instanceof YamuxEvent.StreamData d) {
        int n = d.data().readableBytes();
        d.data().release();
        session.consumed(d.streamId(), n);
      }
    }
  }
}
