package org.grapevine.libp2p.relay.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.grapevine.libp2p.host.Connection;
import org.grapevine.libp2p.host.Host;
import org.grapevine.libp2p.host.NegotiatedStream;
import org.grapevine.libp2p.host.StreamCollector;
import org.grapevine.libp2p.relay.CircuitEnd;
import org.grapevine.libp2p.relay.HopConfig;
import org.grapevine.libp2p.relay.HopMessage;
import org.grapevine.libp2p.relay.RelayCodec;
import org.grapevine.libp2p.relay.RelayLimit;
import org.grapevine.libp2p.relay.RelayPeer;
import org.grapevine.libp2p.relay.RelayStatus;
import org.grapevine.libp2p.relay.StopMessage;
import org.grapevine.libp2p.testing.LoopbackHosts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The relay's pipe between real hosts on 127.0.0.1, driven with raw circuit streams so that each
 * end controls its own reading and closing: A sends hop CONNECT to relay R, B (reserved on R)
 * answers R's stop CONNECT itself. What the circuit carries is opaque bytes here; RelayIT runs a
 * whole connection through it. Waits are failure guards, not timing assertions.
 */
@Timeout(90)
class CircuitFlowIT {
  private static final SecureRandom RANDOM = new SecureRandom();

  /** Our hosts send Yamux Data frames of at most one Noise message (64 KiB less overheads). */
  private static final int MAX_FRAME_BYTES = 64 << 10;

  @RegisterExtension final LoopbackHosts hosts = new LoopbackHosts();

  private Host host() throws Exception {
    return hosts.start();
  }

  /** B's end of a circuit: the stop stream, answered OK, read by {@link #received}. */
  private record Target(RelayStream stream, StreamCollector received) {}

  /**
   * Reserves a slot for {@code b} on {@code r} with a raw RESERVE and answers the next stop CONNECT
   * itself; with {@code paused} it does not read the circuit until told to.
   */
  private static CompletableFuture<Target> target(Host b, Host r, boolean paused) throws Exception {
    CompletableFuture<Target> target = new CompletableFuture<>();
    b.setProtocolHandler(
        RelayProtocols.STOP,
        (stream, conn) -> {
          RelayStream rs = new RelayStream(stream);
          rs.readMessage(RelayProtocols.STREAM_TIMEOUT)
              .thenAccept(
                  body -> {
                    if (paused) {
                      rs.pauseReading(); // before the OK: nothing of the circuit is read
                    }
                    StreamCollector received = new StreamCollector();
                    rs.setReader(received);
                    rs.send(RelayCodec.encode(StopMessage.status(RelayStatus.OK)));
                    target.complete(new Target(rs, received));
                  })
              .exceptionally(
                  e -> {
                    target.completeExceptionally(e);
                    return null;
                  });
        });
    Connection toRelay =
        b.dial(r.listenAddrs().get(0).withPeerId(r.peerId())).get(10, TimeUnit.SECONDS);
    NegotiatedStream ns =
        b.newStream(toRelay, List.of(RelayProtocols.HOP)).get(10, TimeUnit.SECONDS);
    RelayStream rs = new RelayStream(ns.stream());
    rs.send(RelayCodec.encode(HopMessage.reserve()));
    HopMessage answer = RelayCodec.decodeHop(rs.readMessage(RelayProtocols.STREAM_TIMEOUT).get());
    assertThat(answer.status()).contains(RelayStatus.OK);
    return target;
  }

  /** A's end: a hop stream after CONNECT to {@code b} was answered OK, read into the collector. */
  private static RelayStream connect(Host a, Host r, Host b, StreamCollector received)
      throws Exception {
    NegotiatedStream ns =
        a.newStream(r.listenAddrs().get(0).withPeerId(r.peerId()), List.of(RelayProtocols.HOP))
            .get(10, TimeUnit.SECONDS);
    RelayStream rs = new RelayStream(ns.stream());
    rs.send(RelayCodec.encode(HopMessage.connect(RelayPeer.of(b.peerId()))));
    HopMessage answer = RelayCodec.decodeHop(rs.readMessage(RelayProtocols.STREAM_TIMEOUT).get());
    assertThat(answer.status()).contains(RelayStatus.OK);
    rs.setReader(received);
    return rs;
  }

  private static void write(RelayStream s, byte[] bytes) {
    for (int off = 0; off < bytes.length; off += 16_384) {
      s.write(Unpooled.wrappedBuffer(bytes, off, Math.min(16_384, bytes.length - off)));
    }
  }

  private static <T> T onLoop(HopServer hop, Callable<T> task) throws Exception {
    return hop.executor().submit(task).get(10, TimeUnit.SECONDS);
  }

