package org.grapevine.libp2p.noise.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.grapevine.libp2p.noise.crypto.Rfc8439Vectors.IETF_CONTRIBUTION;
import static org.grapevine.libp2p.noise.crypto.Rfc8439Vectors.JABBERWOCKY;
import static org.grapevine.libp2p.noise.crypto.Rfc8439Vectors.KEY_1C92;
import static org.grapevine.libp2p.noise.crypto.Rfc8439Vectors.KEY_80;
import static org.grapevine.libp2p.noise.crypto.Rfc8439Vectors.KEY_COUNTING;
import static org.grapevine.libp2p.noise.crypto.Rfc8439Vectors.KEY_ONE;
import static org.grapevine.libp2p.noise.crypto.Rfc8439Vectors.KEY_ZERO;
import static org.grapevine.libp2p.noise.crypto.Rfc8439Vectors.SUNSCREEN;
import static org.grapevine.libp2p.noise.crypto.Rfc8439Vectors.hex;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The ChaCha20 block function and cipher against every RFC 8439 vector for them. */
class ChaCha20Test {
  private static final String NONCE_ZERO = "000000000000000000000000";
  private static final String NONCE_TWO = "000000000000000000000002";

  // --- Block function: section 2.3.2, appendix A.1, and the one-time keys of 2.6.2, 2.8.2, A.4.

  @Test
  void block_section232_matchesSerializedBlock() {
    assertThat(block(KEY_COUNTING, 1, "000000090000004a00000000"))
        .isEqualTo(
            "10f1e7e4d13b5915500fdd1fa32071c4c7d1f4c733c068030422aa9ac3d46c4e"
                + "d2826446079faa0914c2d705d98b02a2b5129cd1de164eb9cbd083e8a2503c4e");
  }

  @Test
  void block_appendixA1Vector1_zeroKeyCounter0() {
    assertThat(block(KEY_ZERO, 0, NONCE_ZERO))
        .isEqualTo(
            "76b8e0ada0f13d90405d6ae55386bd28bdd219b8a08ded1aa836efcc8b770dc7"
                + "da41597c5157488d7724e03fb8d84a376a43b8f41518a11cc387b669b2ee6586");
  }

  @Test
  void block_appendixA1Vector2_zeroKeyCounter1() {
    assertThat(block(KEY_ZERO, 1, NONCE_ZERO))
        .isEqualTo(
            "9f07e7be5551387a98ba977c732d080dcb0f29a048e3656912c6533e32ee7aed"
                + "29b721769ce64e43d57133b074d839d531ed1f28510afb45ace10a1f4b794d6f");
  }

  @Test
  void block_appendixA1Vector3_lastKeyBitCounter1() {
    assertThat(block(KEY_ONE, 1, NONCE_ZERO))
        .isEqualTo(
            "3aeb5224ecf849929b9d828db1ced4dd832025e8018b8160b82284f3c949aa5a"
                + "8eca00bbb4a73bdad192b5c42f73f2fd4e273644c8b36125a64addeb006c13a0");
  }

  @Test
  void block_appendixA1Vector4_keyByte1Counter2() {
    byte[] key = new byte[32];
    key[1] = (byte) 0xff;
    assertThat(block(key, 2, NONCE_ZERO))
        .isEqualTo(
            "72d54dfbf12ec44b362692df94137f328fea8da73990265ec1bbbea1ae9af0ca"
                + "13b25aa26cb4a648cb9b9d1be65b2c0924a66c54d545ec1b7374f4872e99f096");
  }

  @Test
  void block_appendixA1Vector5_lastNonceByte() {
    assertThat(block(KEY_ZERO, 0, NONCE_TWO))
        .isEqualTo(
            "c2c64d378cd536374ae204b9ef933fcd1a8b2288b3dfa49672ab765b54ee27c7"
                + "8a970e0e955c14f3a88e741b97c286f75f8fc299e8148362fa198a39531bed6d");
  }

  @Test
  void block_section262_poly1305KeyGeneration() {
    assertThat(block(KEY_80, 0, "000000000001020304050607").substring(0, 64))
        .isEqualTo("8ad5a08b905f81cc815040274ab29471a833b637e3fd0da508dbb8e2fdd1a646");
  }

