package org.grapevine.libp2p.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.SplittableRandom;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.grapevine.libp2p.FrameError;
import org.grapevine.libp2p.MalformedFrameException;
import org.grapevine.libp2p.peer.PeerId;
import org.grapevine.libp2p.proto.KeyType;
import org.grapevine.libp2p.proto.PublicKey;
import org.junit.jupiter.api.Test;

/** {@link PubKey} with RSA keys made by the JDK, and the rules of {@link RsaKeys}. */
class PubKeyTest {
  private static final BigInteger F4 = BigInteger.valueOf(65537);
  private static final byte[] MESSAGE =
      "noise-libp2p-static-key:0123".getBytes(StandardCharsets.UTF_8);

  /**
   * A published vector: the RSA-2048 PublicKey protobuf and its peer ID multihash from jvm-libp2p's
   * test suite (libp2p/jvm-libp2p, src/test/kotlin/io/libp2p/core/PeerIdTest.kt, "from RSA public
   * key hex"); the base58 form is that multihash in base58btc.
   */
  private static final String VECTOR_KEY =
      "080012a60230820122300d06092a864886f70d01010105000382010f003082010a0282010100baa3fd95db3f"
          + "6179ce6b0f1c0c130f2fafbb3ddb20b77bac8a1a408c84af6e3de7dc09dc74cc117360ec6100fe146b7e1a"
          + "298a546aa8b7b2e1de81780cc0bf888b53bf9cb5fc8145b83b34a6eb93fa41e15d5e03bb492d87f9d76b6b"
          + "3b77f2d7c879cf1715ce2bde1552050f3556d42fb466e7a5eb2b9fd74f8c6dad741d4dcfde046173cb0385"
          + "c498a781ea5bccb253175868384f32ac9b2579374d2e9a187acba3abb4f16a5c01c6cbfafddfb75793062e"
          + "3b7a5c753e6fdfa6f7c7654466f33164680c37545a3954fd1636fdc985f6fd2237f96c949d492df0ad7686"
          + "f9a72760182d3264103825e4277e1f68c03b906b3e747d5a73b6673c73890128c565170203010001";

  private static final String VECTOR_ID =
      "12201133e39444593a3f91c45aba4f44099fc7246866af9917f8648160180b3ec6ac";

  private final SplittableRandom random = new SplittableRandom(11);

  @Test
  void decode_publishedRsaVector_peerIdMatches() throws Exception {
    byte[] protobuf = HexFormat.of().parseHex(VECTOR_KEY);
    PubKey key = PubKey.decode(protobuf);
    assertThat(key.type()).isEqualTo(PubKey.Type.RSA);
    assertThat(key.encode()).isEqualTo(protobuf);
    PeerId id = PeerId.fromPubKey(key);
    assertThat(HexFormat.of().formatHex(id.toBytes())).isEqualTo(VECTOR_ID);
    assertThat(id.toBase58()).isEqualTo("QmPVoXmUJiyXXU3Y2hJ7bEzu9XqDHUdGs8D2Lymd6gprDh");
  }

  @Test
  void decode_specRsa4096Vector_reencodesToTheSameBytes() throws Exception {
    byte[] protobuf = specVector("/vectors/peer-ids-rsa-public-key.txt");
    PubKey key = PubKey.decode(protobuf);
    assertThat(key.type()).isEqualTo(PubKey.Type.RSA);
    assertThat(key).hasToString("PubKey[RSA-4096]");
    assertThat(key.encode()).isEqualTo(protobuf);
    assertThat(PeerId.fromPubKey(key).toBase58()).startsWith("Qm");
  }

