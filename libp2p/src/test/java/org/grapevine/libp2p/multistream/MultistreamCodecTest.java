package org.grapevine.libp2p.multistream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.util.HexFormat;
import java.util.List;
import org.grapevine.libp2p.FrameError;
import org.grapevine.libp2p.MalformedFrameException;
import org.junit.jupiter.api.Test;

class MultistreamCodecTest {
  private static final HexFormat HEX = HexFormat.of();

  static ByteBuf hex(String hex) {
    return Unpooled.wrappedBuffer(HEX.parseHex(hex.replace(" ", "")));
  }

  static String ascii(String text) {
    return HEX.formatHex(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  @Test
  void write_headerAndNoise_matchTheJsWireCapture() {
    ByteBuf out = Unpooled.buffer();
    MultistreamCodec.write(out, MultistreamCodec.PROTOCOL_ID);
    MultistreamCodec.write(out, "/noise");
    assertThat(ByteBufUtil.hexDump(out))
        .isEqualTo("13" + ascii("/multistream/1.0.0\n") + "07" + ascii("/noise\n"));
    out.release();
  }

  @Test
  void write_naAndLs_areTheSpecBytes() {
    ByteBuf out = Unpooled.buffer();
    MultistreamCodec.write(out, MultistreamCodec.NA);
    MultistreamCodec.write(out, MultistreamCodec.LS);
    assertThat(ByteBufUtil.hexDump(out)).isEqualTo("036e610a" + "036c730a");
    out.release();
  }

  @Test
  void read_wholeMessages_returnsTextsAndAdvances() throws Exception {
    ByteBuf in = hex("13" + ascii("/multistream/1.0.0\n") + "036e610a" + "07" + ascii("/noi"));
    assertThat(MultistreamCodec.read(in)).isEqualTo("/multistream/1.0.0");
    assertThat(MultistreamCodec.read(in)).isEqualTo("na");
    int before = in.readerIndex();
    assertThat(MultistreamCodec.read(in)).isNull();
    assertThat(in.readerIndex()).isEqualTo(before);
  }

  @Test
  void read_twoByteLength_acceptedUpToTheLimit() throws Exception {
    String text = "/" + "a".repeat(1022);
    ByteBuf out = Unpooled.buffer();
    MultistreamCodec.write(out, text);
    assertThat(out.getUnsignedByte(0)).isEqualTo((short) 0x80); // 1024 = 0x80 0x08
    assertThat(MultistreamCodec.read(out)).isEqualTo(text);
  }

  @Test
  void read_oversizedLength_isMalformed() {
    assertThatThrownBy(() -> MultistreamCodec.read(hex("8108"))) // 1025
        .isInstanceOf(MalformedFrameException.class)
        .hasMessageContaining("exceeds")
        .extracting(e -> ((MalformedFrameException) e).code())
        .isEqualTo(FrameError.TOO_LARGE);
  }

  @Test
  void read_threeByteVarint_isMalformedBeforeTheThirdByte() {
    assertThatThrownBy(() -> MultistreamCodec.read(hex("8080")))
        .isInstanceOf(MalformedFrameException.class)
        .hasMessageContaining("longer than 2 bytes")
        .extracting(e -> ((MalformedFrameException) e).code())
        .isEqualTo(FrameError.BAD_VARINT);
  }

  @Test
  void read_missingNewline_isMalformed() {
    assertThatThrownBy(() -> MultistreamCodec.read(hex("03 6e 61 61")))
        .isInstanceOf(MalformedFrameException.class)
        .hasMessageContaining("newline");
  }

  @Test
  void read_zeroLength_isMalformed() {
    assertThatThrownBy(() -> MultistreamCodec.read(hex("00")))
        .isInstanceOf(MalformedFrameException.class);
  }

  @Test
  void read_badUtf8_isMalformed() {
    assertThatThrownBy(() -> MultistreamCodec.read(hex("03 c3 28 0a")))
        .isInstanceOf(MalformedFrameException.class)
        .hasMessageContaining("UTF-8")
        .extracting(e -> ((MalformedFrameException) e).code())
        .isEqualTo(FrameError.BAD_ENCODING);
  }

  @Test
  void write_newlineOrOversized_isOurBug() {
    assertThatThrownBy(() -> MultistreamCodec.write(Unpooled.buffer(), "a\nb"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> MultistreamCodec.write(Unpooled.buffer(), "x".repeat(1024)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void writeList_twoProtocols_nestedLengthsAndFinalNewline() throws Exception {
    ByteBuf out = Unpooled.buffer();
    MultistreamCodec.writeList(out, List.of("/a", "/bc"));
    // body = 03 "/a\n" 04 "/bc\n" "\n" = 10 bytes
    assertThat(ByteBufUtil.hexDump(out))
        .isEqualTo("0a" + "03" + ascii("/a\n") + "04" + ascii("/bc\n") + "0a");
    out.release();
  }
}
