package org.grapevine.libp2p.noise;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Transport framing over a real handshake's sessions. */
class NoiseSessionTest {
  private final List<ByteBuf> buffers = new ArrayList<>();
  private NoiseSession alice;
  private NoiseSession bob;

  @BeforeEach
  void handshake() throws Exception {
    HandshakePair pair = new HandshakePair();
    pair.drive();
    alice = pair.initiator.session().orElseThrow();
    bob = pair.responder.session().orElseThrow();
  }

  @AfterEach
  void release() {
    for (ByteBuf buf : buffers) {
      assertThat(buf.release()).as("last reference").isTrue();
    }
  }

  @Test
  void encrypt_200KiB_splitsIntoMaximalFramesAndRoundTrips() throws Exception {
    byte[] data = new byte[200 * 1024];
    new SplittableRandom(7).nextBytes(data);
    ByteBuf wire = track(Unpooled.buffer());
    alice.encrypt(Unpooled.wrappedBuffer(data), wire);

    List<Integer> frameLengths = new ArrayList<>();
    ByteBuf plaintext = track(Unpooled.buffer());
    ByteBuf frame;
    while ((frame = NoiseFrameCodec.decode(wire)) != null) {
      frameLengths.add(frame.readableBytes());
      bob.decrypt(frame, plaintext);
      frame.release();
    }
    assertThat(frameLengths).containsExactly(65535, 65535, 65535, 204800 - 3 * 65519 + 16);
    assertThat(ByteBufBytes.of(plaintext)).isEqualTo(data);
  }

  @Test
  void encrypt_emptyPlaintext_oneTagOnlyFrame() throws Exception {
    ByteBuf wire = track(Unpooled.buffer());
    alice.encrypt(Unpooled.EMPTY_BUFFER, wire);
    assertThat(wire.readableBytes()).isEqualTo(2 + 16);
    ByteBuf frame = NoiseFrameCodec.decode(wire);
    ByteBuf plaintext = track(Unpooled.buffer());
    bob.decrypt(frame, plaintext);
    frame.release();
    assertThat(plaintext.readableBytes()).isZero();
  }

  @Test
  void decrypt_tamperedFrame_decryptFailed() {
    ByteBuf wire = track(Unpooled.buffer());
    alice.encrypt(Unpooled.wrappedBuffer(new byte[100]), wire);
    wire.setByte(50, wire.getByte(50) ^ 0x20);
    wire.skipBytes(2);
    assertThatThrownBy(() -> bob.decrypt(wire, track(Unpooled.buffer())))
        .isInstanceOfSatisfying(
            NoiseException.class,
            e -> assertThat(e.code()).isEqualTo(NoiseErrorCode.DECRYPT_FAILED));
  }

  @Test
  void decrypt_framesOutOfOrder_decryptFailed() {
    ByteBuf first = track(Unpooled.buffer());
    ByteBuf second = track(Unpooled.buffer());
    alice.encrypt(Unpooled.wrappedBuffer(new byte[] {1}), first);
    alice.encrypt(Unpooled.wrappedBuffer(new byte[] {2}), second);
    second.skipBytes(2);
    assertThatThrownBy(() -> bob.decrypt(second, track(Unpooled.buffer())))
        .isInstanceOfSatisfying(
            NoiseException.class,
            e -> assertThat(e.code()).isEqualTo(NoiseErrorCode.DECRYPT_FAILED));
  }

  @Test
  void decrypt_shortFrame_badLength() {
    assertThatThrownBy(
            () ->
                bob.decrypt(track(Unpooled.wrappedBuffer(new byte[15])), track(Unpooled.buffer())))
        .isInstanceOfSatisfying(
            NoiseException.class, e -> assertThat(e.code()).isEqualTo(NoiseErrorCode.BAD_LENGTH));
  }

  @Test
  void decrypt_oversizeMessage_isOurBug() {
    assertThatThrownBy(
            () ->
                bob.decrypt(
                    track(Unpooled.wrappedBuffer(new byte[65536])), track(Unpooled.buffer())))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void directions_haveIndependentNonces() throws Exception {
    ByteBuf a = track(Unpooled.buffer());
    ByteBuf b = track(Unpooled.buffer());
    alice.encrypt(Unpooled.wrappedBuffer(new byte[] {1}), a);
    bob.encrypt(Unpooled.wrappedBuffer(new byte[] {1}), b);
    assertThat(ByteBufBytes.of(a))
        .isNotEqualTo(ByteBufBytes.of(b)); // Same plaintext and nonce, different keys.
    assertThat(alice.sender().nonce()).isEqualTo(1);
    assertThat(alice.receiver().nonce()).isZero();
  }

  private ByteBuf track(ByteBuf buf) {
    buffers.add(buf);
    return buf;
  }

  /** Readable bytes without consuming them. */
  static final class ByteBufBytes {
    static byte[] of(ByteBuf buf) {
      return io.netty.buffer.ByteBufUtil.getBytes(buf);
    }
  }
}
