package org.grapevine.libp2p.noise;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

class NoiseFrameCodecTest {
  @Test
  void encode_writesBigEndianLengthThenBody() {
    ByteBuf out = Unpooled.buffer();
    NoiseFrameCodec.encode(new byte[] {7, 8, 9}, out);
    assertThat(ByteBufUtil.hexDump(out)).isEqualTo("0003070809");
    out.release();
  }

  @Test
  void encode_over65535_isOurBug() {
    assertThatThrownBy(() -> NoiseFrameCodec.encode(new byte[65536], Unpooled.buffer()))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void decode_byteByByte_waitsForWholeFrameThenNextStarts() {
    ByteBuf in = Unpooled.buffer();
    byte[] wire = {0x00, 0x02, 0x41, 0x42, 0x00, 0x00, 0x00};
    for (int i = 0; i < 4; i++) {
      assertThat(NoiseFrameCodec.decode(in)).isNull();
      assertThat(in.readerIndex()).isZero();
      in.writeByte(wire[i]);
    }
    ByteBuf frame = NoiseFrameCodec.decode(in);
    assertThat(ByteBufUtil.hexDump(frame)).isEqualTo("4142");
    frame.release();
    in.writeBytes(wire, 4, 2);
    ByteBuf empty = NoiseFrameCodec.decode(in);
    assertThat(empty.readableBytes()).isZero();
    empty.release();
    in.writeByte(wire[6]);
    assertThat(NoiseFrameCodec.decode(in)).isNull();
    assertThat(in.release()).isTrue();
  }

  @Test
  void decode_maximalLength_accepted() {
    ByteBuf in = Unpooled.buffer();
    in.writeShort(0xffff);
    in.writeZero(0xffff);
    ByteBuf frame = NoiseFrameCodec.decode(in);
    assertThat(frame.readableBytes()).isEqualTo(65535);
    frame.release();
    assertThat(in.release()).isTrue();
  }
}