  @Test
  void decode_jdkRsa2048_roundTripsAndVerifies() throws Exception {
    KeyPair kp = RsaTestKeys.shared2048();
    byte[] protobuf = RsaTestKeys.protobuf(RsaTestKeys.der(kp));
    PubKey key = PubKey.decode(protobuf);
    assertThat(key.type()).isEqualTo(PubKey.Type.RSA);
    assertThat(key.encode()).isEqualTo(protobuf);
    assertThat(key.raw()).isEqualTo(RsaTestKeys.der(kp));
    assertThat(key).isEqualTo(RsaTestKeys.pubKey(kp)).hasSameHashCodeAs(RsaTestKeys.pubKey(kp));
    assertThat(key.verify(MESSAGE, RsaTestKeys.sign(kp, MESSAGE))).isTrue();
  }

  @Test
  void verify_rsaWrongSignatures_false() {
    KeyPair kp = RsaTestKeys.shared2048();
    PubKey key = RsaTestKeys.pubKey(kp);
    byte[] sig = RsaTestKeys.sign(kp, MESSAGE);
    byte[] other = Arrays.copyOf(MESSAGE, MESSAGE.length + 1);
    assertThat(key.verify(other, sig)).isFalse();
    byte[] flipped = sig.clone();
    flipped[100] ^= 1;
    assertThat(key.verify(MESSAGE, flipped)).isFalse();
    assertThat(key.verify(MESSAGE, Arrays.copyOf(sig, sig.length - 1))).isFalse();
    assertThat(key.verify(MESSAGE, Arrays.copyOf(sig, sig.length + 1))).isFalse();
    assertThat(key.verify(MESSAGE, new byte[64])).isFalse();
    assertThat(key.verify(MESSAGE, new byte[256])).isFalse();
    byte[] ones = new byte[256];
    Arrays.fill(ones, (byte) 0xff); // above the modulus
    assertThat(key.verify(MESSAGE, ones)).isFalse();
  }

  @Test
  void verify_signedByAnotherRsaKey_false() {
    KeyPair other = RsaTestKeys.generate(2048);
    PubKey key = RsaTestKeys.pubKey(RsaTestKeys.shared2048());
    assertThat(key.verify(MESSAGE, RsaTestKeys.sign(other, MESSAGE))).isFalse();
    assertThat(key).isNotEqualTo(RsaTestKeys.pubKey(other));
  }

  @Test
  void decode_rsa1024_weakKey() {
    byte[] der = RsaTestKeys.der(RsaTestKeys.generate(1024));
    assertCode(() -> PubKey.decode(RsaTestKeys.protobuf(der)), FrameError.WEAK_KEY);
    assertCode(() -> PubKey.rsa(der), FrameError.WEAK_KEY);
    byte[] just = RsaTestKeys.der(RsaTestKeys.randomModulus(2047, random), F4);
    assertCode(() -> PubKey.rsa(just), FrameError.WEAK_KEY);
  }

  @Test
  void decode_rsaLimits_8192AcceptedAbove8192TooLarge() throws Exception {
    byte[] max = RsaTestKeys.der(RsaTestKeys.randomModulus(8192, random), F4);
    PubKey key = PubKey.decode(RsaTestKeys.protobuf(max));
    assertThat(key.encode()).hasSizeLessThanOrEqualTo(PubKey.MAX_PROTOBUF_BYTES);
    assertThat(PubKey.rsa(RsaTestKeys.der(RsaTestKeys.randomModulus(2048, random), F4)).type())
        .isEqualTo(PubKey.Type.RSA);
    // Just over: passes the byte bound, refused on its bit count.
    byte[] over = RsaTestKeys.der(RsaTestKeys.randomModulus(8200, random), F4);
    assertThat(over.length).isLessThanOrEqualTo(RsaKeys.MAX_DER_BYTES);
    assertCode(() -> PubKey.rsa(over), FrameError.TOO_LARGE);
    // Far over: refused on its size, before parsing.
    byte[] huge = RsaTestKeys.der(RsaTestKeys.randomModulus(16384, random), F4);
    assertCode(() -> PubKey.rsa(huge), FrameError.TOO_LARGE);
    assertCode(() -> PubKey.decode(RsaTestKeys.protobuf(huge)), FrameError.TOO_LARGE);
  }

