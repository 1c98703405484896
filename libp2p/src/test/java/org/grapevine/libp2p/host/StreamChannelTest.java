package org.grapevine.libp2p.host;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.DefaultEventLoop;
import io.netty.channel.EventLoop;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.util.concurrent.EventExecutor;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.grapevine.libp2p.mux.ForwardingMuxedStream;
import org.grapevine.libp2p.mux.MemoryStreamPair;
import org.grapevine.libp2p.mux.MuxedStream;
import org.grapevine.libp2p.mux.StreamReader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A {@link StreamChannel} over one end of an in-memory stream pair with a 100-byte window, on a
 * real event loop (every step runs on it, so the pair's synchronous delivery is the loop's order).
 */
class StreamChannelTest {
  private final EventLoop loop = new DefaultEventLoop();
  private final MemoryStreamPair pair = new MemoryStreamPair(100); // a: the channel's, b: the peer
  private final StreamCollector atPeer = new StreamCollector();
  private final List<Integer> reads = new ArrayList<>();
  private StreamChannel ch;

  @AfterEach
  void stop() throws Exception {
    loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
  }

  /** The pair's end, reporting the loop as its executor (StreamChannel registers only there). */
  private final class OnLoop extends ForwardingMuxedStream {
    OnLoop(MuxedStream delegate) {
      super(delegate);
    }

    @Override
    public void setReader(StreamReader reader) {
      delegate.setReader(reader);
    }

    @Override
    public EventExecutor executor() {
      return loop;
    }
  }

  private <T> T on(Callable<T> task) throws Exception {
    return loop.submit(task).get(10, TimeUnit.SECONDS);
  }

  private void start(boolean autoRead) throws Exception {
    on(
        () -> {
          ch = new StreamChannel(new OnLoop(pair.a));
          ch.config().setAutoRead(autoRead);
          ch.config().setWriteBufferWaterMark(new WriteBufferWaterMark(50, 100));
          assertThat(loop.register(ch).isSuccess()).isTrue(); // on the loop: done at once
          ch.pipeline()
              .addLast(
                  new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                      reads.add(((ByteBuf) msg).readableBytes());
                      ((ByteBuf) msg).release();
                    }
                  });
          ch.activate();
          pair.b.setReader(atPeer);
          return null;
        });
  }

  @Test
  void write_peerNotReading_keepsTheRestInTheChannelUntilTheStreamDrains() throws Exception {
    start(true);
    byte[] sent = new byte[400];
    for (int i = 0; i < sent.length; i++) {
      sent[i] = (byte) i;
    }
    on(
        () -> {
          pair.b.pauseReading();
          for (int off = 0; off < sent.length; off += 40) {
            assertThat(ch.writeAndFlush(Unpooled.wrappedBuffer(sent, off, 40)).isDone())
                .isEqualTo(off < 120); // the rest completes once it reaches the stream
          }
          return null;
        });

    // Three writes fill the peer's window (120 >= 100); the other seven wait in the channel,
    // which the water marks turn unwritable.
    assertThat(on(() -> pair.a.writes)).hasSize(3);
    assertThat(on(() -> ch.unsafe().outboundBuffer().size())).isEqualTo(7);
    assertThat(on(ch::isWritable)).isFalse();

    on(
        () -> {
          pair.b.resumeReading();
          pair.a.closeWrite();
          return null;
        });

    assertThat(atPeer.done.get(10, TimeUnit.SECONDS)).isEqualTo(sent);
    assertThat(on(() -> pair.a.writes)).hasSize(10);
  }

  @Test
  void read_autoReadOff_readsOneDeliveryPerRead() throws Exception {
    start(false);
    on(
        () -> {
          pair.b.write(Unpooled.wrappedBuffer(new byte[10]));
          pair.b.write(Unpooled.wrappedBuffer(new byte[20]));
          return null;
        });

    assertThat(on(() -> List.copyOf(reads))).isEmpty();
    assertThat(on(pair.a::keptBytes)).isEqualTo(30);

    on(ch::read);
    assertThat(on(() -> List.copyOf(reads))).containsExactly(10);
    assertThat(on(pair.a::keptBytes)).isEqualTo(20);

    on(
        () -> {
          ch.config().setAutoRead(true); // reads, and goes on reading
          pair.b.write(Unpooled.wrappedBuffer(new byte[30]));
          return null;
        });
    assertThat(on(() -> List.copyOf(reads))).containsExactly(10, 20, 30);
    assertThat(on(pair.a::keptBytes)).isZero();
  }
}
