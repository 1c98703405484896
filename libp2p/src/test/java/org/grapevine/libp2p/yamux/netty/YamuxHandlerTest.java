package org.grapevine.libp2p.yamux.netty;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.grapevine.libp2p.mux.MuxedStream;
import org.grapevine.libp2p.mux.StreamReader;
import org.grapevine.libp2p.yamux.YamuxConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Two handlers on EmbeddedChannels, linked by moving each side's outbound buffers to the other. */
class YamuxHandlerTest {
  private static final YamuxConfig CONFIG = YamuxConfig.builder().keepaliveIntervalNanos(0).build();

  /** Counts live heap bytes: every buffer either side allocates must be released by the end. */
  private final UnpooledByteBufAllocator alloc = new UnpooledByteBufAllocator(false);

  private final YamuxHandler clientMux = YamuxHandler.client(CONFIG);
  private final YamuxHandler serverMux = YamuxHandler.server(CONFIG);
  private final EmbeddedChannel client = channel(clientMux);
  private final EmbeddedChannel server = channel(serverMux);
  private final List<ByteBuf> sent = new ArrayList<>();

  private EmbeddedChannel channel(YamuxHandler handler) {
    EmbeddedChannel ch = new EmbeddedChannel();
    ch.config().setAllocator(alloc);
    ch.pipeline().addLast(handler);
    return ch;
  }

  @AfterEach
  void closeAndCheckLeaks() {
    pump();
    client.close().syncUninterruptibly();
    server.close().syncUninterruptibly();
    pump();
    assertThat(client.finish()).isFalse();
    assertThat(server.finish()).isFalse();
    assertThat(sent).allSatisfy(b -> assertThat(b.refCnt()).isZero());
    assertThat(alloc.metric().usedHeapMemory()).as("heap bytes still allocated").isZero();
  }

  /** Moves bytes both ways until neither side has anything to send. */
  private void pump() {
    boolean moved = true;
    while (moved) {
      boolean first = move(client, server); // both directions move, whatever the first returned
      moved = move(server, client) || first;
    }
  }

  private static boolean move(EmbeddedChannel from, EmbeddedChannel to) {
    boolean moved = false;
    ByteBuf b;
    while ((b = from.readOutbound()) != null) {
      moved = true;
      if (to.isOpen()) {
        to.writeInbound(b);
      } else {
        b.release();
      }
    }
    return moved;
  }

  private ByteBuf bytes(byte[] data) {
    ByteBuf b = alloc.buffer(data.length).writeBytes(data);
    sent.add(b);
    return b;
  }

  /** Collects a stream's data and state changes; releases what it is given. */
  private static final class Collector implements StreamReader {
    final ByteArrayOutputStream data = new ByteArrayOutputStream();
    boolean remoteClosed;
    boolean reset;

    @Override
    public void onData(MuxedStream stream, ByteBuf buf) {
      data.writeBytes(ByteBufUtil.getBytes(buf));
      buf.release();
    }

    @Override
    public void onRemoteClosed(MuxedStream stream) {
      remoteClosed = true;
    }

    @Override
    public void onReset(MuxedStream stream) {
      reset = true;
    }
  }

  /** Echoes every byte back on the same stream (passing the received buffer on) and mirrors FIN. */
  private static final class Echo implements StreamReader {
    @Override
    public void onData(MuxedStream stream, ByteBuf buf) {
      stream.write(buf);
    }

    @Override
    public void onRemoteClosed(MuxedStream stream) {
      stream.closeWrite();
    }

    @Override
    public void onReset(MuxedStream stream) {}
  }

  @Test
  void openStream_echoThroughServer_returnsBytesAndClosesBothWays() {
    serverMux.setInboundHandler(s -> s.setReader(new Echo()));
    MuxedStream stream = clientMux.openStream();
    Collector got = new Collector();
    stream.setReader(got);
    stream.write(bytes("hello yamux".getBytes(UTF_8)));
    stream.closeWrite();
    pump();
    assertThat(got.data.toString(UTF_8)).isEqualTo("hello yamux");
    assertThat(got.remoteClosed).isTrue();
    assertThat(got.reset).isFalse();
    assertThat(stream.id()).isEqualTo(1);
    assertThat(stream.outbound()).isTrue();
    assertThat(clientMux.openStreams()).isZero();
    assertThat(serverMux.openStreams()).isZero();
  }

