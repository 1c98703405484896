package org.grapevine.libp2p.pnet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Locale;
import org.junit.jupiter.api.Test;

class SwarmKeyTest {
  private static final String HEX_KEY =
      "6189c5cf0b87fb800c1a9feeda73c6ab5e998db48fb9e6a978575c770ceef683";
  private static final String FILE = "/key/swarm/psk/1.0.0/\n/base16/\n" + HEX_KEY;

  @Test
  void parse_base16File_formatsBackByteForByte() throws Exception {
    SwarmKey key = SwarmKey.parse(FILE);
    assertThat(key.format()).isEqualTo(FILE);
    assertThat(key.psk()).isEqualTo(HexFormat.of().parseHex(HEX_KEY));
  }

  @Test
  void fingerprint_goIpfsVector_matches() throws Exception {
    // The value go-ipfs prints for this key (also pinned in rust-libp2p's pnet tests).
    assertThat(SwarmKey.parse(FILE).fingerprint()).isEqualTo("45fc986bbc9388a11d939df26f730f0c");
  }

  @Test
  void parse_crlfTrailingWhitespaceAndUpperCaseHex_accepted() throws Exception {
    SwarmKey key =
        SwarmKey.parse(
            "/key/swarm/psk/1.0.0/\r\n/base16/\r\n" + HEX_KEY.toUpperCase(Locale.ROOT) + " \r\n\n");
    assertThat(key).isEqualTo(SwarmKey.parse(FILE));
  }

  @Test
  void parse_base64AndBin_readButWrittenAsBase16() throws Exception {
    byte[] psk = HexFormat.of().parseHex(HEX_KEY);
    SwarmKey b64 =
        SwarmKey.parse(
            "/key/swarm/psk/1.0.0/\n/base64/\n" + Base64.getEncoder().encodeToString(psk) + "\n");
    byte[] header = "/key/swarm/psk/1.0.0/\n/bin/\n".getBytes(StandardCharsets.US_ASCII);
    byte[] bin = new byte[header.length + psk.length];
    System.arraycopy(header, 0, bin, 0, header.length);
    System.arraycopy(psk, 0, bin, header.length, psk.length);
    assertThat(b64.format()).isEqualTo(FILE);
    assertThat(SwarmKey.parse(bin).format()).isEqualTo(FILE);
  }

  @Test
  void generate_roundTripsThroughTheFileForm() throws Exception {
    SwarmKey key = SwarmKey.generate(new SecureRandom());
    assertThat(key.format()).matches("/key/swarm/psk/1\\.0\\.0/\n/base16/\n[0-9a-f]{64}");
    assertThat(SwarmKey.parse(key.format())).isEqualTo(key);
  }

  @Test
  void toString_neverShowsTheKey() throws Exception {
    assertThat(SwarmKey.parse(FILE).toString())
        .doesNotContain(HEX_KEY.substring(0, 8))
        .contains("45fc986b");
  }

  @Test
  void parse_wrongHeader_saysSo() {
    assertThatThrownBy(() -> SwarmKey.parse("/key/swarm/psk/2.0.0/\n/base16/\n" + HEX_KEY))
        .isInstanceOf(SwarmKeyException.class)
        .hasMessageContaining("first line must be /key/swarm/psk/1.0.0/");
  }

  @Test
  void parse_31Bytes_saysHowMany() {
    assertThatThrownBy(
            () -> SwarmKey.parse("/key/swarm/psk/1.0.0/\n/base16/\n" + HEX_KEY.substring(2)))
        .isInstanceOf(SwarmKeyException.class)
        .hasMessageContaining("62 hex digits")
        .hasMessageContaining("64");
    assertThatThrownBy(
            () ->
                SwarmKey.parse(
                    "/key/swarm/psk/1.0.0/\n/base64/\n"
                        + Base64.getEncoder().encodeToString(new byte[31])))
        .isInstanceOf(SwarmKeyException.class)
        .hasMessageContaining("31 bytes");
  }

  @Test
  void parse_nonHex_saysSoWithoutEchoingTheKey() {
    String bad = "zz" + HEX_KEY.substring(2);
    assertThatThrownBy(() -> SwarmKey.parse("/key/swarm/psk/1.0.0/\n/base16/\n" + bad))
        .isInstanceOf(SwarmKeyException.class)
        .hasMessageContaining("not hex digits")
        .hasMessageNotContaining(bad);
  }

  @Test
  void parse_unknownEncodingOrMissingLines_saySo() {
    assertThatThrownBy(() -> SwarmKey.parse("/key/swarm/psk/1.0.0/\n/base58/\n" + HEX_KEY))
        .isInstanceOf(SwarmKeyException.class)
        .hasMessageContaining("unknown key encoding");
    assertThatThrownBy(() -> SwarmKey.parse(HEX_KEY))
        .isInstanceOf(SwarmKeyException.class)
        .hasMessageContaining("three lines");
  }
}
