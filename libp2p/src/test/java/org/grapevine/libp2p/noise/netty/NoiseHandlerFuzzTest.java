package org.grapevine.libp2p.noise.netty;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import org.grapevine.libp2p.crypto.PrivKey;
import org.grapevine.libp2p.noise.NoiseConfig;
import org.grapevine.libp2p.noise.NoiseRole;

/**
 * Random inbound reads: the responder waits or closes, but never throws, passes data on, or leaks.
 */
class NoiseHandlerFuzzTest {
  private static final PrivKey BOB = PrivKey.fromSeed(new byte[32]);

  @Property(tries = 300)
  void responder_randomReads_closeOrWaitQuietly(
      @ForAll @Size(max = 4) List<@Size(max = 300) byte[]> reads) {
    EmbeddedChannel bob =
        new EmbeddedChannel(
            new NoiseHandler(
                NoiseRole.RESPONDER,
                BOB,
                Optional.empty(),
                NoiseConfig.defaults(),
                new SplittableRandom(4)));
    List<ByteBuf> delivered = new java.util.ArrayList<>();
    for (byte[] read : reads) {
      ByteBuf buf = Unpooled.buffer(read.length).writeBytes(read);
      delivered.add(buf);
      if (bob.isOpen()) {
        bob.writeInbound(buf); // A partial frame stays in the decoder's cumulation until finish().
      } else {
        buf.release();
      }
    }
    bob.checkException();
    Object passedOn = bob.readInbound();
    assertThat(passedOn).isNull();
    ByteBuf out;
    while ((out = bob.readOutbound()) != null) {
      out.release(); // Message 2, if the reads happened to begin with a 32-byte message 1.
    }
    assertThat(bob.finish()).isFalse();
    assertThat(delivered).allMatch(buf -> buf.refCnt() == 0);
  }
}