  @Test
  void decode_rsaEvenExponent_weakKey() {
    // The JDK itself refuses exponents below 3 when parsing (BAD_ENCODING); an even one it takes.
    byte[] der = RsaTestKeys.der(RsaTestKeys.randomModulus(2048, random), F4);
    int at = der.length - 3; // the key ends with the exponent INTEGER 02 03 01 00 01
    assertThat(Arrays.copyOfRange(der, at - 2, der.length)).containsExactly(2, 3, 1, 0, 1);
    der[der.length - 1] = 0; // 65536
    assertCode(() -> PubKey.rsa(der), FrameError.WEAK_KEY);
  }

  @Test
  void decode_malformedRsaDer_badEncoding() {
    byte[] der = RsaTestKeys.der(RsaTestKeys.shared2048());
    assertCode(() -> PubKey.rsa(new byte[0]), FrameError.BAD_ENCODING);
    assertCode(
        () -> PubKey.rsa(new byte[] {0x30, 0x03, 0x02, 0x01, 0x05}), FrameError.BAD_ENCODING);
    assertCode(() -> PubKey.rsa(Arrays.copyOf(der, der.length - 1)), FrameError.BAD_ENCODING);
    byte[] garbage = new byte[294];
    random.nextBytes(garbage);
    assertCode(() -> PubKey.rsa(garbage), FrameError.BAD_ENCODING);
    // A trailing byte, and the outer length in a non-minimal form: not DER.
    assertCode(() -> PubKey.rsa(Arrays.copyOf(der, der.length + 1)), FrameError.BAD_ENCODING);
    assertCode(() -> PubKey.rsa(nonMinimalOuterLength(der)), FrameError.BAD_ENCODING);
  }

  @Test
  void decode_otherKeyTypes_unsupported() {
    byte[] secp = {0x08, 0x02, 0x12, 0x21, 0x02};
    byte[] secp256k1 = Arrays.copyOf(secp, 5 + 32);
    assertCode(() -> PubKey.decode(secp256k1), FrameError.UNSUPPORTED);
    byte[] ecdsa =
        PublicKey.newBuilder()
            .setType(KeyType.ECDSA)
            .setData(ByteString.copyFrom(new byte[91]))
            .build()
            .toByteArray();
    assertCode(() -> PubKey.decode(ecdsa), FrameError.UNSUPPORTED);
  }

  @Test
  void encode_ed25519_unchanged() throws Exception {
    byte[] raw = new byte[32];
    random.nextBytes(raw);
    PubKey key = PubKey.ed25519(raw);
    assertThat(key.type()).isEqualTo(PubKey.Type.ED25519);
    assertThat(key.encode()).startsWith(0x08, 0x01, 0x12, 0x20).hasSize(36);
    assertThat(PubKey.decode(key.encode())).isEqualTo(key);
    assertThat(key.raw()).isEqualTo(raw);
  }

  /** The hex line of a vector file (lines starting with # are its source). */
  private static byte[] specVector(String resource) throws java.io.IOException {
    try (java.io.InputStream in = PubKeyTest.class.getResourceAsStream(resource)) {
      String text = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
      return text.lines()
          .filter(l -> !l.startsWith("#") && !l.isBlank())
          .map(l -> HexFormat.of().parseHex(l.strip()))
          .findFirst()
          .orElseThrow();
    }
  }

  /** {@code der} with its outer SEQUENCE length written in one more byte than needed (BER). */
  private static byte[] nonMinimalOuterLength(byte[] der) {
    assertThat(der[1]).isEqualTo((byte) 0x82); // 30 82 hi lo: a two-byte length
    byte[] out = new byte[der.length + 1];
    out[0] = 0x30;
    out[1] = (byte) 0x83;
    out[2] = 0;
    System.arraycopy(der, 2, out, 3, der.length - 2);
    return out;
  }

  private static void assertCode(ThrowingCallable call, FrameError code) {
    assertThatThrownBy(call)
        .isInstanceOfSatisfying(
            MalformedFrameException.class, e -> assertThat(e.code()).isEqualTo(code));
  }
}
