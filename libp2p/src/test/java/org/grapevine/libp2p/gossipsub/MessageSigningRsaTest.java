package org.grapevine.libp2p.gossipsub;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import org.grapevine.libp2p.crypto.RsaTestKeys;
import org.grapevine.libp2p.peer.PeerId;
import org.grapevine.libp2p.proto.Message;
import org.junit.jupiter.api.Test;

/**
 * StrictSign checks of messages from RSA authors, signed by the JDK as a go or js RSA peer signs
 * them: their peer ID is a hash, so the {@code key} field must carry the key.
 */
class MessageSigningRsaTest {
  private static final KeyPair AUTHOR = RsaTestKeys.shared2048();

  /** A message from {@code author}, with its key field set and signed by {@code signer}. */
  private static Message signed(KeyPair author, KeyPair signer) {
    byte[] protobuf = RsaTestKeys.protobuf(RsaTestKeys.der(author));
    Message unsigned =
        Message.newBuilder()
            .setFrom(ByteString.copyFrom(sha256PeerId(protobuf)))
            .setData(ByteString.copyFromUtf8("hello from an RSA peer"))
            .setSeqno(MessageSigning.seqnoBytes(42))
            .setTopic("t")
            .build();
    byte[] sig = RsaTestKeys.sign(signer, MessageSigning.signedBytes(unsigned));
    return unsigned.toBuilder()
        .setKey(ByteString.copyFrom(protobuf))
        .setSignature(ByteString.copyFrom(sig))
        .build();
  }

  /** The peer-ids rule for keys over 42 bytes, by hand: 0x12 0x20 SHA-256(protobuf). */
  private static byte[] sha256PeerId(byte[] protobuf) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(protobuf);
      byte[] id = new byte[34];
      id[0] = 0x12;
      id[1] = 0x20;
      System.arraycopy(digest, 0, id, 2, 32);
      return id;
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void check_rsaSignedWithKeyField_passes() throws Exception {
    Message m = signed(AUTHOR, AUTHOR);
    PeerId from = PeerId.fromBytes(m.getFrom().toByteArray());
    assertThat(from.toBase58()).startsWith("Qm");
    assertThat(from).isEqualTo(PeerId.fromPubKey(RsaTestKeys.pubKey(AUTHOR)));
    assertThat(MessageSigning.check(m, SignaturePolicy.STRICT_SIGN)).isEmpty();
  }

  @Test
  void check_rsaWithoutKeyField_keyMismatch() {
    Message m = signed(AUTHOR, AUTHOR).toBuilder().clearKey().build();
    assertThat(MessageSigning.check(m, SignaturePolicy.STRICT_SIGN))
        .contains(GossipErrorCode.KEY_MISMATCH);
  }

  @Test
  void check_rsaTamperedData_invalidSignature() {
    Message m =
        signed(AUTHOR, AUTHOR).toBuilder()
            .setData(ByteString.copyFromUtf8("hello, edited"))
            .build();
    assertThat(MessageSigning.check(m, SignaturePolicy.STRICT_SIGN))
        .contains(GossipErrorCode.INVALID_SIGNATURE);
  }

  @Test
  void check_rsaSignedByAnotherKey_invalidSignature() {
    Message m = signed(AUTHOR, RsaTestKeys.generate(2048));
    assertThat(MessageSigning.check(m, SignaturePolicy.STRICT_SIGN))
        .contains(GossipErrorCode.INVALID_SIGNATURE);
  }

  @Test
  void check_keyFieldOfAnotherRsaPeer_keyMismatch() {
    KeyPair other = RsaTestKeys.generate(2048);
    Message m =
        signed(AUTHOR, AUTHOR).toBuilder()
            .setKey(ByteString.copyFrom(RsaTestKeys.protobuf(RsaTestKeys.der(other))))
            .build();
    assertThat(MessageSigning.check(m, SignaturePolicy.STRICT_SIGN))
        .contains(GossipErrorCode.KEY_MISMATCH);
  }

  @Test
  void check_rsa1024Author_keyMismatch() {
    KeyPair weak = RsaTestKeys.generate(1024);
    Message m = signed(weak, weak);
    assertThat(MessageSigning.check(m, SignaturePolicy.STRICT_SIGN))
        .contains(GossipErrorCode.KEY_MISMATCH);
  }
}
