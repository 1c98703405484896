package org.grapevine.libp2p.gossipsub;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import org.grapevine.libp2p.crypto.PrivKey;
import org.grapevine.libp2p.peer.PeerId;
import org.grapevine.libp2p.proto.Message;
import org.junit.jupiter.api.Test;

class MessageSigningTest {
  private static final PrivKey KEY = PrivKey.fromSeed(seed(1));
  private static final PrivKey OTHER = PrivKey.fromSeed(seed(2));

  static byte[] seed(int b) {
    byte[] s = new byte[32];
    Arrays.fill(s, (byte) b);
    return s;
  }

  private static Message unsigned(PrivKey key) {
    return Message.newBuilder()
        .setFrom(ByteString.copyFrom(PeerId.fromPubKey(key.publicKey()).toBytes()))
        .setData(ByteString.copyFromUtf8("hello"))
        .setSeqno(MessageSigning.seqnoBytes(0x0102030405060708L))
        .setTopic("t")
        .build();
  }

  @Test
  void signedBytes_fieldsOneToFour_areCanonicalProtobufAfterPrefix() {
    Message m =
        Message.newBuilder()
            .setTopic("t")
            .setData(ByteString.copyFromUtf8("ab"))
            .setSeqno(ByteString.copyFrom(new byte[] {9}))
            .build();
    byte[] got = MessageSigning.signedBytes(m);
    // "libp2p-pubsub:" then data(2) "ab", seqno(3) 09, topic(4) "t"; from absent.
    String expected =
        HexFormat.of().formatHex("libp2p-pubsub:".getBytes(StandardCharsets.US_ASCII))
            + "120261621a010922"
            + "0174";
    assertThat(HexFormat.of().formatHex(got)).isEqualTo(expected);
  }

  @Test
  void signedBytes_ignoresSignatureKeyAndFieldOrderOfInput() {
    Message m =
        MessageSigning.sign(unsigned(KEY), KEY).toBuilder()
            .setKey(ByteString.copyFrom(KEY.publicKey().encode()))
            .build();
    byte[] expectedBody =
        unsigned(KEY).toByteArray(); // protobuf-java writes fields in number order
    byte[] got = MessageSigning.signedBytes(m);
    assertThat(Arrays.copyOfRange(got, MessageSigning.PREFIX.length, got.length))
        .isEqualTo(expectedBody);
  }

  @Test
  void check_signedMessage_passes() {
    Message m = MessageSigning.sign(unsigned(KEY), KEY);
    assertThat(MessageSigning.check(m, SignaturePolicy.STRICT_SIGN)).isEmpty();
    Message withKey = m.toBuilder().setKey(ByteString.copyFrom(KEY.publicKey().encode())).build();
    assertThat(MessageSigning.check(withKey, SignaturePolicy.STRICT_SIGN)).isEmpty();
  }

  @Test
  void check_tamperedData_invalidSignature() {
    Message m =
        MessageSigning.sign(unsigned(KEY), KEY).toBuilder()
            .setData(ByteString.copyFromUtf8("hellO"))
            .build();
    assertThat(MessageSigning.check(m, SignaturePolicy.STRICT_SIGN))
        .contains(GossipErrorCode.INVALID_SIGNATURE);
  }

  @Test
  void check_signedByAnotherKey_invalidSignature() {
    Message m =
        unsigned(KEY).toBuilder()
            .setSignature(
                ByteString.copyFrom(OTHER.sign(MessageSigning.signedBytes(unsigned(KEY)))))
            .build();
    assertThat(MessageSigning.check(m, SignaturePolicy.STRICT_SIGN))
        .contains(GossipErrorCode.INVALID_SIGNATURE);
  }

  @Test
  void check_keyOfAnotherPeer_keyMismatch() {
    Message m =
        MessageSigning.sign(unsigned(KEY), KEY).toBuilder()
            .setKey(ByteString.copyFrom(OTHER.publicKey().encode()))
            .build();
    assertThat(MessageSigning.check(m, SignaturePolicy.STRICT_SIGN))
        .contains(GossipErrorCode.KEY_MISMATCH);
  }

  @Test
  void check_shortSeqnoOrMissingFields_missingSignatureFields() {
    Message signed = MessageSigning.sign(unsigned(KEY), KEY);
    assertThat(
            MessageSigning.check(
                signed.toBuilder().setSeqno(ByteString.copyFrom(new byte[7])).build(),
                SignaturePolicy.STRICT_SIGN))
        .contains(GossipErrorCode.MISSING_SIGNATURE_FIELDS);
    assertThat(
            MessageSigning.check(
                signed.toBuilder().clearSignature().build(), SignaturePolicy.STRICT_SIGN))
        .contains(GossipErrorCode.MISSING_SIGNATURE_FIELDS);
    assertThat(
            MessageSigning.check(
                signed.toBuilder().clearFrom().build(), SignaturePolicy.STRICT_SIGN))
        .contains(GossipErrorCode.MISSING_SIGNATURE_FIELDS);
  }

  @Test
  void check_strictNoSign_rejectsAnySigningField() {
    Message bare = Message.newBuilder().setTopic("t").setData(ByteString.copyFromUtf8("x")).build();
    assertThat(MessageSigning.check(bare, SignaturePolicy.STRICT_NO_SIGN)).isEmpty();
    for (Message m :
        new Message[] {
          bare.toBuilder().setFrom(ByteString.copyFrom(new byte[] {1})).build(),
          bare.toBuilder().setSeqno(ByteString.copyFrom(new byte[8])).build(),
          bare.toBuilder().setSignature(ByteString.copyFrom(new byte[64])).build(),
          bare.toBuilder().setKey(ByteString.copyFrom(new byte[4])).build()
        }) {
      assertThat(MessageSigning.check(m, SignaturePolicy.STRICT_NO_SIGN))
          .contains(GossipErrorCode.UNEXPECTED_SIGNATURE_FIELDS);
    }
  }

  @Test
  void seqno_roundTripsBigEndian() {
    ByteString b = MessageSigning.seqnoBytes(0x0102030405060708L);
    assertThat(b.toByteArray()).containsExactly(1, 2, 3, 4, 5, 6, 7, 8);
    assertThat(MessageSigning.seqnoValue(b)).isEqualTo(0x0102030405060708L);
  }

  @Test
  void messageIdFunctions_goAndJsDefaults() {
    Message m = unsigned(KEY);
    assertThat(MessageIdFunction.fromAndSeqno().apply(m).toByteString())
        .isEqualTo(m.getFrom().concat(m.getSeqno()));
    // sha256("hello") = 2cf24dba...
    assertThat(MessageIdFunction.sha256OfData().apply(m).toString())
        .isEqualTo("12202cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824");
  }
}