  /** Waits for {@code condition} (checked on the relay's loop); fails after a generous guard. */
  private static void await(HopServer hop, Callable<Boolean> condition) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!onLoop(hop, condition)) {
      if (System.nanoTime() > deadline) {
        fail("condition not reached within the guard");
      }
      Thread.sleep(10);
    }
  }

  @Test
  void circuit_receiverDoesNotRead_relayPausesTheSenderAndHoldsNoMoreThanItsBound()
      throws Exception {
    Host r = host();
    Host a = host();
    Host b = host();
    HopServer hop =
        HopServer.start(
            r, HopConfig.DEFAULT.withCircuitLimit(new RelayLimit(120, 64 << 20)), r::listenAddrs);
    hosts.closeAfter(hop);
    CompletableFuture<Target> atB = target(b, r, true);
    StreamCollector atA = new StreamCollector();
    RelayStream fromA = connect(a, r, b, atA);
    Target t = atB.get(10, TimeUnit.SECONDS);
    // 8 MiB: 32 times the relay's bound, and far past B's receive window (1 MiB), so the relay
    // must stop reading A for A's bytes to stay out of its memory.
    byte[] payload = new byte[8 << 20];
    RANDOM.nextBytes(payload);

    write(fromA, payload);
    fromA.closeWrite();
    await(hop, () -> hop.readPauses() > 0);
    long pendingWhilePaused = onLoop(hop, hop::pendingBytes);
    t.stream().resumeReading();

    assertThat(t.received().done.get(60, TimeUnit.SECONDS)).isEqualTo(payload);
    t.stream().write(Unpooled.wrappedBuffer(new byte[] {42}));
    t.stream().closeWrite();
    assertThat(atA.done.get(10, TimeUnit.SECONDS)).containsExactly(42);
    await(hop, () -> hop.service().ended(CircuitEnd.CLOSED) == 1);
    long bound = CircuitPipe.DEFAULT_MAX_PENDING_BYTES + MAX_FRAME_BYTES;
    assertThat(pendingWhilePaused).isLessThanOrEqualTo(bound);
    assertThat(onLoop(hop, hop::peakPendingBytes))
        .isGreaterThanOrEqualTo(CircuitPipe.DEFAULT_MAX_PENDING_BYTES)
        .isLessThanOrEqualTo(bound);
    assertThat(onLoop(hop, hop::pendingBytes)).isZero();
    // The data limit counts exactly what passed: every byte, once.
    assertThat(hop.relayedBytes()).isEqualTo(payload.length + 1L);
    System.out.printf(
        "relay back-pressure: 8 MiB through a reader that paused; relay pending at most %d bytes"
            + " (bound %d), %d pauses%n",
        onLoop(hop, hop::peakPendingBytes), bound, onLoop(hop, hop::readPauses));
  }

  @Test
  void circuit_sourceClosesWrite_stillReceivesTheTargetsDataUntilItCloses() throws Exception {
    Host r = host();
    Host a = host();
    Host b = host();
    HopServer hop = HopServer.start(r, HopConfig.DEFAULT, r::listenAddrs);
    hosts.closeAfter(hop);
    CompletableFuture<Target> atB = target(b, r, false);
    StreamCollector atA = new StreamCollector();
    RelayStream fromA = connect(a, r, b, atA);
    Target t = atB.get(10, TimeUnit.SECONDS);

    fromA.write(Unpooled.wrappedBuffer("request".getBytes(StandardCharsets.UTF_8)));
    fromA.closeWrite();

    // B sees A's FIN through the relay, and only then answers.
    assertThat(new String(t.received().done.get(10, TimeUnit.SECONDS), StandardCharsets.UTF_8))
        .isEqualTo("request");
    assertThat(atA.done).isNotDone();
    byte[] reply = new byte[100_000];
    RANDOM.nextBytes(reply);
    write(t.stream(), reply);
    t.stream().closeWrite();
    assertThat(atA.done.get(10, TimeUnit.SECONDS)).isEqualTo(reply);
    await(hop, () -> hop.service().ended(CircuitEnd.CLOSED) == 1);
    assertThat(onLoop(hop, () -> hop.service().ended(CircuitEnd.SOURCE_RESET))).isZero();
    assertThat(onLoop(hop, () -> hop.service().ended(CircuitEnd.TARGET_RESET))).isZero();
    assertThat(hop.relayedBytes()).isEqualTo("request".length() + reply.length);
  }

  @Test
  void circuit_sourceResets_relayResetsTheTargetAndCountsWhy() throws Exception {
    Host r = host();
    Host a = host();
    Host b = host();
    HopServer hop = HopServer.start(r, HopConfig.DEFAULT, r::listenAddrs);
    hosts.closeAfter(hop);
    CompletableFuture<Target> atB = target(b, r, false);
    StreamCollector atA = new StreamCollector();
    RelayStream fromA = connect(a, r, b, atA);
    Target t = atB.get(10, TimeUnit.SECONDS);
    fromA.write(Unpooled.wrappedBuffer(new byte[] {1, 2, 3}));
    t.stream().closeWrite(); // B half-closes first: the reset must still reach it
    assertThat(atA.done.get(10, TimeUnit.SECONDS)).isEmpty();

    fromA.reset();

    assertThat(t.received().done)
        .failsWithin(10, TimeUnit.SECONDS)
        .withThrowableOfType(java.util.concurrent.ExecutionException.class)
        .withMessageContaining("reset");
    await(hop, () -> hop.service().ended(CircuitEnd.SOURCE_RESET) == 1);
    assertThat(onLoop(hop, () -> hop.service().ended(CircuitEnd.CLOSED))).isZero();
    assertThat(onLoop(hop, () -> hop.service().circuitCount())).isZero();
  }
}