  @Test
  void severalStreams_eachBeyondTheWindow_echoIndependentlyAndInOrder() {
    serverMux.setInboundHandler(s -> s.setReader(new Echo()));
    Random random = new Random(5);
    List<byte[]> payloads = new ArrayList<>();
    List<Collector> collectors = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      byte[] p = new byte[300_000 + i * 1000];
      random.nextBytes(p);
      payloads.add(p);
      MuxedStream s = clientMux.openStream();
      Collector c = new Collector();
      collectors.add(c);
      s.setReader(c);
      s.write(bytes(p));
      s.closeWrite();
    }
    assertThat(clientMux.openStreams()).isEqualTo(6);
    pump();
    for (int i = 0; i < payloads.size(); i++) {
      assertThat(collectors.get(i).data.toByteArray()).isEqualTo(payloads.get(i));
      assertThat(collectors.get(i).remoteClosed).isTrue();
    }
  }

  @Test
  void inboundStreams_beforeHandlerIsSet_waitWithTheirData() {
    MuxedStream stream = clientMux.openStream();
    stream.write(bytes("queued".getBytes(UTF_8)));
    stream.closeWrite();
    pump();
    List<MuxedStream> accepted = new ArrayList<>();
    Collector got = new Collector();
    serverMux.setInboundHandler(
        s -> {
          accepted.add(s);
          s.setReader(got);
        });
    assertThat(accepted).singleElement().satisfies(s -> assertThat(s.outbound()).isFalse());
    assertThat(got.data.toString(UTF_8)).isEqualTo("queued");
    assertThat(got.remoteClosed).isTrue();
  }

  @Test
  void reset_byClient_resetsServerReader() {
    Collector serverSide = new Collector();
    serverMux.setInboundHandler(s -> s.setReader(serverSide));
    MuxedStream stream = clientMux.openStream();
    Collector clientSide = new Collector();
    stream.setReader(clientSide);
    stream.write(bytes("x".getBytes(UTF_8)));
    pump();
    stream.reset();
    pump();
    assertThat(clientSide.reset).isTrue();
    assertThat(serverSide.reset).isTrue();
    assertThat(stream.isWritable()).isFalse();
    stream.write(bytes("after reset".getBytes(UTF_8))); // released, not sent
  }

  @Test
  void close_withNoStreams_sendsGoAwayAndBothChannelsClose() {
    clientMux.close();
    ByteBuf goAway = client.readOutbound();
    assertThat(ByteBufUtil.hexDump(goAway)).isEqualTo("000300000000000000000000");
    server.writeInbound(goAway);
    assertThat(client.isOpen()).isFalse();
    assertThat(server.isOpen()).isFalse(); // the peer's GoAway left it nothing to do
    assertThatThrownBy(clientMux::openStream).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void channelClosed_openStreamsAreReset() {
    serverMux.setInboundHandler(s -> s.setReader(new Collector()));
    MuxedStream stream = clientMux.openStream();
    Collector got = new Collector();
    stream.setReader(got);
    pump();
    client.close().syncUninterruptibly();
    assertThat(got.reset).isTrue();
  }

  @Test
  void keepalive_dueTimer_writesPingSyn() {
    // 1 ns: due as soon as the event loop runs its scheduled tasks, with no waiting in the test.
    YamuxConfig eager = YamuxConfig.builder().keepaliveIntervalNanos(1).build();
    EmbeddedChannel ch = channel(YamuxHandler.client(eager));
    assertThat(ch.<Object>readOutbound()).isNull();
    ch.runPendingTasks();
    ByteBuf ping = ch.readOutbound();
    assertThat(ByteBufUtil.hexDump(ping)).startsWith("0002000100000000");
    ping.release();
    ch.close().syncUninterruptibly();
    ch.releaseOutbound();
    assertThat(ch.finish()).isFalse();
  }

  @Test
  void peerBreaksProtocol_goAwayIsWrittenAndChannelClosed() {
    server.writeInbound(bytes(HexFormat.of().parseHex("010000000000000100000000")));
    ByteBuf goAway = server.readOutbound();
    assertThat(ByteBufUtil.hexDump(goAway)).isEqualTo("000300000000000000000001");
    goAway.release();
    assertThat(server.isOpen()).isFalse();
  }
}
