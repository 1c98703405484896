package org.grapevine.libp2p.bitswap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import org.grapevine.libp2p.kad.RawCid;
import org.junit.jupiter.api.Test;

class CidTest {
  private static final String HELLO_WORLD_CID =
      "bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e";

  @Test
  void rawSha256_helloWorld_isTheWellKnownCid() throws Exception {
    byte[] data = "hello world".getBytes(StandardCharsets.US_ASCII);
    Cid cid = Cid.rawSha256(data);

    assertThat(cid).hasToString(HELLO_WORLD_CID);
    // A second computation: the JDK's digest, wrapped by the kad package's independent text form.
    byte[] digest = MessageDigest.getInstance("SHA-256").digest(data);
    byte[] multihash = new byte[34];
    multihash[0] = 0x12;
    multihash[1] = 0x20;
    System.arraycopy(digest, 0, multihash, 2, 32);
    assertThat(RawCid.text(multihash)).isEqualTo(HELLO_WORLD_CID);
    assertThat(cid.digest()).isEqualTo(digest);
    assertThat(Arrays.copyOf(cid.bytes(), 4)).containsExactly(0x01, 0x55, 0x12, 0x20);
    assertThat(cid.codec()).isEqualTo(Cid.RAW);
    assertThat(Cid.parseText(HELLO_WORLD_CID)).isEqualTo(cid);
    assertThat(Cid.parse(cid.bytes())).isEqualTo(cid);
  }

  @Test
  void prefix_cidOfData_rebuildsTheCid() throws Exception {
    byte[] data = "hello world".getBytes(StandardCharsets.US_ASCII);
    Cid cid = Cid.rawSha256(data);

    assertThat(cid.prefix().encode()).containsExactly(0x01, 0x55, 0x12, 0x20);
    CidPrefix prefix = CidPrefix.decode(new byte[] {0x01, 0x55, 0x12, 0x20});
    assertThat(prefix).isEqualTo(cid.prefix());
    assertThat(prefix.cidOf(data)).isEqualTo(cid);
    assertThat(prefix.cidOf("hello worle".getBytes(StandardCharsets.US_ASCII))).isNotEqualTo(cid);
    // A codec above 127 (dag-json, 0x0129) takes a two-byte varint.
    CidPrefix dagJson = Cid.sha256(0x0129, data).prefix();
    assertThat(dagJson.encode()).containsExactly(0x01, 0xa9, 0x02, 0x12, 0x20);
    assertThat(CidPrefix.decode(dagJson.encode()).cidOf(data)).isEqualTo(Cid.sha256(0x0129, data));
  }

  @Property(tries = 200)
  void parse_binaryAndText_roundTrip(@ForAll @Size(max = 300) byte[] data) throws Exception {
    Cid cid = Cid.rawSha256(data);
    assertThat(Cid.parse(cid.bytes())).isEqualTo(cid);
    assertThat(Cid.parseText(cid.toString())).isEqualTo(cid);
    assertThat(CidPrefix.decode(cid.prefix().encode()).cidOf(data)).isEqualTo(cid);
  }

  @Test
  void parse_cidV0OrOtherHash_unsupported() {
    byte[] digest = new byte[32];
    byte[] v0 = concat(new byte[] {0x12, 0x20}, digest);
    byte[] sha3 = concat(new byte[] {0x01, 0x55, 0x16, 0x20}, digest);
    byte[] v2 = concat(new byte[] {0x02, 0x55, 0x12, 0x20}, digest);

    assertCode(v0, BitswapError.UNSUPPORTED_CID);
    assertCode(sha3, BitswapError.UNSUPPORTED_CID);
    assertCode(v2, BitswapError.UNSUPPORTED_CID);
  }

  @Test
  void parse_badBytes_badCid() {
    byte[] digest = new byte[32];
    assertCode(new byte[0], BitswapError.BAD_CID);
    // truncated digest, trailing byte, a digest length sha2-256 never has
    assertCode(concat(new byte[] {0x01, 0x55, 0x12, 0x20}, new byte[31]), BitswapError.BAD_CID);
    assertCode(concat(new byte[] {0x01, 0x55, 0x12, 0x20}, new byte[33]), BitswapError.BAD_CID);
    assertCode(concat(new byte[] {0x01, 0x55, 0x12, 0x14}, new byte[20]), BitswapError.BAD_CID);
    // version 0 written as a varint, a non-minimal codec varint
    assertCode(concat(new byte[] {0x00, 0x55, 0x12, 0x20}, digest), BitswapError.BAD_CID);
    assertCode(
        concat(new byte[] {0x01, (byte) 0xd5, 0x00, 0x12, 0x20}, digest), BitswapError.BAD_CID);
    assertThatThrownBy(() -> CidPrefix.decode(new byte[] {0x01, 0x55, 0x12, 0x20, 0x00}))
        .isInstanceOfSatisfying(
            BitswapException.class, e -> assertThat(e.code()).isEqualTo(BitswapError.BAD_CID));
    assertThatThrownBy(() -> Cid.parseText("zQm"))
        .isInstanceOfSatisfying(
            BitswapException.class, e -> assertThat(e.code()).isEqualTo(BitswapError.BAD_CID));
  }

  private static void assertCode(byte[] bytes, BitswapError code) {
    assertThatThrownBy(() -> Cid.parse(bytes))
        .isInstanceOfSatisfying(BitswapException.class, e -> assertThat(e.code()).isEqualTo(code));
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
