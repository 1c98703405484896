package org.grapevine.libp2p.noise;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.grapevine.libp2p.noise.crypto.AeadImplementation;
import org.junit.jupiter.api.Test;

class NoiseCipherStateTest {
  private static final HexFormat HEX = HexFormat.of();
  private static final byte[] KEY =
      HEX.parseHex("808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f");

  /**
   * RFC 8439 section 2.8.2 uses nonce 07000000 4041424344454647, which is not a Noise nonce; so
   * check the nonce layout instead: message n must equal a fresh cipher keyed the same at n.
   */
  @Test
  void encrypt_nonceCountsUpFromZeroLittleEndian() {
    NoiseCipherState a = new NoiseCipherState(KEY);
    byte[] first = a.encrypt(new byte[4], 0, 4);
    byte[] second = a.encrypt(new byte[4], 0, 4);
    assertThat(first).isEqualTo(new NoiseCipherState(KEY, 0).encrypt(new byte[4], 0, 4));
    assertThat(second).isEqualTo(new NoiseCipherState(KEY, 1).encrypt(new byte[4], 0, 4));
    assertThat(second).isNotEqualTo(new NoiseCipherState(KEY, 1L << 56).encrypt(new byte[4], 0, 4));
    assertThat(a.nonce()).isEqualTo(2);
  }

  /** Run the Noise tests with -Dgrapevine.noise.aead=jdk and =ours: this proves the forcing. */
  @Test
  void selected_underForcingProperty_isTheForcedImplementation() {
    String forced = System.getProperty(AeadImplementation.PROPERTY);
    assumeTrue(forced != null && !forced.equals("auto"), "no -D" + AeadImplementation.PROPERTY);
    assertThat(AeadImplementation.selected().propertyValue()).isEqualTo(forced);
  }

  @Test
  void decrypt_otherImplementationSealed_roundTripsBothWays() throws Exception {
    byte[] hello = "hello".getBytes(StandardCharsets.UTF_8);
    for (AeadImplementation from : AeadImplementation.values()) {
      for (AeadImplementation to : AeadImplementation.values()) {
        NoiseCipherState send = new NoiseCipherState(KEY, 5, from);
        NoiseCipherState receive = new NoiseCipherState(KEY, 5, to);
        byte[] c = send.encrypt(hello, 0, hello.length);
        assertThat(receive.decrypt(c, 0, c.length)).as("%s to %s", from, to).isEqualTo(hello);
        c[0] ^= 1;
        NoiseCipherState next = new NoiseCipherState(KEY, 5, to);
        assertThatThrownBy(() -> next.decrypt(c, 0, c.length)).isInstanceOf(NoiseException.class);
      }
    }
  }

  @Test
  void decrypt_roundTripAndEmptyPlaintext() throws Exception {
    NoiseCipherState send = new NoiseCipherState(KEY);
    NoiseCipherState receive = new NoiseCipherState(KEY);
    byte[] hello = "hello".getBytes(StandardCharsets.UTF_8);
    byte[] c1 = send.encrypt(hello, 0, hello.length);
    byte[] c2 = send.encrypt(new byte[0], 0, 0);
    assertThat(c1).hasSize(5 + 16);
    assertThat(c2).hasSize(16);
    assertThat(receive.decrypt(c1, 0, c1.length)).isEqualTo(hello);
    assertThat(receive.decrypt(c2, 0, c2.length)).isEmpty();
  }

  @Test
  void decrypt_flippedBit_failsAndStateRefusesFurtherUse() {
    NoiseCipherState send = new NoiseCipherState(KEY);
    NoiseCipherState receive = new NoiseCipherState(KEY);
    byte[] c = send.encrypt(new byte[10], 0, 10);
    c[3] ^= 0x01;
    assertThatThrownBy(() -> receive.decrypt(c, 0, c.length))
        .isInstanceOfSatisfying(
            NoiseException.class,
            e -> assertThat(e.code()).isEqualTo(NoiseErrorCode.DECRYPT_FAILED))
        .hasMessageContaining("remote");
    c[3] ^= 0x01;
    assertThatThrownBy(() -> receive.decrypt(c, 0, c.length))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void decrypt_shorterThanTag_badLength() {
    NoiseCipherState receive = new NoiseCipherState(KEY);
    assertThatThrownBy(() -> receive.decrypt(new byte[15], 0, 15))
        .isInstanceOfSatisfying(
            NoiseException.class, e -> assertThat(e.code()).isEqualTo(NoiseErrorCode.BAD_LENGTH));
  }

  @Test
  void nonce_reservedMaximum_refusedBothWays() throws Exception {
    NoiseCipherState send = new NoiseCipherState(KEY, -2L); // 2^64 - 2: the last usable nonce.
    NoiseCipherState receive = new NoiseCipherState(KEY, -2L);
    byte[] last = send.encrypt(new byte[1], 0, 1);
    assertThat(receive.decrypt(last, 0, last.length)).hasSize(1);
    assertThatThrownBy(() -> send.encrypt(new byte[1], 0, 1))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("NONCE_EXHAUSTED");
    assertThatThrownBy(() -> receive.decrypt(last, 0, last.length))
        .isInstanceOfSatisfying(
            NoiseException.class,
            e -> assertThat(e.code()).isEqualTo(NoiseErrorCode.NONCE_EXHAUSTED));
  }

  @Test
  void noKey_passesPlaintextThrough() throws Exception {
    NoiseCipherState empty = new NoiseCipherState();
    assertThat(empty.hasKey()).isFalse();
    assertThat(empty.encryptWithAd(new byte[0], new byte[] {1, 2}, 0, 2)).containsExactly(1, 2);
    assertThat(empty.decryptWithAd(new byte[0], new byte[] {3}, 0, 1)).containsExactly(3);
  }

  @Test
  void hkdf_twoOutputs_matchHmacChainDefinition() throws Exception {
    // Noise section 4.3 by hand: t = HMAC(ck, ikm); o1 = HMAC(t, 01); o2 = HMAC(t, o1 || 02).
    byte[] ck = new byte[32];
    byte[] ikm = "ikm".getBytes(StandardCharsets.UTF_8);
    javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
    mac.init(new javax.crypto.spec.SecretKeySpec(ck, "HmacSHA256"));
    byte[] t = mac.doFinal(ikm);
    mac.init(new javax.crypto.spec.SecretKeySpec(t, "HmacSHA256"));
    byte[] o1 = mac.doFinal(new byte[] {1});
    mac.update(o1);
    byte[] o2 = mac.doFinal(new byte[] {2});
    byte[][] out = NoiseSymmetricState.hkdf(ck, ikm, 2);
    assertThat(out[0]).isEqualTo(o1);
    assertThat(out[1]).isEqualTo(o2);
  }
}
