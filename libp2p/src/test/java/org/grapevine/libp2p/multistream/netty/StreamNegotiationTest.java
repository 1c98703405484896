package org.grapevine.libp2p.multistream.netty;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.grapevine.libp2p.multistream.MultistreamErrorCode;
import org.grapevine.libp2p.multistream.MultistreamException;
import org.grapevine.libp2p.mux.MuxedStream;
import org.grapevine.libp2p.mux.StreamReader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class StreamNegotiationTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  /** Only its event loop is used: a single-threaded executor with a virtual clock. */
  private final EmbeddedChannel loop = new EmbeddedChannel();

  private final List<ByteBuf> written = new ArrayList<>();
  private final PipeStream[] pipe = PipeStream.pair(loop.eventLoop(), written);

  /** The application protocol: collects bytes as text. */
  private static class Collector implements StreamReader {
    final StringBuilder text = new StringBuilder();

    void take(MuxedStream stream, ByteBuf leftover) {
      onData(stream, leftover);
      stream.setReader(this);
    }

    @Override
    public void onData(MuxedStream stream, ByteBuf data) {
      text.append(data.toString(StandardCharsets.UTF_8));
      data.release();
    }

    @Override
    public void onRemoteClosed(MuxedStream stream) {}

    @Override
    public void onReset(MuxedStream stream) {}
  }

  @AfterEach
  void noLeaks() {
    loop.runPendingTasks();
    assertThat(written).allSatisfy(buf -> assertThat(buf.refCnt()).isZero());
    assertThat(loop.finish()).isFalse();
  }

  @Test
  void initiateAndRespond_naThenAccept_bothSidesAgreeAndDataFlows() throws Exception {
    Collector served = new Collector();
    Collector dialed = new Collector();
    CompletableFuture<String> accepted =
        StreamNegotiation.respond(
            pipe[1], Map.of("/echo/1.0.0", (s, p, leftover) -> served.take(s, leftover)), TIMEOUT);
    CompletableFuture<String> chosen =
        StreamNegotiation.initiate(
            pipe[0],
            List.of("/meshsub/1.2.0", "/echo/1.0.0"),
            (s, proto, leftover) -> dialed.take(s, leftover),
            TIMEOUT);
    loop.runPendingTasks();

    assertThat(chosen.get()).isEqualTo("/echo/1.0.0");
    assertThat(accepted.get()).isEqualTo("/echo/1.0.0");
    pipe[0].write(Unpooled.copiedBuffer("hello", StandardCharsets.UTF_8));
    pipe[1].write(Unpooled.copiedBuffer("world", StandardCharsets.UTF_8));
    loop.runPendingTasks();
    assertThat(served.text).hasToString("hello");
    assertThat(dialed.text).hasToString("world");
  }

  @Test
  void respond_lazyInitiatorDataInTheSamePacket_handedToTheHandler() throws Exception {
    Collector served = new Collector();
    CompletableFuture<String> accepted =
        StreamNegotiation.respond(
            pipe[1],
            Map.of("/ipfs/ping/1.0.0", (s, p, leftover) -> served.take(s, leftover)),
            TIMEOUT);
    // A go-style lazy initiator: header, proposal and the first ping payload in one write.
    ByteBuf lazy = Unpooled.buffer();
    lazy.writeBytes(HexFormat.of().parseHex("13"))
        .writeCharSequence("/multistream/1.0.0\n", StandardCharsets.UTF_8);
    lazy.writeByte(0x11).writeCharSequence("/ipfs/ping/1.0.0\nPINGDATA", StandardCharsets.UTF_8);
    pipe[0].write(lazy);
    List<String> answers = new ArrayList<>();
    pipe[0].setReader(
        new Collector() {
          @Override
          public void onData(MuxedStream stream, ByteBuf data) {
            answers.add(ByteBufUtil.hexDump(data));
            data.release();
          }
        });
    loop.runPendingTasks();
    assertThat(accepted.get()).isEqualTo("/ipfs/ping/1.0.0");
    assertThat(served.text).hasToString("PINGDATA");
    assertThat(String.join("", answers))
        .endsWith(HexFormat.of().formatHex("/ipfs/ping/1.0.0\n".getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void initiate_allRefused_failsAndResets() {
    CompletableFuture<String> accepted =
        StreamNegotiation.respond(pipe[1], Map.of("/a", (s, p, l) -> l.release()), TIMEOUT);
    CompletableFuture<String> chosen =
        StreamNegotiation.initiate(pipe[0], List.of("/b"), (s, q, l) -> l.release(), TIMEOUT);
    loop.runPendingTasks();
    assertThat(failure(chosen).code()).isEqualTo(MultistreamErrorCode.ALL_REFUSED);
    assertThat(pipe[0].wasReset).isTrue();
    assertThat(failure(accepted).code()).isEqualTo(MultistreamErrorCode.CLOSED);
  }

  @Test
  void initiate_silentPeer_timesOutAndResets() {
    CompletableFuture<String> chosen =
        StreamNegotiation.initiate(pipe[0], List.of("/a"), (s, q, l) -> l.release(), TIMEOUT);
    pipe[1].setReader(new Collector()); // Reads and ignores: never answers.
    loop.runPendingTasks();
    loop.advanceTimeBy(9, TimeUnit.SECONDS);
    loop.runScheduledPendingTasks();
    assertThat(chosen).isNotDone();
    loop.advanceTimeBy(2, TimeUnit.SECONDS);
    loop.runScheduledPendingTasks();
    assertThat(failure(chosen).code()).isEqualTo(MultistreamErrorCode.TIMEOUT);
    assertThat(pipe[0].wasReset).isTrue();
  }

  @Test
  void respond_peerClosesMidNegotiation_failsClosed() {
    CompletableFuture<String> accepted =
        StreamNegotiation.respond(pipe[1], Map.of("/a", (s, p, l) -> l.release()), TIMEOUT);
    ByteBuf half = Unpooled.wrappedBuffer(HexFormat.of().parseHex("13"));
    pipe[0].write(half);
    pipe[0].closeWrite();
    loop.runPendingTasks();
    assertThat(failure(accepted).code()).isEqualTo(MultistreamErrorCode.CLOSED);
    assertThat(pipe[1].wasReset).isTrue();
  }

  @Test
  void respond_handlerThrows_failsAndResets() {
    CompletableFuture<String> accepted =
        StreamNegotiation.respond(
            pipe[1],
            Map.of(
                "/a",
                (s, p, l) -> {
                  l.release();
                  throw new IllegalStateException("boom");
                }),
            TIMEOUT);
    CompletableFuture<String> chosen =
        StreamNegotiation.initiate(pipe[0], List.of("/a"), (s, q, l) -> l.release(), TIMEOUT);
    loop.runPendingTasks();
    assertThat(failure(accepted).getMessage()).contains("boom");
    assertThat(pipe[1].wasReset).isTrue();
    assertThat(pipe[0].wasReset).isTrue();
    assertThat(chosen)
        .isDone(); // The echo went out before the handler ran, so the dialer saw success, then the
    // reset.
  }

  private static MultistreamException failure(CompletableFuture<String> future) {
    assertThat(future).isCompletedExceptionally();
    try {
      future.get();
      throw new AssertionError("not failed");
    } catch (ExecutionException e) {
      return (MultistreamException) e.getCause();
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
  }
}
