package org.grapevine.simulations.real;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.grapevine.libp2p.crypto.PrivKey;
import org.grapevine.libp2p.echo.EchoProtocol;
import org.grapevine.libp2p.host.Connection;
import org.grapevine.libp2p.host.Host;
import org.grapevine.libp2p.host.HostConfig;
import org.grapevine.libp2p.host.NegotiatedStream;
import org.grapevine.libp2p.mux.MuxedStream;
import org.grapevine.libp2p.mux.StreamReader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Two real hosts on loopback, the dialler's channel delayed by {@link LatencyHandler} through the
 * host's hook.
 */
@Timeout(60)
class LatencyHandlerIT {
  private static final long ONE_WAY_NANOS = 40_000_000L;
  private final List<Host> hosts = new ArrayList<>();
  private final LongAdder in = new LongAdder();
  private final LongAdder out = new LongAdder();

  @AfterEach
  void close() {
    hosts.forEach(Host::close);
  }

  private Host host(long latencyNanos, long jitterNanos) throws Exception {
    Host h =
        new Host(
            HostConfig.builder(PrivKey.generate(new SecureRandom()))
                .listen("/ip4/127.0.0.1/tcp/0")
                .inboundRate(1000, 1000)
                .channelHook(
                    (channel, direction, remote) ->
                        channel
                            .pipeline()
                            .addLast(
                                new LatencyHandler(
                                    direction == Connection.Direction.OUTBOUND ? latencyNanos : 0,
                                    jitterNanos,
                                    new SplittableRandom(7),
                                    in,
                                    out)))
                .build());
    hosts.add(h);
    h.start();
    h.setProtocolHandler(EchoProtocol.ID, (stream, conn) -> EchoProtocol.respond(stream));
    return h;
  }

  @Test
  void ping_throughDelayedChannel_roundTripAtLeastTwiceTheOneWayLatency() throws Exception {
    Host a = host(0, 0);
    Host b = host(ONE_WAY_NANOS, 0);
    Connection c = b.dial(a.listenAddrs().get(0).withPeerId(a.peerId())).get(30, TimeUnit.SECONDS);

    long rtt = b.ping(c).get(30, TimeUnit.SECONDS);

    assertThat(rtt).isGreaterThanOrEqualTo(2 * ONE_WAY_NANOS);
    assertThat(in.sum()).isPositive();
    assertThat(out.sum()).isPositive();
  }

  @Test
  void echo_withJitter_everyByteBackInOrder() throws Exception {
    Host a = host(0, 0);
    Host b = host(5_000_000L, 20_000_000L);
    NegotiatedStream ns =
        b.newStream(a.listenAddrs().get(0).withPeerId(a.peerId()), List.of(EchoProtocol.ID))
            .get(30, TimeUnit.SECONDS);
    Collector collector = new Collector();
    ns.stream().setReader(collector);
    byte[] payload = new byte[300_000];
    new java.util.Random(1).nextBytes(payload);
    for (int off = 0;
        off < payload.length;
        off += 1000) { // Many small writes, each held a random time.
      ns.stream().write(Unpooled.wrappedBuffer(payload, off, Math.min(1000, payload.length - off)));
    }
    ns.stream().closeWrite();

    assertThat(collector.done.get(30, TimeUnit.SECONDS)).isEqualTo(payload);
  }

  private static final class Collector implements StreamReader {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    final CompletableFuture<byte[]> done = new CompletableFuture<>();

    @Override
    public void onData(MuxedStream stream, ByteBuf data) {
      byte[] b = new byte[data.readableBytes()];
      data.readBytes(b);
      data.release();
      bytes.write(b, 0, b.length);
    }

    @Override
    public void onRemoteClosed(MuxedStream stream) {
      done.complete(bytes.toByteArray());
    }

    @Override
    public void onReset(MuxedStream stream) {
      done.completeExceptionally(
          new IllegalStateException("reset after " + bytes.size() + " bytes"));
    }
  }
}
