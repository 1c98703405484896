package org.grapevine.libp2p.encoding;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import org.grapevine.libp2p.FrameError;
import org.grapevine.libp2p.MalformedFrameException;
import org.junit.jupiter.api.Test;

class VarintTest {
  @Test
  void encode_specExamples() {
    assertThat(Varint.encode(3)).containsExactly(0x03);
    assertThat(Varint.encode(128)).containsExactly(0x80, 0x01);
    assertThat(Varint.encode(769)).containsExactly(0x81, 0x06);
  }

  @Property(tries = 1000)
  void read_encodeOfAnyValue_roundTrips(@ForAll @LongRange(min = 0, max = Long.MAX_VALUE) long v)
      throws Exception {
    ByteBuf buf = Unpooled.wrappedBuffer(Varint.encode(v));
    assertThat(Varint.read(buf, Long.MAX_VALUE)).isEqualTo(v);
    assertThat(buf.isReadable()).isFalse();
  }

  @Test
  void read_incomplete_returnsMinusOneWithoutConsuming() throws Exception {
    ByteBuf buf = Unpooled.wrappedBuffer(new byte[] {(byte) 0x80});
    assertThat(Varint.read(buf, 1000)).isEqualTo(-1);
    assertThat(buf.readerIndex()).isZero();
  }

  @Test
  void read_overLimitNonMinimalOrTooLong_malformed() {
    assertThatThrownBy(() -> Varint.read(Unpooled.wrappedBuffer(Varint.encode(1025)), 1024))
        .isInstanceOf(MalformedFrameException.class)
        .extracting(e -> ((MalformedFrameException) e).code())
        .isEqualTo(FrameError.TOO_LARGE);
    assertThatThrownBy(
            () -> Varint.read(Unpooled.wrappedBuffer(new byte[] {(byte) 0x81, 0x00}), 1024))
        .isInstanceOf(MalformedFrameException.class)
        .extracting(e -> ((MalformedFrameException) e).code())
        .isEqualTo(FrameError.BAD_VARINT);
    byte[] ten = new byte[10];
    java.util.Arrays.fill(ten, (byte) 0x81);
    assertThatThrownBy(() -> Varint.read(Unpooled.wrappedBuffer(ten), Long.MAX_VALUE))
        .isInstanceOf(MalformedFrameException.class)
        .extracting(e -> ((MalformedFrameException) e).code())
        .isEqualTo(FrameError.BAD_VARINT);
    assertThatThrownBy(() -> Varint.decode(new byte[] {(byte) 0x81}, 0, 1024))
        .isInstanceOf(MalformedFrameException.class)
        .extracting(e -> ((MalformedFrameException) e).code())
        .isEqualTo(FrameError.TRUNCATED);
  }

  @Test
  void delimitedReader_lengthAboveTheLimit_tooLarge_beforeTheBodyArrives() {
    try (DelimitedReader reader =
        new DelimitedReader(io.netty.buffer.ByteBufAllocator.DEFAULT, 1024)) {
      assertThatThrownBy(() -> reader.feed(Unpooled.wrappedBuffer(Varint.encode(1025))))
          .isInstanceOf(MalformedFrameException.class)
          .extracting(e -> ((MalformedFrameException) e).code())
          .isEqualTo(FrameError.TOO_LARGE);
    }
  }

  @Test
  void read_slowPeerAnnouncingHugeLength_failsBeforeAllBytesArrive() {
    // Two continuation bytes already exceed a 1-KiB limit: no need to wait for the rest.
    ByteBuf buf = Unpooled.wrappedBuffer(new byte[] {(byte) 0xff, (byte) 0xff});
    assertThatThrownBy(() -> Varint.read(buf, 1024)).isInstanceOf(MalformedFrameException.class);
  }

  @Test
  void base58_andBase32_roundTrip() {
    byte[] data = {0, 0, 1, 2, (byte) 0xff, 17};
    assertThat(Base58.decode(Base58.encode(data))).isEqualTo(data);
    assertThat(Base58.encode(new byte[] {0, 0})).isEqualTo("11");
    assertThat(Base32.decode(Base32.encode(data))).isEqualTo(data);
    assertThat(Base32.encode("foobar".getBytes(UTF_8)))
        .isEqualTo("mzxw6ytboi"); // RFC 4648 vector, lowercase
  }
}
