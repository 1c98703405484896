package org.grapevine.libp2p.noise.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.grapevine.libp2p.noise.crypto.Rfc8439Vectors.IETF_CONTRIBUTION;
import static org.grapevine.libp2p.noise.crypto.Rfc8439Vectors.JABBERWOCKY;
import static org.grapevine.libp2p.noise.crypto.Rfc8439Vectors.KEY_1C92;
import static org.grapevine.libp2p.noise.crypto.Rfc8439Vectors.hex;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * Poly1305 against RFC 8439 section 2.5.2 and every vector of appendix A.3, including #5-#11, which
 * target the carries and the final reduction of limb-based implementations like this one.
 */
class Poly1305Test {
  private static final String ZERO_16 = "00000000000000000000000000000000";

  @Test
  void mac_section252_cryptographicForum() {
    byte[] msg = "Cryptographic Forum Research Group".getBytes(StandardCharsets.US_ASCII);
    assertThat(mac("85d6be7857556d337f4452fe42d506a80103808afb0db2fd4abff6af4149f51b", msg))
        .isEqualTo("a8061dc1305136c6c22b8baf0c0127a9");
  }

  @Test
  void mac_appendixA3Vector1_zeroKeyZeroText() {
    assertThat(mac(ZERO_16 + ZERO_16, new byte[64])).isEqualTo(ZERO_16);
  }

  @Test
  void mac_appendixA3Vector2_rZeroGivesS() {
    assertThat(mac(ZERO_16 + "36e5f6b5c5e06070f0efca96227a863e", IETF_CONTRIBUTION))
        .isEqualTo("36e5f6b5c5e06070f0efca96227a863e");
  }

  @Test
  void mac_appendixA3Vector3_sZero() {
    assertThat(mac("36e5f6b5c5e06070f0efca96227a863e" + ZERO_16, IETF_CONTRIBUTION))
        .isEqualTo("f3477e7cd95417af89a6b8794c310cf0");
  }

  @Test
  void mac_appendixA3Vector4_jabberwocky() {
    assertThat(mac(hex(KEY_1C92), JABBERWOCKY)).isEqualTo("4541669a7eaaee61e708dc7cbcc5eb62");
  }

  @Test
  void mac_appendixA3Vector5_partiallyReducedResultNotFullyReduced() {
    assertThat(mac("02" + "00".repeat(15) + ZERO_16, hex("ff".repeat(16))))
        .isEqualTo("03" + "00".repeat(15));
  }

  @Test
  void mac_appendixA3Vector6_additionOfSOverflows() {
    assertThat(mac("02" + "00".repeat(15) + "ff".repeat(16), hex("02" + "00".repeat(15))))
        .isEqualTo("03" + "00".repeat(15));
  }

  @Test
  void mac_appendixA3Vector7_allOnesLimbWithCarry() {
    byte[] data = hex("ff".repeat(16) + "f0" + "ff".repeat(15) + "11" + "00".repeat(15));
    assertThat(mac("01" + "00".repeat(15) + ZERO_16, data)).isEqualTo("05" + "00".repeat(15));
  }

  @Test
  void mac_appendixA3Vector8_resultExactlyP() {
    byte[] data = hex("ff".repeat(16) + "fb" + "fe".repeat(15) + "01".repeat(16));
    assertThat(mac("01" + "00".repeat(15) + ZERO_16, data)).isEqualTo(ZERO_16);
  }

  @Test
  void mac_appendixA3Vector9_resultExactlyPMinus1() {
    assertThat(mac("02" + "00".repeat(15) + ZERO_16, hex("fd" + "ff".repeat(15))))
        .isEqualTo("fa" + "ff".repeat(15));
  }

  @Test
  void mac_appendixA3Vector10_131BitIntermediate() {
    byte[] data =
        hex(
            "e33594d7505e43b9"
                + "00".repeat(8)
                + "3394d7505e4379cd"
                + "01"
                + "00".repeat(7)
                + ZERO_16
                + "01"
                + "00".repeat(15));
    assertThat(mac("01" + "00".repeat(7) + "04" + "00".repeat(7) + ZERO_16, data))
        .isEqualTo("14" + "00".repeat(7) + "55" + "00".repeat(7));
  }

  @Test
  void mac_appendixA3Vector11_131BitFinal() {
    byte[] data =
        hex(
            "e33594d7505e43b9"
                + "00".repeat(8)
                + "3394d7505e4379cd"
                + "01"
                + "00".repeat(7)
                + ZERO_16);
    assertThat(mac("01" + "00".repeat(7) + "04" + "00".repeat(7) + ZERO_16, data))
        .isEqualTo("13" + "00".repeat(15));
  }

  @Test
  void init_again_startsAFreshMac() {
    Poly1305 p = new Poly1305();
    byte[] key = KEY_1C92;
    p.init(key, 0);
    p.message(IETF_CONTRIBUTION, 0, IETF_CONTRIBUTION.length);
    p.finish(new byte[16], 0);
    p.init(key, 0);
    p.message(JABBERWOCKY, 0, JABBERWOCKY.length);
    byte[] tag = new byte[16];
    p.finish(tag, 0);
    assertThat(hex(tag)).isEqualTo("4541669a7eaaee61e708dc7cbcc5eb62");
  }

  private static String mac(String key, byte[] msg) {
    Poly1305 p = new Poly1305();
    p.init(hex(key), 0);
    p.message(msg, 0, msg.length);
    byte[] tag = new byte[16];
    p.finish(tag, 0);
    return hex(tag);
  }
}