  @Test
  void block_section282_poly1305KeyOfTheAeadExample() {
    assertThat(block(KEY_80, 0, "070000004041424344454647").substring(0, 64))
        .isEqualTo("7bac2b252db447af09b67a55a4e955840ae1d6731075d9eb2a9375783ed553ff");
  }

  @Test
  void block_appendixA4_poly1305KeyGeneration() {
    assertThat(block(KEY_ZERO, 0, NONCE_ZERO).substring(0, 64))
        .isEqualTo("76b8e0ada0f13d90405d6ae55386bd28bdd219b8a08ded1aa836efcc8b770dc7");
    assertThat(block(KEY_ONE, 0, NONCE_TWO).substring(0, 64))
        .isEqualTo("ecfa254f845f647473d3cb140da9e87606cb33066c447b87bc2666dde3fbb739");
    assertThat(block(KEY_1C92, 0, NONCE_TWO).substring(0, 64))
        .isEqualTo("965e3bc6f9ec7ed9560808f4d229f94b137ff275ca9b3fcbdd59deaad23310ae");
  }

  // --- Encryption: section 2.4.2 and appendix A.2.

  @Test
  void xor_section242_sunscreen() {
    assertThat(hex(xor(KEY_COUNTING, 1, "000000000000004a00000000", SUNSCREEN)))
        .isEqualTo(
            "6e2e359a2568f98041ba0728dd0d6981e97e7aec1d4360c20a27afccfd9fae0b"
                + "f91b65c5524733ab8f593dabcd62b3571639d624e65152ab8f530c359f0861d8"
                + "07ca0dbf500d6a6156a38e088a22b65e52bc514d16ccf806818ce91ab7793736"
                + "5af90bbf74a35be6b40b8eedf2785e42874d");
  }

  @Test
  void xor_appendixA2Vector1_zeroPlaintextGivesKeystream() {
    assertThat(hex(xor(KEY_ZERO, 0, NONCE_ZERO, new byte[64])))
        .isEqualTo(
            "76b8e0ada0f13d90405d6ae55386bd28bdd219b8a08ded1aa836efcc8b770dc7"
                + "da41597c5157488d7724e03fb8d84a376a43b8f41518a11cc387b669b2ee6586");
  }

  @Test
  void xor_appendixA2Vector2_ietfContribution() {
    assertThat(IETF_CONTRIBUTION).hasSize(375);
    assertThat(hex(xor(KEY_ONE, 1, NONCE_TWO, IETF_CONTRIBUTION)))
        .isEqualTo(
            "a3fbf07df3fa2fde4f376ca23e82737041605d9f4f4f57bd8cff2c1d4b7955ec"
                + "2a97948bd3722915c8f3d337f7d370050e9e96d647b7c39f56e031ca5eb6250d"
                + "4042e02785ececfa4b4bb5e8ead0440e20b6e8db09d881a7c6132f420e527950"
                + "42bdfa7773d8a9051447b3291ce1411c680465552aa6c405b7764d5e87bea85a"
                + "d00f8449ed8f72d0d662ab052691ca66424bc86d2df80ea41f43abf937d3259d"
                + "c4b2d0dfb48a6c9139ddd7f76966e928e635553ba76c5c879d7b35d49eb2e62b"
                + "0871cdac638939e25e8a1e0ef9d5280fa8ca328b351c3c765989cbcf3daa8b6c"
                + "cc3aaf9f3979c92b3720fc88dc95ed84a1be059c6499b9fda236e7e818b04b0b"
                + "c39c1e876b193bfe5569753f88128cc08aaa9b63d1a16f80ef2554d7189c411f"
                + "5869ca52c5b83fa36ff216b9c1d30062bebcfd2dc5bce0911934fda79a86f6e6"
                + "98ced759c3ff9b6477338f3da4f9cd8514ea9982ccafb341b2384dd902f3d1ab"
                + "7ac61dd29c6f21ba5b862f3730e37cfdc4fd806c22f221");
  }

