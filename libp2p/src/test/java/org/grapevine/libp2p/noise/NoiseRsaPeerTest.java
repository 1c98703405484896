package org.grapevine.libp2p.noise;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.util.Arrays;
import java.util.Optional;
import java.util.SplittableRandom;
import org.grapevine.libp2p.crypto.PubKey;
import org.grapevine.libp2p.crypto.RsaTestKeys;
import org.grapevine.libp2p.peer.PeerId;
import org.grapevine.libp2p.proto.NoiseHandshakePayload;
import org.junit.jupiter.api.Test;

/**
 * Our handshake against a remote whose identity key is RSA (a hand-driven {@link
 * NoiseHandshakeState} whose payload a JDK RSA key signs, as go and js RSA peers do), in both
 * roles.
 */
class NoiseRsaPeerTest {
  private static final KeyPair RSA = RsaTestKeys.shared2048();
  private static final PeerId RSA_ID = PeerId.fromPubKey(RsaTestKeys.pubKey(RSA));

  @Test
  void initiator_rsaResponder_completesWithItsQmId() throws Exception {
    NoiseSession s = weDial(Optional.of(RSA_ID), RSA, RSA).session().orElseThrow();
    assertThat(s.remotePeer()).isEqualTo(RSA_ID);
    assertThat(s.remotePeer().toBase58()).startsWith("Qm");
    assertThat(s.remoteKey().type()).isEqualTo(PubKey.Type.RSA);
    assertThat(s.remoteKey()).isEqualTo(RsaTestKeys.pubKey(RSA));
  }

  @Test
  void responder_rsaInitiator_completesWithItsQmId() throws Exception {
    NoiseHandshake us =
        new NoiseHandshake(
            NoiseRole.RESPONDER,
            HandshakePair.BOB,
            Optional.empty(),
            NoiseConfig.defaults(),
            new SplittableRandom(5),
            0);
    NoiseKeyPair staticKey = NoiseKeyPair.generate(new SplittableRandom(2));
    NoiseHandshakeState them =
        new NoiseHandshakeState(
            NoiseRole.INITIATOR,
            new byte[0],
            staticKey,
            NoiseKeyPair.generate(new SplittableRandom(3)));
    us.handleMessage(them.writeMessage(new byte[0]), 1);
    them.readMessage(us.pollOutbound().orElseThrow());
    us.handleMessage(them.writeMessage(rsaPayload(RSA, RSA, staticKey.publicKey())), 2);
    NoiseSession s = us.session().orElseThrow();
    assertThat(s.remotePeer()).isEqualTo(RSA_ID);
    assertThat(s.remoteKey().type()).isEqualTo(PubKey.Type.RSA);
  }

  @Test
  void initiator_expectingAnotherPeer_peerIdMismatch() {
    PeerId other = PeerId.fromPubKey(HandshakePair.CAROL.publicKey());
    assertThatThrownBy(() -> weDial(Optional.of(other), RSA, RSA))
        .isInstanceOfSatisfying(
            NoiseException.class,
            e -> assertThat(e.code()).isEqualTo(NoiseErrorCode.PEER_ID_MISMATCH));
  }

  @Test
  void initiator_staticKeySignedByAnotherRsaKey_badSignature() {
    KeyPair other = RsaTestKeys.generate(2048);
    assertThatThrownBy(() -> weDial(Optional.empty(), RSA, other))
        .isInstanceOfSatisfying(
            NoiseException.class,
            e -> assertThat(e.code()).isEqualTo(NoiseErrorCode.BAD_SIGNATURE));
  }

  @Test
  void initiator_rsa1024Responder_badPayload() {
    KeyPair weak = RsaTestKeys.generate(1024);
    assertThatThrownBy(() -> weDial(Optional.empty(), weak, weak))
        .isInstanceOfSatisfying(
            NoiseException.class,
            e -> {
              assertThat(e.code()).isEqualTo(NoiseErrorCode.BAD_PAYLOAD);
              assertThat(e).hasMessageContaining("1024 bits");
            });
  }

  /**
   * Runs our initiator against a hand-made responder whose payload carries {@code identity}'s key
   * and {@code signer}'s signature of the static key; returns our (completed) side.
   */
  private static NoiseHandshake weDial(Optional<PeerId> expected, KeyPair identity, KeyPair signer)
      throws NoiseException {
    NoiseHandshake us =
        new NoiseHandshake(
            NoiseRole.INITIATOR,
            HandshakePair.ALICE,
            expected,
            NoiseConfig.defaults(),
            new SplittableRandom(1),
            0);
    NoiseKeyPair staticKey = NoiseKeyPair.generate(new SplittableRandom(2));
    NoiseHandshakeState them =
        new NoiseHandshakeState(
            NoiseRole.RESPONDER,
            new byte[0],
            staticKey,
            NoiseKeyPair.generate(new SplittableRandom(3)));
    them.readMessage(us.pollOutbound().orElseThrow());
    us.handleMessage(them.writeMessage(rsaPayload(identity, signer, staticKey.publicKey())), 1);
    return us;
  }

  private static byte[] rsaPayload(KeyPair identity, KeyPair signer, byte[] staticKey) {
    byte[] prefix = "noise-libp2p-static-key:".getBytes(StandardCharsets.UTF_8);
    byte[] signed = Arrays.copyOf(prefix, prefix.length + staticKey.length);
    System.arraycopy(staticKey, 0, signed, prefix.length, staticKey.length);
    return NoiseHandshakePayload.newBuilder()
        .setIdentityKey(ByteString.copyFrom(RsaTestKeys.protobuf(RsaTestKeys.der(identity))))
        .setIdentitySig(ByteString.copyFrom(RsaTestKeys.sign(signer, signed)))
        .build()
        .toByteArray();
  }
}
