package org.grapevine.libp2p.kad.netty;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.concurrent.EventExecutor;
import java.io.ByteArrayOutputStream;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.grapevine.libp2p.MalformedFrameException;
import org.grapevine.libp2p.crypto.PrivKey;
import org.grapevine.libp2p.kad.KadCodec;
import org.grapevine.libp2p.kad.KadMessage;
import org.grapevine.libp2p.kad.KadMessageType;
import org.grapevine.libp2p.mux.MuxedStream;
import org.grapevine.libp2p.mux.StreamReader;
import org.grapevine.libp2p.peer.PeerId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link KadInboundStream} without sockets: an {@link EmbeddedChannel}'s event loop (virtual time
 * for the idle timer) and a stream that records what is written. Every buffer handed in is checked
 * released.
 */
class KadInboundStreamTest {
  private static final KadCodec CODEC = new KadCodec();
  private static final SecureRandom RANDOM = new SecureRandom();
  private final EmbeddedChannel channel = new EmbeddedChannel();
  private final FakeStream stream = new FakeStream(channel.eventLoop());
  private final PeerId self = PeerId.fromPubKey(PrivKey.generate(RANDOM).publicKey());
  private final PeerId peer = PeerId.fromPubKey(PrivKey.generate(RANDOM).publicKey());
  private final KadTestServer dht = new KadTestServer(self);
  private final List<ByteBuf> fed = new ArrayList<>();
  private final List<Runnable> parked = new ArrayList<>();
  private KadInboundHandler owner;
  private KadInboundStream reader;
  private int ended;

  @AfterEach
  void noLeaks() {
    assertThat(fed).allSatisfy(b -> assertThat(b.refCnt()).isZero());
    assertThat(channel.finish()).isFalse();
  }

  private void open(KadStreamConfig config, KadRequestHandler handler, boolean parkHandler) {
    owner =
        new KadInboundHandler(
            config, handler, parkHandler ? parked::add : null, UnpooledByteBufAllocator.DEFAULT);
    reader = new KadInboundStream(owner, stream, peer, () -> ended++);
    reader.start();
  }

  private void feed(ByteBuf data) {
    fed.add(data);
    reader.onData(stream, data);
    channel.runPendingTasks();
  }

  private static ByteBuf frames(KadMessage... messages) {
    ByteBuf out = Unpooled.buffer();
    for (KadMessage m : messages) {
      CODEC.encodeDelimited(m, out);
    }
    return out;
  }

  private static KadMessage ping() {
    return KadMessage.request(KadMessageType.PING, new byte[0]);
  }

  @Test
  void onData_framesSplitIntoSingleBytes_eachAnsweredOnceInOrder() throws Exception {
    open(KadStreamConfig.defaults(), dht, false);
    ByteBuf two = frames(KadMessage.request(KadMessageType.FIND_NODE, self.toBytes()), ping());
    byte[] bytes = new byte[two.readableBytes()];
    two.readBytes(bytes).release();

    for (byte b : bytes) {
      feed(Unpooled.wrappedBuffer(new byte[] {b}));
    }
    reader.onRemoteClosed(stream);

    assertThat(stream.answers())
        .extracting(KadMessage::type)
        .containsExactly(KadMessageType.FIND_NODE, KadMessageType.PING);
    assertThat(stream.closedWrite).isTrue();
    assertThat(stream.reset).isFalse();
    assertThat(ended).isEqualTo(1);
    assertThat(owner.count(KadInboundCounter.SERVED)).isEqualTo(2);
  }

  @Test
  void onData_moreRequestsQueuedThanAllowed_resetAsFlooded() {
    open(KadStreamConfig.defaults(), dht, true); // the handler never gets to run
    int max = KadStreamConfig.defaults().maxQueuedRequests();
    KadMessage[] many = new KadMessage[max + 2]; // one with the handler, max queued, one more
    java.util.Arrays.fill(many, ping());

    feed(frames(many));

    assertThat(stream.reset).isTrue();
    assertThat(owner.count(KadInboundCounter.FLOODED)).isEqualTo(1);
    assertThat(ended).isEqualTo(1);
    // The handler's late answer finds the stream gone and writes nothing.
    parked.forEach(Runnable::run);
    channel.runPendingTasks();
    assertThat(stream.written.size()).isZero();
  }

