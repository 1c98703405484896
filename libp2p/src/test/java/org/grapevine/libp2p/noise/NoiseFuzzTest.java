package org.grapevine.libp2p.noise;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** Random bytes from a "peer" give typed failures only: never another exception, never success. */
class NoiseFuzzTest {
  @Property(tries = 500)
  void responder_randomMessages_failTypedAndNeverComplete(
      @ForAll("message1") byte[] first, @ForAll @Size(max = 400) byte[] third) {
    NoiseHandshake responder =
        new NoiseHandshake(
            NoiseRole.RESPONDER,
            HandshakePair.BOB,
            Optional.empty(),
            NoiseConfig.defaults(),
            new SplittableRandom(9),
            0);
    try {
      responder.handleMessage(first, 1);
      assertThat(responder.pollOutbound()).isPresent();
      responder.handleMessage(third, 2);
    } catch (NoiseException expected) {
      assertThat(expected.code()).isNotNull();
    }
    assertThat(responder.isComplete()).isFalse();
  }

  @Property(tries = 500)
  void initiator_randomMessage2_failsTyped(@ForAll @Size(max = 400) byte[] second) {
    NoiseHandshake initiator =
        new NoiseHandshake(
            NoiseRole.INITIATOR,
            HandshakePair.ALICE,
            Optional.empty(),
            NoiseConfig.defaults(),
            new SplittableRandom(8),
            0);
    assertThatThrownBy(() -> initiator.handleMessage(second, 1)).isInstanceOf(NoiseException.class);
    assertThat(initiator.isComplete()).isFalse();
  }

  @Property(tries = 300)
  void realHandshake_oneMessageTruncatedOrExtended_failsTyped(
      @ForAll @IntRange(min = 0, max = 2) int target,
      @ForAll @IntRange(min = -40, max = 40) int delta) {
    HandshakePair pair = new HandshakePair();
    try {
      pair.drive((i, m) -> i == target ? Arrays.copyOf(m, Math.max(0, m.length + delta)) : m);
    } catch (NoiseException expected) {
      assertThat(expected.code()).isIn(NoiseErrorCode.BAD_LENGTH, NoiseErrorCode.DECRYPT_FAILED);
      return;
    }
    // Any change of length must fail; only the untouched run completes.
    assertThat(delta).isZero();
  }

  @Property(tries = 500)
  void transport_randomStream_framesFailTypedAndDecoderNeverThrows(
      @ForAll @Size(max = 3000) List<Byte> stream) throws Exception {
    HandshakePair pair = new HandshakePair();
    pair.drive();
    NoiseSession session = pair.responder.session().orElseThrow();
    byte[] bytes = new byte[stream.size()];
    for (int i = 0; i < bytes.length; i++) {
      bytes[i] = stream.get(i);
    }
    ByteBuf in = Unpooled.buffer(bytes.length).writeBytes(bytes);
    ByteBuf frame = NoiseFrameCodec.decode(in);
    if (frame != null) {
      ByteBuf out = Unpooled.buffer();
      assertThatThrownBy(() -> session.decrypt(frame, out)).isInstanceOf(NoiseException.class);
      frame.release();
      out.release();
    }
    assertThat(in.release()).isTrue();
  }

  @Provide
  Arbitrary<byte[]> message1() {
    // Half the time exactly 32 bytes, which any X25519 key can be, so the third message gets tried.
    return Arbitraries.oneOf(
        Arbitraries.bytes().array(byte[].class).ofSize(32),
        Arbitraries.bytes().array(byte[].class).ofMaxSize(100));
  }
}
