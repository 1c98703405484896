package org.grapevine.libp2p.yamux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.util.HexFormat;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class YamuxFrameCodecTest {
  private static final HexFormat HEX = HexFormat.of();
  private static final int MAX = YamuxConfig.INITIAL_WINDOW_BYTES;
  private static final UnpooledByteBufAllocator ALLOC = UnpooledByteBufAllocator.DEFAULT;

  private static ByteBuf hex(String s) {
    return Unpooled.wrappedBuffer(HEX.parseHex(s));
  }

  private static String encodeHex(YamuxFrame frame) {
    ByteBuf out = YamuxFrameCodec.encode(frame, ALLOC);
    try {
      return ByteBufUtil.hexDump(out);
    } finally {
      out.release();
    }
  }

  @Test
  void decode_jsOpeningFrame_isWindowUpdateSynStream1Delta0() throws Exception {
    YamuxFrame f = YamuxFrameCodec.decode(hex("000100010000000100000000"), MAX);
    assertThat(f).isEqualTo(YamuxFrame.windowUpdate(1, YamuxFlags.SYN, 0));
    assertThat(encodeHex(f)).isEqualTo("000100010000000100000000");
  }

  @Test
  void encode_specVectors_matchByteForByte() {
    assertThat(encodeHex(YamuxFrame.data(3, YamuxFlags.ACK | YamuxFlags.FIN, hex("cafe"))))
        .isEqualTo("00000006" + "00000003" + "00000002" + "cafe");
    assertThat(encodeHex(YamuxFrame.ping(YamuxFlags.ACK, 0xfffffffeL)))
        .isEqualTo("00020002" + "00000000" + "fffffffe");
    assertThat(encodeHex(YamuxFrame.goAway(YamuxErrorCode.PROTOCOL_ERROR)))
        .isEqualTo("000300000000000000000001");
    assertThat(encodeHex(YamuxFrame.windowUpdate(0xfffffffeL, YamuxFlags.RST, 0)))
        .isEqualTo("00010008fffffffe00000000");
  }

  @Test
  void decode_dataFrame_returnsRetainedSliceAndConsumesExactlyOneFrame() throws Exception {
    ByteBuf in = hex("00000000000000020000000301020300");
    YamuxFrame f = YamuxFrameCodec.decode(in, MAX);
    assertThat(f.type()).isEqualTo(YamuxType.DATA);
    assertThat(f.streamId()).isEqualTo(2);
    assertThat(ByteBufUtil.hexDump(f.payload())).isEqualTo("010203");
    assertThat(in.readableBytes()).isEqualTo(1);
    f.payload().release();
    assertThat(in.refCnt()).isEqualTo(1);
  }

  @Test
  void decode_incompleteHeaderOrBody_returnsNullWithoutConsuming() throws Exception {
    ByteBuf header = hex("0000000000000002000000");
    assertThat(YamuxFrameCodec.decode(header, MAX)).isNull();
    assertThat(header.readerIndex()).isZero();
    ByteBuf body = hex("000000000000000200000003" + "0102");
    assertThat(YamuxFrameCodec.decode(body, MAX)).isNull();
    assertThat(body.readerIndex()).isZero();
    assertThat(YamuxFrameCodec.frameBytes(body)).isEqualTo(15);
  }

  @Test
  void decode_badVersionUnknownTypeOrOversizedData_isProtocolError() {
    for (String bad :
        new String[] {
          "010100010000000100000000", "000400000000000000000000", "000000000000000100040001"
        }) {
      assertThatThrownBy(() -> YamuxFrameCodec.decode(hex(bad), MAX))
          .as(bad)
          .isInstanceOfSatisfying(
              YamuxException.class,
              e -> assertThat(e.errorCode()).isEqualTo(YamuxErrorCode.PROTOCOL_ERROR));
    }
  }

  @Test
  void decode_windowUpdateWithHugeDelta_isNotLimitedByMaxData() throws Exception {
    YamuxFrame f = YamuxFrameCodec.decode(hex("0001000000000001ffffffff"), MAX);
    assertThat(f.length()).isEqualTo(0xffffffffL);
  }

  @Property(tries = 500)
  void encodeThenDecode_anyFrame_roundTrips(
      @ForAll @IntRange(min = 0, max = 3) int typeCode,
      @ForAll @IntRange(min = 0, max = 0xffff) int flags,
      @ForAll @LongRange(min = 0, max = 0xffffffffL) long streamId,
      @ForAll @LongRange(min = 0, max = 0xffffffffL) long length,
      @ForAll @Size(max = 300) byte[] payload)
      throws Exception {
    YamuxType type = YamuxType.fromCode(typeCode);
    YamuxFrame frame =
        type == YamuxType.DATA
            ? YamuxFrame.data(streamId, flags, Unpooled.wrappedBuffer(payload))
            : new YamuxFrame(0, type, flags, streamId, length, Unpooled.EMPTY_BUFFER);
    YamuxFrame expected =
        type == YamuxType.DATA
            ? YamuxFrame.data(streamId, flags, Unpooled.wrappedBuffer(payload))
            : frame;
    ByteBuf wire = YamuxFrameCodec.encode(frame, ALLOC);
    YamuxFrame decoded = YamuxFrameCodec.decode(wire, MAX);
    assertThat(decoded).isEqualTo(expected); // ByteBuf equality compares readable bytes
    assertThat(wire.isReadable()).isFalse();
    decoded.payload().release();
    wire.release();
    assertThat(wire.refCnt()).isZero();
  }
}
