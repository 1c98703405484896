package org.grapevine.libp2p.kad;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.grapevine.libp2p.MalformedFrameException;
import org.grapevine.libp2p.crypto.PubKey;
import org.grapevine.libp2p.crypto.RsaTestKeys;
import org.grapevine.libp2p.kad.PkRecords.Validity;
import org.grapevine.libp2p.peer.PeerId;
import org.grapevine.libp2p.proto.KeyType;
import org.grapevine.libp2p.proto.PublicKey;
import org.junit.jupiter.api.Test;

/** The {@code /pk/} validator: each rule of {@link PkRecords#validate}, RSA-shaped and Ed25519. */
class PkRecordsTest {
  /** A public key protobuf and the peer ID it derives. */
  @SuppressWarnings("ArrayRecordComponent") // test data, never compared
  record KeyPair(PeerId id, byte[] value) {}

  /**
   * An RSA-2048 public key with a random modulus (fast and deterministic for a seeded {@code
   * random}; no private key exists for it, which the validator cannot tell and need not): its ID is
   * the sha2-256 form, the case /pk/ records exist for.
   */
  static KeyPair rsaLike(RandomGenerator random) {
    byte[] der =
        RsaTestKeys.der(RsaTestKeys.randomModulus(2048, random), BigInteger.valueOf(65537));
    byte[] value = RsaTestKeys.protobuf(der);
    try {
      return new KeyPair(PeerId.fromPubKey(PubKey.decode(value)), value);
    } catch (MalformedFrameException e) {
      throw new AssertionError(e);
    }
  }

  private final SplittableRandom random = new SplittableRandom(5);

  @Test
  void validate_rsaSizedKeyUnderItsId_valid() {
    KeyPair k = rsaLike(random);
    assertThat(PkRecords.validate(PkRecords.key(k.id()), k.value())).isEqualTo(Validity.VALID);
    assertThat(k.id().toBytes()[0]).isEqualTo((byte) 0x12);
  }

  @Test
  void validate_ed25519KeyUnderItsInlinedId_valid() {
    byte[] raw = new byte[32];
    random.nextBytes(raw);
    PubKey key = PubKey.ed25519(raw);
    PeerId id = PeerId.fromPubKey(key);
    assertThat(PkRecords.validate(PkRecords.key(id), key.encode())).isEqualTo(Validity.VALID);
  }

  @Test
  void validate_anotherPeersKey_mismatch() {
    KeyPair a = rsaLike(random);
    KeyPair b = rsaLike(random);
    assertThat(PkRecords.validate(PkRecords.key(a.id()), b.value())).isEqualTo(Validity.MISMATCH);
  }

  @Test
  void validate_badValues_badValue() {
    KeyPair a = rsaLike(random);
    byte[] key = PkRecords.key(a.id());
    assertThat(PkRecords.validate(key, new byte[0])).isEqualTo(Validity.BAD_VALUE);
    assertThat(PkRecords.validate(key, new byte[] {(byte) 0xff, 1, 2}))
        .isEqualTo(Validity.BAD_VALUE);
    // Unknown key type 9: proto2 leaves the required Type unset, and the parse fails.
    assertThat(PkRecords.validate(key, new byte[] {0x08, 0x09, 0x12, 0x01, 0x00}))
        .isEqualTo(Validity.BAD_VALUE);
    byte[] huge = Arrays.copyOf(a.value(), PkRecords.MAX_VALUE_BYTES + 1);
    assertThat(PkRecords.validate(key, huge)).isEqualTo(Validity.BAD_VALUE);
  }

  @Test
  void validate_rsaKeysWeWouldRefuse_badValue() {
    KeyPair a = rsaLike(random);
    byte[] key = PkRecords.key(a.id());
    byte[] truncated = Arrays.copyOf(a.value(), a.value().length - 1);
    assertThat(PkRecords.validate(key, truncated)).isEqualTo(Validity.BAD_VALUE);
    byte[] weak =
        RsaTestKeys.protobuf(
            RsaTestKeys.der(RsaTestKeys.randomModulus(1024, random), BigInteger.valueOf(65537)));
    assertThat(PkRecords.validate(PkRecords.key(idOfBytes(weak)), weak))
        .isEqualTo(Validity.BAD_VALUE);
    byte[] randomData =
        PublicKey.newBuilder()
            .setType(KeyType.RSA)
            .setData(ByteString.copyFrom(new byte[270]))
            .build()
            .toByteArray();
    assertThat(PkRecords.validate(PkRecords.key(idOfBytes(randomData)), randomData))
        .isEqualTo(Validity.BAD_VALUE);
  }

  @Test
  void validate_rsaFieldsOutOfOrder_validUnderTheCanonicalId() {
    // go derives the ID from its re-encoding of the key, so do we: Data before Type still names
    // the same peer.
    KeyPair a = rsaLike(random);
    byte[] typeField = {0x08, 0x00};
    byte[] reordered = Arrays.copyOfRange(a.value(), 2, a.value().length + 2);
    System.arraycopy(typeField, 0, reordered, reordered.length - 2, 2);
    assertThat(PkRecords.validate(PkRecords.key(a.id()), reordered)).isEqualTo(Validity.VALID);
  }

  @Test
  void validate_ecdsaShapedKey_checkedForShapeAndHash() {
    byte[] data = new byte[91];
    random.nextBytes(data);
    byte[] value =
        PublicKey.newBuilder()
            .setType(KeyType.ECDSA)
            .setData(ByteString.copyFrom(data))
            .build()
            .toByteArray();
    PeerId id = idOfBytes(value);
    assertThat(PkRecords.validate(PkRecords.key(id), value)).isEqualTo(Validity.VALID);
  }

  private static PeerId idOfBytes(byte[] value) {
    try {
      return PeerId.fromBytes(PkRecords.peerIdBytes(value));
    } catch (MalformedFrameException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void validate_otherNamespacesAndBarePrefix_unsupported() {
    KeyPair a = rsaLike(random);
    assertThat(PkRecords.validate("/ipns/x".getBytes(StandardCharsets.UTF_8), a.value()))
        .isEqualTo(Validity.UNSUPPORTED_NAMESPACE);
    assertThat(PkRecords.validate("/pk/".getBytes(StandardCharsets.UTF_8), a.value()))
        .isEqualTo(Validity.UNSUPPORTED_NAMESPACE);
    assertThat(PkRecords.isPkKey(PkRecords.key(a.id()))).isTrue();
  }
}
