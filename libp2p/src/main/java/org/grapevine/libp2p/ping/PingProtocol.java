package org.grapevine.libp2p.ping;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;
import java.util.random.RandomGenerator;
import org.grapevine.libp2p.FrameError;
import org.grapevine.libp2p.MalformedFrameException;
import org.grapevine.libp2p.mux.MuxedStream;
import org.grapevine.libp2p.mux.StreamReader;

/**
 * {@code /ipfs/ping/1.0.0} (libp2p/specs ping/ping.md): the dialer writes 32 random bytes, the
 * listener echoes them. Answering matters: js-libp2p's connection monitor pings every 10 s and
 * drops connections whose pings fail.
 */
public final class PingProtocol {
  public static final String ID = "/ipfs/ping/1.0.0";
  public static final int PAYLOAD_BYTES = 32;

  private PingProtocol() {}

  /** Echoes whatever arrives, in order, until the peer closes; then closes our side. */
  public static void respond(MuxedStream stream) {
    org.grapevine.libp2p.echo.EchoProtocol.respond(stream);
  }

  /**
   * One ping on a fresh stream: writes 32 random bytes and completes with the round-trip time in
   * nanoseconds once the same 32 bytes came back, then closes the stream. A different echo fails.
   *
   * @param nanoClock the clock the RTT is measured with (System::nanoTime in production)
   */
  public static CompletableFuture<Long> ping(
      MuxedStream stream, ByteBufAllocator alloc, RandomGenerator random, LongSupplier nanoClock) {
    byte[] payload = new byte[PAYLOAD_BYTES];
    random.nextBytes(payload);
    CompletableFuture<Long> rtt = new CompletableFuture<>();
    ByteBuf received = alloc.buffer(PAYLOAD_BYTES);
    long[] sentAt = new long[1];
    stream.setReader(
        new StreamReader() {
          @Override
          public void onData(MuxedStream s, ByteBuf data) {
            try {
              if (rtt.isDone()) {
                return;
              }
              int take = Math.min(data.readableBytes(), PAYLOAD_BYTES - received.readableBytes());
              received.writeBytes(data, take);
              if (data.isReadable()) {
                fail(s, FrameError.PROTOCOL_VIOLATION, "ping peer sent more than 32 bytes");
              } else if (received.readableBytes() == PAYLOAD_BYTES) {
                boolean same =
                    ByteBufUtil.equals(received, io.netty.buffer.Unpooled.wrappedBuffer(payload));
                if (same) {
                  long now = nanoClock.getAsLong();
                  releaseReceived();
                  rtt.complete(now - sentAt[0]);
                  s.closeWrite();
                } else {
                  fail(s, FrameError.PROTOCOL_VIOLATION, "ping peer echoed different bytes");
                }
              }
            } finally {
              data.release();
            }
          }

          @Override
          public void onRemoteClosed(MuxedStream s) {
            fail(s, FrameError.TRUNCATED, "ping peer closed the stream before echoing");
          }

          @Override
          public void onReset(MuxedStream s) {
            releaseReceived();
            rtt.completeExceptionally(
                new MalformedFrameException(FrameError.RESET, "ping stream reset"));
          }

          private void fail(MuxedStream s, FrameError code, String why) {
            releaseReceived();
            rtt.completeExceptionally(new MalformedFrameException(code, why));
            s.reset();
          }

          private void releaseReceived() {
            if (received.refCnt() > 0) {
              received.release();
            }
          }
        });
    sentAt[0] = nanoClock.getAsLong();
    stream.write(alloc.buffer(PAYLOAD_BYTES).writeBytes(payload));
    return rtt;
  }
}
