package org.grapevine.libp2p.noise.netty;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.EncoderException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.grapevine.libp2p.crypto.PrivKey;
import org.grapevine.libp2p.noise.NoiseConfig;
import org.grapevine.libp2p.noise.NoiseRole;
import org.grapevine.libp2p.peer.PeerId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class NoiseHandlerTest {
  private static final PrivKey ALICE = key(1);
  private static final PrivKey BOB = key(2);
  private static final PeerId ALICE_ID = PeerId.fromPubKey(ALICE.publicKey());
  private static final PeerId BOB_ID = PeerId.fromPubKey(BOB.publicKey());
  private static final NoiseConfig YAMUX =
      NoiseConfig.builder().muxers(List.of("/yamux/1.0.0")).build();

  private final Recorder aliceSeen = new Recorder();
  private final Recorder bobSeen = new Recorder();

  /** Every buffer handed to a channel's inbound side; the handlers must release them all. */
  private final List<ByteBuf> delivered = new ArrayList<>();

  private EmbeddedChannel alice;
  private EmbeddedChannel bob;

  @AfterEach
  void noLeaks() {
    assertThat(alice.finish()).isFalse();
    assertThat(bob == null || !bob.finish()).isTrue();
    for (ByteBuf buf : delivered) {
      assertThat(buf.refCnt()).isZero();
    }
  }

  @Test
  void handshake_completes_eventNamesTheRemotePeerOnBothSides() {
    start(Optional.of(BOB_ID), YAMUX, YAMUX);
    settle();
    assertThat(aliceSeen.events)
        .containsExactly(
            new NoiseHandshakeCompleted(BOB_ID, BOB.publicKey(), Optional.of("/yamux/1.0.0")));
    assertThat(bobSeen.events)
        .containsExactly(
            new NoiseHandshakeCompleted(ALICE_ID, ALICE.publicKey(), Optional.of("/yamux/1.0.0")));
    assertThat(alice.isOpen() && bob.isOpen()).isTrue();
  }

  @Test
  void handshake_noMuxerLists_eventWithoutMuxer() {
    start(Optional.empty(), NoiseConfig.defaults(), NoiseConfig.defaults());
    settle();
    assertThat(aliceSeen.events)
        .containsExactly(new NoiseHandshakeCompleted(BOB_ID, BOB.publicKey(), Optional.empty()));
  }

  @Test
  void handshake_fedOneByteAtATime_completes() {
    start(Optional.of(BOB_ID), YAMUX, YAMUX);
    boolean moved = true;
    while (moved) {
      boolean first = trickle(alice, bob); // both directions move, whatever the first returned
      moved = trickle(bob, alice) || first;
    }
    assertThat(aliceSeen.events).hasSize(1);
    assertThat(bobSeen.events).hasSize(1);
  }

  @Test
  void applicationBytes_travelEncryptedAndArriveIntact() {
    start(Optional.of(BOB_ID), YAMUX, YAMUX);
    settle();
    byte[] hello = "hello, bob".getBytes(StandardCharsets.UTF_8);
    alice.writeOutbound(Unpooled.wrappedBuffer(hello));
    ByteBuf wire = alice.readOutbound();
    byte[] ciphertext = ByteBufUtil.getBytes(wire);
    assertThat(ciphertext).hasSize(2 + hello.length + 16);
    assertThat(new String(ciphertext, StandardCharsets.ISO_8859_1)).doesNotContain("hello");
    deliver(bob, wire);
    assertThat(bobSeen.data()).isEqualTo(hello);
  }

  @Test
  void largeWrite_splitIntoFramesOfAtMost65535Bytes() {
    start(Optional.of(BOB_ID), YAMUX, YAMUX);
    settle();
    byte[] data = new byte[200 * 1024];
    new SplittableRandom(3).nextBytes(data);
    bob.writeOutbound(Unpooled.wrappedBuffer(data));
    ByteBuf wire = bob.readOutbound();
    List<Integer> frames = new ArrayList<>();
    for (int at = wire.readerIndex();
        at < wire.writerIndex();
        at += 2 + wire.getUnsignedShort(at)) {
      frames.add(wire.getUnsignedShort(at));
    }
    assertThat(frames).hasSize(4).allMatch(length -> length <= 65535);
    deliver(alice, wire);
    assertThat(aliceSeen.data()).isEqualTo(data);
  }

  @Test
  void transportFrameInSameReadAsMessage3_arrivesAfterTheEvent() {
    start(Optional.of(BOB_ID), YAMUX, YAMUX);
    shuttle(alice, bob); // message 1
    shuttle(bob, alice); // message 2: alice is done and has message 3 queued
    assertThat(aliceSeen.events).hasSize(1);
    alice.writeOutbound(Unpooled.copiedBuffer("early", StandardCharsets.UTF_8));
    CompositeByteBuf oneRead = Unpooled.compositeBuffer();
    ByteBuf part;
    while ((part = alice.readOutbound()) != null) {
      oneRead.addComponent(true, part);
    }
    deliver(bob, oneRead);
    assertThat(bobSeen.order).containsExactly("event", "data");
    assertThat(new String(bobSeen.data(), StandardCharsets.UTF_8)).isEqualTo("early");
  }

  @Test
  void tamperedTransportFrame_closesTheChannel() {
    start(Optional.of(BOB_ID), YAMUX, YAMUX);
    settle();
    alice.writeOutbound(Unpooled.copiedBuffer("secret", StandardCharsets.UTF_8));
    ByteBuf wire = alice.readOutbound();
    wire.setByte(5, wire.getByte(5) ^ 0x01);
    deliver(bob, wire);
    assertThat(bob.isOpen()).isFalse();
    assertThat(bobSeen.data()).isEmpty();
    bob.checkException();
  }

  @Test
  void wrongPeer_initiatorClosesWithFailureEventOnly() {
    start(Optional.of(ALICE_ID), YAMUX, YAMUX); // Alice dials "herself" but reaches Bob.
    settle();
    assertThat(alice.isOpen()).isFalse();
    assertThat(aliceSeen.events)
        .singleElement()
        .isInstanceOfSatisfying(
            NoiseFailed.class,
            f ->
                assertThat(f.code())
                    .isEqualTo(org.grapevine.libp2p.noise.NoiseErrorCode.PEER_ID_MISMATCH));
  }

  @Test
  void tamperedHandshakeMessage_closesTheReceiver() {
    start(Optional.of(BOB_ID), YAMUX, YAMUX);
    shuttle(alice, bob);
    ByteBuf message2 = bob.readOutbound();
    message2.setByte(60, message2.getByte(60) ^ 0x40);
    deliver(alice, message2);
    assertThat(alice.isOpen()).isFalse();
    assertThat(aliceSeen.events)
        .singleElement()
        .isInstanceOfSatisfying(
            NoiseFailed.class,
            f ->
                assertThat(f.code())
                    .isEqualTo(org.grapevine.libp2p.noise.NoiseErrorCode.DECRYPT_FAILED));
  }

  @Test
  void handshakeTimeout_closesTheChannelAtTenSeconds() {
    start(Optional.of(BOB_ID), YAMUX, YAMUX);
    alice.advanceTimeBy(9_999, TimeUnit.MILLISECONDS);
    alice.runScheduledPendingTasks();
    assertThat(alice.isOpen()).isTrue();
    alice.advanceTimeBy(1, TimeUnit.MILLISECONDS);
    alice.runScheduledPendingTasks();
    assertThat(alice.isOpen()).isFalse();
    drop(alice);
    bob.close().syncUninterruptibly();
  }

  @Test
  void completedHandshake_cancelsTheTimeout() {
    start(Optional.of(BOB_ID), YAMUX, YAMUX);
    settle();
    alice.advanceTimeBy(60, TimeUnit.SECONDS);
    alice.runScheduledPendingTasks();
    assertThat(alice.isOpen()).isTrue();
  }

  @Test
  void writeBeforeHandshake_failsTheWrite() {
    start(Optional.of(BOB_ID), YAMUX, YAMUX);
    drop(alice); // message 1
    ByteBuf early = Unpooled.copiedBuffer("too early", StandardCharsets.UTF_8);
    ChannelFuture write = alice.writeOneOutbound(early);
    alice.flushOutbound();
    assertThat(write.cause())
        .isInstanceOf(EncoderException.class)
        .hasCauseInstanceOf(IllegalStateException.class);
    assertThat(early.refCnt()).isZero();
    Object sent = alice.readOutbound();
    assertThat(sent).isNull();
    alice.close().syncUninterruptibly();
    bob.close().syncUninterruptibly();
  }

  private void start(
      Optional<PeerId> aliceExpects, NoiseConfig aliceConfig, NoiseConfig bobConfig) {
    alice =
        frozen(
            new NoiseHandler(
                NoiseRole.INITIATOR, ALICE, aliceExpects, aliceConfig, new SplittableRandom(1)),
            aliceSeen);
    bob =
        frozen(
            new NoiseHandler(
                NoiseRole.RESPONDER, BOB, Optional.empty(), bobConfig, new SplittableRandom(2)),
            bobSeen);
  }

  /**
   * A channel whose clock is stopped before its handlers see it: time moves only by advanceTimeBy,
   * so the handshake timeout fires exactly at its deadline however slow the JVM is (the leak
   * detector at PARANOID slows it enough to matter).
   */
  private static EmbeddedChannel frozen(ChannelHandler... handlers) {
    EmbeddedChannel ch = new EmbeddedChannel(); // registered and active, with no handler yet
    ch.freezeTime();
    ch.pipeline().addLast(handlers); // NoiseHandler starts in handlerAdded on an active channel
    return ch;
  }

  private void settle() {
    boolean moved = true;
    while (moved) {
      boolean first = shuttle(alice, bob); // both directions move, whatever the first returned
      moved = shuttle(bob, alice) || first;
    }
  }

  private boolean shuttle(EmbeddedChannel from, EmbeddedChannel to) {
    boolean moved = false;
    ByteBuf buf;
    while ((buf = from.readOutbound()) != null) {
      deliver(to, buf);
      moved = true;
    }
    return moved;
  }

  private boolean trickle(EmbeddedChannel from, EmbeddedChannel to) {
    boolean moved = false;
    ByteBuf buf;
    while ((buf = from.readOutbound()) != null) {
      while (buf.isReadable()) {
        deliver(to, buf.readRetainedSlice(1));
      }
      buf.release();
      delivered.add(buf);
      moved = true;
    }
    return moved;
  }

  private void deliver(EmbeddedChannel to, ByteBuf buf) {
    delivered.add(buf);
    if (to.isOpen()) {
      to.writeInbound(buf);
    } else {
      buf.release();
    }
  }

  private static void drop(EmbeddedChannel channel) {
    ByteBuf buf;
    while ((buf = channel.readOutbound()) != null) {
      buf.release();
    }
  }

  private static PrivKey key(int n) {
    byte[] seed = new byte[32];
    seed[0] = (byte) n;
    return PrivKey.fromSeed(seed);
  }

  /** The rest of the pipeline: records events and plaintext in arrival order. */
  private static final class Recorder extends ChannelInboundHandlerAdapter {
    final List<Object> events = new ArrayList<>();
    final List<String> order = new ArrayList<>();
    private final ByteBuf data = Unpooled.buffer();

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ByteBuf buf = (ByteBuf) msg;
      data.writeBytes(buf);
      buf.release();
      order.add("data");
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      events.add(evt);
      order.add("event");
    }

    byte[] data() {
      return ByteBufUtil.getBytes(data);
    }
  }
}
