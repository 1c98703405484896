package org.grapevine.libp2p.multistream.netty;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.grapevine.libp2p.multistream.MultistreamConfig;
import org.grapevine.libp2p.multistream.MultistreamErrorCode;
import org.grapevine.libp2p.multistream.MultistreamNegotiator;
import org.junit.jupiter.api.Test;

class MultistreamHandlerTest {
  private static final String HEADER = "13" + ascii("/multistream/1.0.0\n");
  private static final String NOISE = "07" + ascii("/noise\n");

  private static String ascii(String s) {
    return HexFormat.of().formatHex(s.getBytes(StandardCharsets.UTF_8));
  }

  private static ByteBuf hex(String hex) {
    return Unpooled.wrappedBuffer(HexFormat.of().parseHex(hex));
  }

  /** Stands in for the next layer: records what reaches it, in order, and releases the bytes. */
  private static final class Recorder extends ChannelInboundHandlerAdapter {
    final List<String> seen = new ArrayList<>();
    final List<ByteBuf> received = new ArrayList<>();

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ByteBuf buf = (ByteBuf) msg;
      seen.add("read:" + ByteBufUtil.hexDump(buf));
      received.add(buf);
      buf.release();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      seen.add("event:" + evt);
    }
  }

  private static String readOutboundHex(EmbeddedChannel ch) {
    StringBuilder sb = new StringBuilder();
    for (ByteBuf buf; (buf = ch.readOutbound()) != null; ) {
      sb.append(ByteBufUtil.hexDump(buf));
      buf.release();
    }
    return sb.toString();
  }

  @Test
  void initiator_selects_installsNextLayerBeforeLeftoverAndRemovesItself() {
    Recorder next = new Recorder();
    List<String> order = new ArrayList<>();
    MultistreamHandler handler =
        new MultistreamHandler(
            MultistreamNegotiator.initiator(List.of("/noise")),
            (ctx, protocol) -> {
              order.add("install:" + protocol);
              ctx.pipeline().addAfter(ctx.name(), "next", next);
            });
    EmbeddedChannel ch = new EmbeddedChannel(handler);
    assertThat(readOutboundHex(ch)).isEqualTo(HEADER + NOISE);

    ByteBuf first = hex(HEADER + NOISE + "0102");
    ch.writeInbound(first);
    ByteBuf second = hex("0304");
    ch.writeInbound(second);

    assertThat(order).containsExactly("install:/noise");
    assertThat(next.seen)
        .containsExactly("event:ProtocolSelected[protocol=/noise]", "read:0102", "read:0304");
    assertThat(ch.pipeline().get(MultistreamHandler.class)).isNull();
    assertThat(first.refCnt()).isZero();
    assertThat(second.refCnt()).isZero();
    assertThat(ch.finish()).isFalse();
  }

  @Test
  void initiator_headerAndEchoInTwoReads_selectsOnTheSecond() {
    Recorder next = new Recorder();
    EmbeddedChannel ch =
        new EmbeddedChannel(
            new MultistreamHandler(
                MultistreamNegotiator.initiator(List.of("/noise")),
                (ctx, p) -> ctx.pipeline().addAfter(ctx.name(), "next", next)));
    readOutboundHex(ch);
    ch.writeInbound(hex(HEADER + "07"));
    assertThat(next.seen).isEmpty();
    ch.writeInbound(hex(ascii("/noise\n")));
    assertThat(next.seen).containsExactly("event:ProtocolSelected[protocol=/noise]");
    assertThat(ch.finish()).isFalse();
  }

  @Test
  void responder_addedToActiveChannel_eagerHeaderAndLazyDataReachTheNextLayer() {
    Recorder next = new Recorder();
    EmbeddedChannel ch = new EmbeddedChannel();
    ch.pipeline()
        .addLast(
            new MultistreamHandler(
                MultistreamNegotiator.responder(
                    List.of("/yamux/1.0.0"), MultistreamConfig.DEFAULT.withEagerHeader(true)),
                (ctx, p) -> ctx.pipeline().addAfter(ctx.name(), "next", next)));
    assertThat(readOutboundHex(ch))
        .isEqualTo(HEADER); // Started at once: the channel was already active.
    String yamux = "0d" + ascii("/yamux/1.0.0\n");
    ch.writeInbound(hex(HEADER + yamux + "00010203"));
    assertThat(readOutboundHex(ch)).isEqualTo(yamux);
    assertThat(next.seen)
        .containsExactly("event:ProtocolSelected[protocol=/yamux/1.0.0]", "read:00010203");
    assertThat(ch.finish()).isFalse();
  }

  @Test
  void garbage_firesFailedAndCloses() {
    Recorder after = new Recorder();
    EmbeddedChannel ch =
        new EmbeddedChannel(
            new MultistreamHandler(
                MultistreamNegotiator.responder(List.of("/noise"), MultistreamConfig.DEFAULT),
                (ctx, p) -> {}),
            after);
    ByteBuf garbage = hex("8f3a9c00ff");
    ch.writeInbound(garbage);
    assertThat(ch.isOpen()).isFalse();
    assertThat(after.seen)
        .containsExactly(
            "event:NegotiationFailed[code=NOT_MULTISTREAM, detail=first bytes are not the multistream header]");
    assertThat(garbage.refCnt()).isZero();
    assertThat(ch.finish()).isFalse();
  }

  @Test
  void noAnswer_timesOutOnTheEventLoopAndCloses() {
    Recorder after = new Recorder();
    EmbeddedChannel ch =
        new EmbeddedChannel(
            new MultistreamHandler(
                MultistreamNegotiator.initiator(List.of("/noise")),
                (ctx, p) -> {},
                Duration.ofSeconds(10)),
            after);
    readOutboundHex(ch);
    ByteBuf partial = hex(HEADER.substring(0, 10));
    ch.writeInbound(partial);
    ch.advanceTimeBy(9, TimeUnit.SECONDS);
    ch.runScheduledPendingTasks();
    assertThat(ch.isOpen()).isTrue();
    ch.advanceTimeBy(2, TimeUnit.SECONDS);
    ch.runScheduledPendingTasks();
    assertThat(ch.isOpen()).isFalse();
    assertThat(after.seen)
        .hasSize(1)
        .first()
        .asString()
        .contains(MultistreamErrorCode.TIMEOUT.name());
    assertThat(partial.refCnt()).isZero();
    assertThat(ch.finish()).isFalse();
  }

  @Test
  void selected_timerCancelled_noLaterClose() {
    EmbeddedChannel ch =
        new EmbeddedChannel(
            new MultistreamHandler(
                MultistreamNegotiator.initiator(List.of("/noise")),
                (ctx, p) -> {},
                Duration.ofSeconds(1)));
    readOutboundHex(ch);
    ch.writeInbound(hex(HEADER + NOISE));
    ch.advanceTimeBy(5, TimeUnit.SECONDS);
    ch.runScheduledPendingTasks();
    assertThat(ch.isOpen()).isTrue();
    assertThat(ch.finish()).isFalse();
  }
}