  @Test
  void xor_appendixA2Vector3_jabberwockyCounter42() {
    assertThat(JABBERWOCKY).hasSize(127);
    assertThat(hex(xor(KEY_1C92, 42, NONCE_TWO, JABBERWOCKY)))
        .isEqualTo(
            "62e6347f95ed87a45ffae7426f27a1df5fb69110044c0d73118effa95b01e5cf"
                + "166d3df2d721caf9b21e5fb14c616871fd84c54f9d65b283196c7fe4f60553eb"
                + "f39c6402c42234e32a356b3e764312a61a5532055716ead6962568f87d3f3f77"
                + "04c6a8d1bcd1bf4d50d6154b6da731b187b58dfd728afa36757a797ac188d1");
  }

  // --- Properties of the implementation itself.

  @Test
  void xor_twiceWithSameKeyAndNonce_restoresInputForEveryLengthUpTo200() {
    for (int len = 0; len <= 200; len++) {
      byte[] data = new byte[len];
      for (int i = 0; i < len; i++) {
        data[i] = (byte) (i * 7 + len);
      }
      assertThat(xor(KEY_1C92, 5, NONCE_TWO, xor(KEY_1C92, 5, NONCE_TWO, data))).isEqualTo(data);
    }
  }

  @Test
  void xor_splitAtBlockBoundary_equalsOneCall() {
    byte[] whole = xor(KEY_80, 1, NONCE_TWO, IETF_CONTRIBUTION);
    byte[] head = xor(KEY_80, 1, NONCE_TWO, Arrays.copyOfRange(IETF_CONTRIBUTION, 0, 128));
    byte[] tail = xor(KEY_80, 3, NONCE_TWO, Arrays.copyOfRange(IETF_CONTRIBUTION, 128, 375));
    assertThat(Arrays.copyOfRange(whole, 0, 128)).isEqualTo(head);
    assertThat(Arrays.copyOfRange(whole, 128, 375)).isEqualTo(tail);
  }

  @Test
  void lanesXorBlocks_anyBlockCount_equalsScalarBlockLoop() {
    int[] key = {
      0x03020100, 0x07060504, 0x0b0a0908, 0x0f0e0d0c, 0x13121110, 0x17161514, 0x1b1a1918, 0x1f1e1d1c
    };
    byte[] in = new byte[600 * 64 + 3];
    for (int i = 0; i < in.length; i++) {
      in[i] = (byte) (i * 13);
    }
    for (int blocks : new int[] {1, 2, 15, 16, 17, 255, 256, 257, 511, 512, 513, 600}) {
      byte[] scalar = new byte[in.length];
      byte[] lanes = new byte[in.length];
      ChaCha20.xorBlocks(key, 7, 1, 2, 3, in, 3, scalar, 1, blocks);
      ChaCha20Lanes.xorBlocks(key, 7, 1, 2, 3, in, 3, lanes, 1, blocks);
      assertThat(lanes).as("%d blocks", blocks).isEqualTo(scalar);
    }
  }

  @Test
  void xor_manyBlocksThroughLanes_equalsBlockByBlockCalls() {
    int[] key = {1, 2, 3, 4, 5, 6, 7, 8};
    byte[] in = new byte[300 * 64 + 33];
    byte[] whole = new byte[in.length];
    ChaCha20.xor(key, 1, 0, 9, 0, in, 0, whole, 0, in.length, new byte[64]);
    byte[] piecewise = new byte[in.length];
    for (int b = 0; b * 64 < in.length; b++) {
      int len = Math.min(64, in.length - b * 64);
      ChaCha20.xor(key, 1 + b, 0, 9, 0, in, b * 64, piecewise, b * 64, len, new byte[64]);
    }
    assertThat(whole).isEqualTo(piecewise);
  }

  private static String block(byte[] key, int counter, String nonce) {
    return hex(xor(key, counter, nonce, new byte[64]));
  }

  private static byte[] xor(byte[] key, int counter, String nonce, byte[] in) {
    int[] k = new int[8];
    for (int w = 0; w < 8; w++) {
      k[w] = ChaCha20.getIntLe(key, 4 * w);
    }
    byte[] n = hex(nonce);
    byte[] out = new byte[in.length];
    ChaCha20.xor(
        k,
        counter,
        ChaCha20.getIntLe(n, 0),
        ChaCha20.getIntLe(n, 4),
        ChaCha20.getIntLe(n, 8),
        in,
        0,
        out,
        0,
        in.length,
        new byte[64]);
    return out;
  }
}