  @Test
  void idleTimer_noRequestForTheTimeout_resetCountedNotThePeersFault() {
    List<PeerId> faults = new ArrayList<>();
    open(KadStreamConfig.defaults().withIdleTimeout(Duration.ofMinutes(1)), dht, false);
    owner.onPeerFault((p, what) -> faults.add(p));
    feed(frames(ping()));

    channel.advanceTimeBy(59, TimeUnit.SECONDS);
    channel.runScheduledPendingTasks();
    assertThat(stream.reset).isFalse();
    channel.advanceTimeBy(2, TimeUnit.SECONDS);
    channel.runScheduledPendingTasks();

    assertThat(stream.reset).isTrue();
    assertThat(owner.count(KadInboundCounter.IDLE_TIMEOUT)).isEqualTo(1);
    assertThat(faults).isEmpty();
  }

  @Test
  void onData_oversizeLength_resetBeforeTheBodyArrives() {
    List<PeerId> faults = new ArrayList<>();
    open(KadStreamConfig.defaults(), dht, false);
    owner.onPeerFault((p, what) -> faults.add(p));
    ByteBuf prefix = Unpooled.buffer();
    org.grapevine.libp2p.encoding.Varint.write(prefix, KadCodec.DEFAULT_MAX_MESSAGE_BYTES + 1);

    feed(prefix);
    ByteBuf late = Unpooled.wrappedBuffer(new byte[100]);
    feed(late);

    assertThat(stream.reset).isTrue();
    assertThat(owner.count(KadInboundCounter.OVERSIZE)).isEqualTo(1);
    assertThat(faults).containsExactly(peer);
  }

  @Test
  void handler_throws_streamResetAsOurBug() {
    open(
        KadStreamConfig.defaults(),
        (from, request) -> {
          throw new IllegalStateException("bug");
        },
        false);

    feed(frames(ping()));

    assertThat(stream.reset).isTrue();
    assertThat(owner.count(KadInboundCounter.HANDLER_FAILED)).isEqualTo(1);
    assertThat(ended).isEqualTo(1);
  }

  @Test
  void onReset_midFrame_bufferReleasedAndLaterDataDropped() throws Exception {
    open(KadStreamConfig.defaults(), dht, false);
    ByteBuf half = frames(ping(), KadMessage.request(KadMessageType.FIND_NODE, self.toBytes()));
    feed(half.retainedSlice(0, half.readableBytes() - 3));
    half.release();

    reader.onReset(stream);
    feed(Unpooled.wrappedBuffer(new byte[] {1, 2, 3}));

    assertThat(stream.answers()).extracting(KadMessage::type).containsExactly(KadMessageType.PING);
    assertThat(ended).isEqualTo(1);
  }

  /** Records writes (releasing them) and state changes; its reader is the test. */
  private static final class FakeStream implements MuxedStream {
    private final EventExecutor loop;
    final ByteArrayOutputStream written = new ByteArrayOutputStream();
    boolean closedWrite;
    boolean reset;

    FakeStream(EventExecutor loop) {
      this.loop = loop;
    }

    List<KadMessage> answers() throws MalformedFrameException {
      ByteBuf in = Unpooled.wrappedBuffer(written.toByteArray());
      List<KadMessage> out = new ArrayList<>();
      while (in.isReadable()) {
        int len = CODEC.readLength(in);
        out.add(CODEC.decode(in.readSlice(len)));
      }
      return out;
    }

    @Override
    public long id() {
      return 2;
    }

    @Override
    public boolean outbound() {
      return false;
    }

    @Override
    public void write(ByteBuf data) {
      byte[] b = new byte[data.readableBytes()];
      data.readBytes(b);
      data.release();
      written.writeBytes(b);
    }

    @Override
    public void closeWrite() {
      closedWrite = true;
    }

    @Override
    public void reset() {
      reset = true;
    }

    @Override
    public void setReader(StreamReader reader) {}

    @Override
    public boolean isWritable() {
      return true;
    }

    @Override
    public EventExecutor executor() {
      return loop;
    }
  }
}
