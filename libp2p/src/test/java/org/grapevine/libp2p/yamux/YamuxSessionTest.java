package org.grapevine.libp2p.yamux;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.grapevine.libp2p.yamux.YamuxFlags.ACK;
import static org.grapevine.libp2p.yamux.YamuxFlags.FIN;
import static org.grapevine.libp2p.yamux.YamuxFlags.RST;
import static org.grapevine.libp2p.yamux.YamuxFlags.SYN;

import java.nio.ByteBuffer;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.grapevine.libp2p.yamux.YamuxEvent.GoAwayReceived;
import org.grapevine.libp2p.yamux.YamuxEvent.InboundStreamOpened;
import org.grapevine.libp2p.yamux.YamuxEvent.PingRtt;
import org.grapevine.libp2p.yamux.YamuxEvent.SessionClosed;
import org.grapevine.libp2p.yamux.YamuxEvent.SessionError;
import org.grapevine.libp2p.yamux.YamuxEvent.StreamClosed;
import org.grapevine.libp2p.yamux.YamuxEvent.StreamData;
import org.grapevine.libp2p.yamux.YamuxEvent.StreamRemoteClosed;
import org.grapevine.libp2p.yamux.YamuxEvent.StreamReset;
import org.grapevine.libp2p.yamux.YamuxEvent.StreamWritable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class YamuxSessionTest {
  private static final HexFormat HEX = HexFormat.of();
  private static final int WINDOW = YamuxConfig.INITIAL_WINDOW_BYTES;
  private static final YamuxConfig NO_KEEPALIVE =
      YamuxConfig.builder().keepaliveIntervalNanos(0).build();

  private YamuxPair pair = new YamuxPair(NO_KEEPALIVE);

  @AfterEach
  void noLeaks() {
    pair.closeAndAssertNoLeaks();
  }

  /** A hand-crafted frame: header plus {@code payload} (which need not match {@code length}). */
  static byte[] frame(YamuxType type, int flags, long streamId, long length, byte[] payload) {
    return ByteBuffer.allocate(12 + payload.length)
        .put((byte) 0)
        .put((byte) type.code())
        .putShort((short) flags)
        .putInt((int) streamId)
        .putInt((int) length)
        .put(payload)
        .array();
  }

  static byte[] data(int flags, long streamId, byte[] payload) {
    return frame(YamuxType.DATA, flags, streamId, payload.length, payload);
  }

  static byte[] windowUpdate(int flags, long streamId, long delta) {
    return frame(YamuxType.WINDOW_UPDATE, flags, streamId, delta, new byte[0]);
  }

  private static byte[] random(int n, long seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  @Test
  void openStream_byEachRole_usesOddIdsForDialerAndEvenForListener() {
    assertThat(pair.client.session.openStream()).isEqualTo(1);
    assertThat(pair.client.session.openStream()).isEqualTo(3);
    assertThat(pair.server.session.openStream()).isEqualTo(2);
    pair.drive();
    assertThat(pair.server.eventsOf(InboundStreamOpened.class))
        .containsExactly(new InboundStreamOpened(1), new InboundStreamOpened(3));
    assertThat(pair.client.eventsOf(InboundStreamOpened.class))
        .containsExactly(new InboundStreamOpened(2));
    assertThat(pair.client.session.openStreams()).isEqualTo(3);
  }

  @Test
  void openStream_wireBytes_areJsSynAndAck() {
    pair.client.session.openStream();
    byte[] syn = pair.client.takeOutbound();
    assertThat(HEX.formatHex(syn)).isEqualTo("000100010000000100000000");
    pair.server.receive(syn);
    assertThat(HEX.formatHex(pair.server.takeOutbound())).isEqualTo("000100020000000100000000");
  }

  @Test
  void openStream_largerReceiveWindow_announcesDeltaOnSyn() {
    pair = new YamuxPair(NO_KEEPALIVE.toBuilder().receiveWindowBytes(1024 * 1024).build());
    pair.client.session.openStream();
    assertThat(HEX.formatHex(pair.client.takeOutbound()))
        .isEqualTo("000100010000000100" + "0c0000"); // delta = 1 MiB - 256 KiB = 0x0c0000
  }

  @Test
  void write_bothWays_deliversInOrder() {
    long id = pair.client.session.openStream();
    pair.client.write(id, "hello ".getBytes(UTF_8));
    pair.client.write(id, "world".getBytes(UTF_8));
    pair.drive();
    pair.server.write(id, "back".getBytes(UTF_8));
    pair.drive();
    assertThat(new String(pair.server.receivedOn(id), UTF_8)).isEqualTo("hello world");
    assertThat(new String(pair.client.receivedOn(id), UTF_8)).isEqualTo("back");
  }

  @Test
  void write_beforeAck_isSentAtOnce() {
    long id = pair.client.session.openStream();
    pair.client.write(id, "early".getBytes(UTF_8));
    pair.step(); // SYN and data reach the server together; the ACK is still on its way back
    assertThat(new String(pair.server.receivedOn(id), UTF_8)).isEqualTo("early");
  }

  @Test
  void write_fourTimesTheWindow_arrivesWholeAndInOrderThroughWindowUpdates() {
    byte[] payload = random(4 * WINDOW + 12345, 42);
    long id = pair.client.session.openStream();
    pair.client.write(id, payload);
    assertThat(pair.client.session.isWritable(id)).isFalse();
    pair.drive();
    assertThat(pair.server.receivedOn(id)).isEqualTo(payload);
    assertThat(pair.client.eventsOf(StreamWritable.class)).containsExactly(new StreamWritable(id));
    assertThat(pair.client.session.isWritable(id)).isTrue();
  }

  @Test
  void write_peerNotConsuming_stopsAtExactlyTheWindowUntilConsumed() {
    pair.server.autoConsume = false;
    long id = pair.client.session.openStream();
    pair.client.write(id, random(WINDOW + 1000, 1));
    pair.drive();
    assertThat(pair.server.receivedOn(id)).hasSize(WINDOW);
    assertThat(pair.client.session.isWritable(id)).isFalse();

    pair.server.session.consumed(id, WINDOW / 2 - 1); // below the grant threshold: nothing yet
    pair.drive();
    assertThat(pair.server.receivedOn(id)).hasSize(WINDOW);
    pair.server.session.consumed(id, 1);
    pair.drive();
    assertThat(pair.server.receivedOn(id)).hasSize(WINDOW + 1000);
    assertThat(pair.client.eventsOf(StreamWritable.class)).hasSize(1);
  }

  @Test
  void write_chunks_areAtMostMaxSendChunk() {
    pair = new YamuxPair(NO_KEEPALIVE.toBuilder().maxSendChunkBytes(1000).build());
    long id = pair.client.session.openStream();
    pair.client.takeOutbound();
    pair.client.write(id, new byte[2500]);
    byte[] out = pair.client.takeOutbound();
    assertThat(out).hasSize(3 * 12 + 2500);
    assertThat(ByteBuffer.wrap(out, 8, 4).getInt()).isEqualTo(1000);
  }

  @Test
  void closeWrite_eachWay_halfClosesThenForgetsTheStream() {
    long id = pair.client.session.openStream();
    pair.client.write(id, "req".getBytes(UTF_8));
    pair.client.session.closeWrite(id);
    pair.drive();
    assertThat(pair.server.events).contains(new StreamRemoteClosed(id));
    assertThatThrownBy(() -> pair.client.write(id, "more".getBytes(UTF_8)))
        .isInstanceOf(IllegalStateException.class);

    pair.server.write(id, "resp".getBytes(UTF_8)); // the other direction still works
    pair.server.session.closeWrite(id);
    pair.drive();
    assertThat(new String(pair.client.receivedOn(id), UTF_8)).isEqualTo("resp");
    assertThat(pair.client.events).contains(new StreamRemoteClosed(id), new StreamClosed(id));
    assertThat(pair.server.events).contains(new StreamClosed(id));
    assertThat(pair.client.session.openStreams()).isZero();
    assertThat(pair.server.session.openStreams()).isZero();
  }

  @Test
  void closeWrite_withQueuedData_sendsFinAfterTheData() {
    long id = pair.client.session.openStream();
    byte[] payload = random(2 * WINDOW, 3);
    pair.client.write(id, payload);
    pair.client.session.closeWrite(id);
    pair.drive();
    assertThat(pair.server.receivedOn(id)).isEqualTo(payload);
    assertThat(pair.server.events.get(pair.server.events.size() - 1))
        .isEqualTo(new StreamRemoteClosed(id));
  }

  @Test
  void reset_byClient_serverSeesResetAndWritesAreRefused() {
    long id = pair.client.session.openStream();
    pair.client.write(id, random(2 * WINDOW, 4)); // leaves data queued, to be dropped
    pair.client.session.reset(id);
    pair.drive();
    assertThat(pair.server.events).contains(new StreamReset(id));
    assertThat(pair.client.events).doesNotContain(new StreamReset(id)); // our own command
    assertThat(pair.client.session.write(id, pair.alloc.buffer().writeByte(1))).isFalse();
    assertThat(pair.server.session.openStreams()).isZero();
  }

  @Test
  void goAway_normal_blocksNewStreamsAndClosesWhenStreamsFinish() {
    long id = pair.client.session.openStream();
    pair.drive();
    pair.client.session.goAway(YamuxErrorCode.NORMAL, pair.nowNanos);
    pair.drive();
    assertThat(pair.server.events).contains(new GoAwayReceived(0));
    assertThatThrownBy(() -> pair.server.session.openStream())
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> pair.client.session.openStream())
        .isInstanceOf(IllegalStateException.class);

    pair.server.write(id, "still open".getBytes(UTF_8));
    pair.client.session.closeWrite(id);
    pair.server.session.closeWrite(id);
    pair.drive();
    assertThat(new String(pair.client.receivedOn(id), UTF_8)).isEqualTo("still open");
    assertThat(pair.client.events).endsWith(new SessionClosed());
    assertThat(pair.server.events).endsWith(new SessionClosed());
  }

  @Test
  void goAway_streamsOutliveGrace_areResetAtTheDeadline() {
    long id = pair.client.session.openStream();
    pair.drive();
    pair.client.session.goAway(YamuxErrorCode.NORMAL, pair.nowNanos);
    long grace = NO_KEEPALIVE.goAwayGraceNanos();
    assertThat(pair.client.session.pollTimeout()).hasValue(grace);
    pair.advance(grace - 1);
    assertThat(pair.client.events).isEmpty();
    pair.advance(1);
    assertThat(pair.client.events).containsExactly(new StreamReset(id), new SessionClosed());
  }

  @Test
  void goAwayReceived_errorCode_resetsStreamsAndEndsSession() {
    long id = pair.client.session.openStream();
    pair.drive();
    pair.client.receive(frame(YamuxType.GO_AWAY, 0, 0, 2, new byte[0]));
    assertThat(pair.client.events)
        .containsExactly(new GoAwayReceived(2), new StreamReset(id), new SessionClosed());
    assertThat(pair.client.session.terminated()).isTrue();
  }

  @Test
  void ping_answeredWithAckOfSameValue_reportsRtt() {
    long value = pair.client.session.ping(pair.nowNanos);
    byte[] syn = pair.client.takeOutbound();
    assertThat(HEX.formatHex(syn)).isEqualTo("000200010000000000000001");
    pair.server.receive(syn);
    byte[] ack = pair.server.takeOutbound();
    assertThat(HEX.formatHex(ack)).isEqualTo("000200020000000000000001");
    pair.nowNanos += 7_000_000;
    pair.client.receive(ack);
    assertThat(pair.client.events).containsExactly(new PingRtt(value, 7_000_000));
  }

  @Test
  void ping_unrequestedAck_isIgnoredWithoutReply() {
    pair.client.receive(frame(YamuxType.PING, ACK, 0, 77, new byte[0]));
    assertThat(pair.client.events).isEmpty();
    assertThat(pair.client.takeOutbound()).isEmpty();
    assertThat(pair.client.session.terminated()).isFalse();
  }

  @Test
  void keepalive_enabled_pingsEveryIntervalAndPeerAnswers() {
    long interval = TimeUnit.SECONDS.toNanos(30);
    pair = new YamuxPair(YamuxConfig.defaults());
    assertThat(pair.client.session.pollTimeout()).hasValue(interval);
    pair.advance(interval);
    byte[] ping = pair.client.takeOutbound();
    assertThat(HEX.formatHex(ping)).startsWith("00020001");
    pair.server.receive(ping);
    pair.client.receive(pair.server.takeOutbound());
    assertThat(pair.client.eventsOf(PingRtt.class)).hasSize(1);
    assertThat(pair.client.session.pollTimeout()).hasValue(2 * interval);
  }

  @Test
  void inboundStreams_beyondLimit_areReset() {
    pair = new YamuxPair(NO_KEEPALIVE, NO_KEEPALIVE.toBuilder().maxInboundStreams(2).build());
    pair.client.session.openStream();
    pair.client.session.openStream();
    long third = pair.client.session.openStream();
    pair.drive();
    assertThat(pair.server.eventsOf(InboundStreamOpened.class)).hasSize(2);
    assertThat(pair.client.events).containsExactly(new StreamReset(third));
  }

  @Test
  void openStream_ackBacklogFull_throwsUntilAcked() {
    pair = new YamuxPair(NO_KEEPALIVE.toBuilder().ackBacklog(2).build());
    pair.client.session.openStream();
    pair.client.session.openStream();
    assertThatThrownBy(() -> pair.client.session.openStream())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("backlog");
    pair.drive();
    assertThat(pair.client.session.openStream()).isEqualTo(5);
  }

  @Test
  void dataFrame_beyondRemainingWindow_isSessionErrorWithGoAway() {
    pair.server.autoConsume = false;
    pair.server.receive(windowUpdate(SYN, 1, 0));
    pair.server.takeOutbound();
    pair.server.receive(data(0, 1, new byte[WINDOW - 10]));
    assertThat(pair.server.session.terminated()).isFalse();
    pair.server.receive(data(0, 1, new byte[11]));
    assertThat(pair.server.events.get(pair.server.events.size() - 1))
        .isInstanceOfSatisfying(
            SessionError.class, e -> assertThat(e.code()).isEqualTo(YamuxErrorCode.PROTOCOL_ERROR));
    assertThat(pair.server.events).contains(new StreamReset(1));
    assertThat(HEX.formatHex(pair.server.takeOutbound())).isEqualTo("000300000000000000000001");
  }

  @Test
  void dataFrame_longerThanAnyWindow_failsOnItsHeaderAlone() {
    pair.server.receive(windowUpdate(SYN, 1, 0));
    byte[] header = frame(YamuxType.DATA, 0, 1, WINDOW + 1, new byte[0]);
    pair.server.receive(header);
    assertThat(pair.server.eventsOf(SessionError.class)).hasSize(1);
    assertThat(pair.server.session.bufferedInboundBytes()).isZero();
  }

  @Test
  void syn_withWrongParityOnStreamZeroOrExisting_isProtocolError() {
    for (byte[] bad :
        List.of(windowUpdate(SYN, 2, 0), windowUpdate(SYN, 0, 0), data(SYN, 4, new byte[3]))) {
      pair.closeAndAssertNoLeaks();
      pair = new YamuxPair(NO_KEEPALIVE);
      pair.server.receive(bad); // the server's own parity is even
      assertThat(pair.server.eventsOf(SessionError.class)).as(HEX.formatHex(bad)).hasSize(1);
    }
    pair.closeAndAssertNoLeaks();
    pair = new YamuxPair(NO_KEEPALIVE);
    pair.server.receive(windowUpdate(SYN, 1, 0));
    pair.server.receive(windowUpdate(SYN, 1, 0));
    assertThat(pair.server.eventsOf(SessionError.class))
        .singleElement()
        .satisfies(e -> assertThat(e.reason()).contains("existing"));
  }

  @Test
  void framesForUnknownStreams_areIgnored() {
    pair.server.receive(data(0, 99, "stray".getBytes(UTF_8)));
    pair.server.receive(windowUpdate(0, 7, 1000));
    pair.server.receive(windowUpdate(FIN, 9, 0));
    pair.server.receive(windowUpdate(RST, 11, 0));
    pair.server.receive(data(ACK, 2, new byte[0]));
    assertThat(pair.server.events).isEmpty();
    assertThat(pair.server.takeOutbound()).isEmpty();
    long id = pair.client.session.openStream(); // the session still works
    pair.client.write(id, "ok".getBytes(UTF_8));
    pair.drive();
    assertThat(new String(pair.server.receivedOn(id), UTF_8)).isEqualTo("ok");
  }

  @Test
  void synAckFinOnDataFrames_areHonoured() {
    pair.server.receive(data(SYN, 1, "hi".getBytes(UTF_8)));
    assertThat(pair.server.events).hasSize(2).first().isEqualTo(new InboundStreamOpened(1));
    assertThat(new String(pair.server.receivedOn(1), UTF_8)).isEqualTo("hi");

    pair = reopen(NO_KEEPALIVE.toBuilder().ackBacklog(1).build());
    long id = pair.client.session.openStream();
    pair.client.takeOutbound();
    pair.client.receive(data(ACK | FIN, id, "bye".getBytes(UTF_8)));
    assertThat(new String(pair.client.receivedOn(id), UTF_8)).isEqualTo("bye");
    assertThat(pair.client.events).contains(new StreamRemoteClosed(id));
    assertThat(pair.client.session.openStream()).isEqualTo(3); // the ACK freed the backlog
  }

  @Test
  void synWithNonZeroDelta_widensTheSendWindow() {
    pair.server.receive(windowUpdate(SYN, 1, 1024 * 1024));
    pair.server.takeOutbound();
    pair.server.write(1, new byte[WINDOW + 1024 * 1024]);
    assertThat(pair.server.session.isWritable(1)).isFalse();
    int total = WINDOW + 1024 * 1024;
    int chunk = NO_KEEPALIVE.maxSendChunkBytes();
    int frames = (total + chunk - 1) / chunk;
    assertThat(pair.server.takeOutbound()).hasSize(total + 12 * frames); // all of it went out
  }

  @Test
  void dataAfterFin_resetsOnlyThatStream() {
    pair.server.receive(data(SYN | FIN, 1, "a".getBytes(UTF_8)));
    pair.server.receive(data(0, 1, "b".getBytes(UTF_8)));
    assertThat(pair.server.events).contains(new StreamReset(1));
    assertThat(pair.server.session.terminated()).isFalse();
    assertThat(new String(pair.server.receivedOn(1), UTF_8)).isEqualTo("a");
  }

  @Test
  void rstOnWindowUpdateWithErrorCode_resetsStreamIgnoringTheLength() {
    pair.server.receive(windowUpdate(SYN, 1, 0));
    pair.server.receive(windowUpdate(RST, 1, 0xdead));
    assertThat(pair.server.events).containsExactly(new InboundStreamOpened(1), new StreamReset(1));
  }

  @Test
  void handleInbound_oneByteAtATime_givesTheSameResult() {
    byte[] bytes =
        concat(
            data(SYN, 1, "abc".getBytes(UTF_8)),
            data(FIN, 1, "def".getBytes(UTF_8)),
            frame(YamuxType.PING, SYN, 0, 5, new byte[0]));
    for (byte b : bytes) {
      pair.server.receive(new byte[] {b});
      assertThat(pair.server.session.bufferedInboundBytes()).isLessThan(12 + 3);
    }
    assertThat(new String(pair.server.receivedOn(1), UTF_8)).isEqualTo("abcdef");
    assertThat(pair.server.events).contains(new StreamRemoteClosed(1));
    assertThat(HEX.formatHex(pair.server.takeOutbound())).endsWith("000200020000000000000005");
  }

  @Test
  void handleInbound_badVersionOrType_isProtocolError() {
    pair.server.receive(HEX.parseHex("010000000000000100000000"));
    assertThat(pair.server.eventsOf(SessionError.class)).hasSize(1);
    pair = reopen(NO_KEEPALIVE);
    pair.server.receive(HEX.parseHex("000400000000000000000000"));
    assertThat(pair.server.eventsOf(SessionError.class)).hasSize(1);
  }

  @Test
  void largeFrameInPieces_isReassembledWithoutLoss() {
    byte[] payload = random(WINDOW, 9);
    byte[] bytes = data(SYN, 1, payload);
    for (int at = 0; at < bytes.length; at += 1000) {
      pair.server.receive(
          java.util.Arrays.copyOfRange(bytes, at, Math.min(bytes.length, at + 1000)));
    }
    assertThat(pair.server.receivedOn(1)).isEqualTo(payload);
    assertThat(pair.server.eventsOf(StreamData.class)).hasSize(1);
  }

  private YamuxPair reopen(YamuxConfig config) {
    pair.closeAndAssertNoLeaks();
    return new YamuxPair(config);
  }

  private static byte[] concat(byte[]... parts) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }
}
