package org.grapevine.libp2p.pnet.netty;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.grapevine.libp2p.multistream.netty.MultistreamHandler;
import org.grapevine.libp2p.pnet.SwarmKey;
import org.junit.jupiter.api.Test;

/** The bottom of the connection upgrade: pnet, then multistream-select choosing /noise. */
class PnetUnderMultistreamTest {
  /** Collects user events at the end of the pipeline. */
  private static final class Events extends ChannelInboundHandlerAdapter {
    final List<String> seen = new ArrayList<>();

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      seen.add(evt.toString());
    }
  }

  private static void shuttle(EmbeddedChannel a, EmbeddedChannel b) {
    for (int i = 0; i < 10; i++) {
      boolean first = move(a, b); // both directions move, whatever the first returned
      boolean moved = move(b, a) || first;
      if (!moved) {
        return;
      }
    }
  }

  private static boolean move(EmbeddedChannel from, EmbeddedChannel to) {
    boolean moved = false;
    for (ByteBuf buf; (buf = from.readOutbound()) != null; ) {
      moved = true;
      if (to.isOpen()) {
        to.writeInbound(buf);
      } else {
        buf.release();
      }
    }
    return moved;
  }

  @Test
  void sameKey_negotiatesNoiseThroughTheCipher() {
    SwarmKey key = SwarmKey.of(new byte[32]);
    Events dialerEvents = new Events();
    Events listenerEvents = new Events();
    EmbeddedChannel dialer =
        new EmbeddedChannel(
            new PnetHandler(key, new Random(1)),
            MultistreamHandler.initiator(List.of("/noise"), (ctx, p) -> {}),
            dialerEvents);
    EmbeddedChannel listener =
        new EmbeddedChannel(
            new PnetHandler(key, new Random(2)),
            MultistreamHandler.responder(List.of("/noise"), (ctx, p) -> {}),
            listenerEvents);
    shuttle(dialer, listener);
    assertThat(dialerEvents.seen).containsExactly("ProtocolSelected[protocol=/noise]");
    assertThat(listenerEvents.seen).containsExactly("ProtocolSelected[protocol=/noise]");
    assertThat(dialer.finish()).isFalse();
    assertThat(listener.finish()).isFalse();
  }

  @Test
  void differentKeys_listenerFailsAtOnceAsNotMultistream() {
    Events listenerEvents = new Events();
    EmbeddedChannel dialer =
        new EmbeddedChannel(
            new PnetHandler(SwarmKey.of(new byte[32]), new Random(1)),
            MultistreamHandler.initiator(List.of("/noise"), (ctx, p) -> {}));
    byte[] otherKey = new byte[32];
    otherKey[0] = 1;
    EmbeddedChannel listener =
        new EmbeddedChannel(
            new PnetHandler(SwarmKey.of(otherKey), new Random(2)),
            MultistreamHandler.responder(List.of("/noise"), (ctx, p) -> {}),
            listenerEvents);
    shuttle(dialer, listener);
    assertThat(listenerEvents.seen)
        .singleElement()
        .asString()
        .startsWith("NegotiationFailed[code=NOT_MULTISTREAM");
    assertThat(listener.isOpen()).isFalse();
    dialer.close().syncUninterruptibly();
    assertThat(dialer.finish()).isFalse();
    assertThat(listener.finish()).isFalse();
  }
}
