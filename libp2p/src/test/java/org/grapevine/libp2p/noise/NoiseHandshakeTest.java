package org.grapevine.libp2p.noise;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.grapevine.libp2p.crypto.PrivKey;
import org.grapevine.libp2p.peer.PeerId;
import org.grapevine.libp2p.proto.NoiseHandshakePayload;
import org.junit.jupiter.api.Test;

class NoiseHandshakeTest {
  private static final String YAMUX = "/yamux/1.0.0";
  private static final String MPLEX = "/mplex/6.7.0";

  /** identity_key field (2 + 36) + identity_sig field (2 + 64). */
  private static final int BARE_PAYLOAD_BYTES = 104;

  @Test
  void handshake_bothRoles_seeEachOtherAndShareKeys() throws Exception {
    HandshakePair pair = new HandshakePair();
    pair.drive();
    NoiseSession alice = pair.initiator.session().orElseThrow();
    NoiseSession bob = pair.responder.session().orElseThrow();
    assertThat(alice.remotePeer()).isEqualTo(PeerId.fromPubKey(HandshakePair.BOB.publicKey()));
    assertThat(bob.remotePeer()).isEqualTo(PeerId.fromPubKey(HandshakePair.ALICE.publicKey()));
    assertThat(alice.remoteKey()).isEqualTo(HandshakePair.BOB.publicKey());
    assertThat(alice.handshakeHash()).isEqualTo(bob.handshakeHash());
    assertThat(pair.initiator.pollTimeout()).isEmpty();

    byte[] ping = "ping".getBytes(StandardCharsets.UTF_8);
    byte[] c = alice.sender().encrypt(ping, 0, ping.length);
    assertThat(bob.receiver().decrypt(c, 0, c.length)).isEqualTo(ping);
    byte[] pong = "pong".getBytes(StandardCharsets.UTF_8);
    byte[] d = bob.sender().encrypt(pong, 0, pong.length);
    assertThat(alice.receiver().decrypt(d, 0, d.length)).isEqualTo(pong);
  }

  @Test
  void handshake_sameSeeds_sameBytes() throws Exception {
    HandshakePair a = new HandshakePair();
    HandshakePair b = new HandshakePair();
    a.drive();
    b.drive();
    assertThat(a.wire).hasSize(3);
    for (int i = 0; i < 3; i++) {
      assertThat(a.wire.get(i)).isEqualTo(b.wire.get(i));
    }
  }

  @Test
  void messageSizes_noMuxers_matchLayout() throws Exception {
    HandshakePair pair = new HandshakePair();
    pair.drive();
    assertThat(pair.wire.get(0)).hasSize(32);
    assertThat(pair.wire.get(1)).hasSize(32 + 48 + BARE_PAYLOAD_BYTES + 16);
    assertThat(pair.wire.get(2)).hasSize(48 + BARE_PAYLOAD_BYTES + 16);
  }

  @Test
  void messageSizes_yamuxOffered_matchJsWireCapture() throws Exception {
    HandshakePair pair = HandshakePair.withMuxers(List.of(YAMUX), List.of(YAMUX));
    pair.drive();
    assertThat(pair.wire.get(1)).hasSize(0xd8); // 216, as seen between two js peers (notes 7.3).
    assertThat(pair.wire.get(2)).hasSize(0xb8); // 184
  }

  @Test
  void earlyMuxer_bothLists_initiatorPreferenceWins() throws Exception {
    // The spec's example: client prefers yamux, server mplex... and the result is the first of the
    // initiator's.
    HandshakePair pair = HandshakePair.withMuxers(List.of(MPLEX, YAMUX), List.of(YAMUX, MPLEX));
    pair.drive();
    assertThat(pair.initiator.session().orElseThrow().muxer()).contains(MPLEX);
    assertThat(pair.responder.session().orElseThrow().muxer()).contains(MPLEX);
  }

  @Test
  void earlyMuxer_initiatorSendsNone_neitherSideUsesInlineResult() throws Exception {
    HandshakePair pair = HandshakePair.withMuxers(List.of(), List.of(YAMUX));
    pair.drive();
    assertThat(pair.initiator.session().orElseThrow().muxer()).isEmpty();
    assertThat(pair.responder.session().orElseThrow().muxer()).isEmpty();
  }

  @Test
  void earlyMuxer_responderSendsNone_neitherSideUsesInlineResult() throws Exception {
    HandshakePair pair = HandshakePair.withMuxers(List.of(YAMUX), List.of());
    pair.drive();
    assertThat(pair.initiator.session().orElseThrow().muxer()).isEmpty();
    assertThat(pair.responder.session().orElseThrow().muxer()).isEmpty();
  }

  @Test
  void earlyMuxer_listsDisjoint_initiatorFailsAfterMessage2() {
    HandshakePair pair = HandshakePair.withMuxers(List.of(MPLEX), List.of(YAMUX));
    assertCode(pair::drive, NoiseErrorCode.MUXER_MISMATCH);
    assertThat(pair.wire).hasSize(2);
    assertThat(pair.initiator.pollOutbound()).isEmpty(); // Message 3 is never sent.
    assertThat(pair.responder.isComplete()).isFalse();
  }

  @Test
  void flippedBit_anyByteOfAnyMessage_failsTheHandshake() throws Exception {
    int[] lengths = {32, 32 + 48 + BARE_PAYLOAD_BYTES + 16, 48 + BARE_PAYLOAD_BYTES + 16};
    for (int message = 0; message < 3; message++) {
      for (int at = 0; at < lengths[message]; at++) {
        int target = message;
        int position = at;
        HandshakePair pair = new HandshakePair();
        assertThatThrownBy(
                () ->
                    pair.drive(
                        (i, m) -> {
                          if (i == target) {
                            m[position] ^= (byte) (1 << (position % 8));
                          }
                          return m;
                        }))
            .as("message %d byte %d", message, at)
            .isInstanceOfSatisfying(
                NoiseException.class,
                e ->
                    assertThat(e.code())
                        .isIn(NoiseErrorCode.DECRYPT_FAILED, NoiseErrorCode.BAD_KEY));
        assertThat(pair.initiator.isComplete() && pair.responder.isComplete()).isFalse();
      }
    }
  }

  @Test
  void expectedPeer_differs_peerIdMismatch() {
    PeerId carol = PeerId.fromPubKey(HandshakePair.CAROL.publicKey());
    HandshakePair pair =
        new HandshakePair(NoiseConfig.defaults(), NoiseConfig.defaults(), Optional.of(carol));
    assertCode(pair::drive, NoiseErrorCode.PEER_ID_MISMATCH);
    assertThat(pair.wire).hasSize(2);
  }

  @Test
  void expectedPeer_matches_completes() throws Exception {
    PeerId bob = PeerId.fromPubKey(HandshakePair.BOB.publicKey());
    HandshakePair pair =
        new HandshakePair(NoiseConfig.defaults(), NoiseConfig.defaults(), Optional.of(bob));
    pair.drive();
    assertThat(pair.initiator.isComplete()).isTrue();
  }

  @Test
  void payload_signedByAnotherKey_badSignature() throws Exception {
    // Bob's key in identity_key, but Carol signs the static key.
    assertCode(
        () ->
            answerWithForgedPayload(
                (staticKey) ->
                    payload(HandshakePair.BOB, HandshakePair.CAROL.sign(signed(staticKey)))),
        NoiseErrorCode.BAD_SIGNATURE);
  }

  @Test
  void payload_signatureOverOtherBytes_badSignature() throws Exception {
    assertCode(
        () ->
            answerWithForgedPayload(
                (staticKey) -> payload(HandshakePair.BOB, HandshakePair.BOB.sign(staticKey))),
        NoiseErrorCode.BAD_SIGNATURE);
  }

  @Test
  void payload_withoutIdentityKey_badPayload() throws Exception {
    assertCode(
        () ->
            answerWithForgedPayload(
                (staticKey) ->
                    NoiseHandshakePayload.newBuilder()
                        .setIdentitySig(
                            ByteString.copyFrom(HandshakePair.BOB.sign(signed(staticKey))))
                        .build()
                        .toByteArray()),
        NoiseErrorCode.BAD_PAYLOAD);
  }

  @Test
  void payload_garbage_badPayload() throws Exception {
    assertCode(
        () -> answerWithForgedPayload((staticKey) -> new byte[] {(byte) 0xff, 0x01}),
        NoiseErrorCode.BAD_PAYLOAD);
  }

  @Test
  void payload_malformedRsaKey_badPayload() throws Exception {
    byte[] rsaLike = {0x08, 0x00, 0x12, 0x02, 0x01, 0x02}; // RSA type, two bytes that are not DER
    assertCode(
        () ->
            answerWithForgedPayload(
                (staticKey) ->
                    NoiseHandshakePayload.newBuilder()
                        .setIdentityKey(ByteString.copyFrom(rsaLike))
                        .build()
                        .toByteArray()),
        NoiseErrorCode.BAD_PAYLOAD);
  }

  @Test
  void message1_withPayload_badLength() throws Exception {
    NoiseHandshake responder = responder();
    assertCode(() -> responder.handleMessage(new byte[33], 2_000), NoiseErrorCode.BAD_LENGTH);
    assertThat(responder.pollOutbound()).isEmpty();
  }

  @Test
  void messages_tooShort_badLength() throws Exception {
    assertCode(() -> responder().handleMessage(new byte[31], 2_000), NoiseErrorCode.BAD_LENGTH);
    HandshakePair pair = new HandshakePair();
    pair.responder.handleMessage(pair.initiator.pollOutbound().orElseThrow(), 2_000);
    byte[] message2 = pair.responder.pollOutbound().orElseThrow();
    assertCode(
        () -> pair.initiator.handleMessage(java.util.Arrays.copyOf(message2, 32 + 48 + 15), 3_000),
        NoiseErrorCode.BAD_LENGTH);
    HandshakePair other = new HandshakePair();
    other.responder.handleMessage(other.initiator.pollOutbound().orElseThrow(), 2_000);
    assertCode(
        () -> other.responder.handleMessage(new byte[48 + 15], 3_000), NoiseErrorCode.BAD_LENGTH);
  }

  @Test
  void timeout_beforeDeadlineNothing_atDeadlineFails() throws Exception {
    NoiseHandshake responder = responder();
    long deadline = HandshakePair.START_NANOS + NoiseConfig.DEFAULT_HANDSHAKE_TIMEOUT_NANOS;
    assertThat(responder.pollTimeout()).hasValue(deadline);
    responder.handleTimeout(deadline - 1);
    assertCode(() -> responder.handleTimeout(deadline), NoiseErrorCode.TIMEOUT);
    assertThat(responder.pollTimeout()).isEmpty();
    assertThatThrownBy(() -> responder.handleMessage(new byte[32], deadline))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void handleMessage_afterDeadline_timeout() {
    HandshakePair pair = new HandshakePair();
    byte[] message1 = pair.initiator.pollOutbound().orElseThrow();
    assertCode(
        () ->
            pair.responder.handleMessage(
                message1, HandshakePair.START_NANOS + NoiseConfig.DEFAULT_HANDSHAKE_TIMEOUT_NANOS),
        NoiseErrorCode.TIMEOUT);
  }

  @Test
  void handleMessage_afterCompletion_isOurBug() throws Exception {
    HandshakePair pair = new HandshakePair();
    pair.drive();
    assertThatThrownBy(() -> pair.responder.handleMessage(new byte[64], 5_000))
        .isInstanceOf(IllegalStateException.class);
  }

  /**
   * Runs a real initiator against a hand-made responder whose message 2 carries {@code
   * forge(staticKey)}.
   */
  private static void answerWithForgedPayload(java.util.function.Function<byte[], byte[]> forge)
      throws NoiseException {
    NoiseHandshake initiator =
        new NoiseHandshake(
            NoiseRole.INITIATOR,
            HandshakePair.ALICE,
            Optional.empty(),
            NoiseConfig.defaults(),
            new SplittableRandom(1),
            0);
    NoiseKeyPair staticKey = NoiseKeyPair.generate(new SplittableRandom(2));
    NoiseHandshakeState bob =
        new NoiseHandshakeState(
            NoiseRole.RESPONDER,
            new byte[0],
            staticKey,
            NoiseKeyPair.generate(new SplittableRandom(3)));
    bob.readMessage(initiator.pollOutbound().orElseThrow());
    initiator.handleMessage(bob.writeMessage(forge.apply(staticKey.publicKey())), 1);
  }

  private static byte[] payload(PrivKey identity, byte[] signature) {
    return NoiseHandshakePayload.newBuilder()
        .setIdentityKey(ByteString.copyFrom(identity.publicKey().encode()))
        .setIdentitySig(ByteString.copyFrom(signature))
        .build()
        .toByteArray();
  }

  private static byte[] signed(byte[] staticKey) {
    byte[] prefix = "noise-libp2p-static-key:".getBytes(StandardCharsets.UTF_8);
    byte[] out = java.util.Arrays.copyOf(prefix, prefix.length + staticKey.length);
    System.arraycopy(staticKey, 0, out, prefix.length, staticKey.length);
    return out;
  }

  private static NoiseHandshake responder() {
    return new NoiseHandshake(
        NoiseRole.RESPONDER,
        HandshakePair.BOB,
        Optional.empty(),
        NoiseConfig.defaults(),
        new SplittableRandom(5),
        HandshakePair.START_NANOS);
  }

  private static void assertCode(ThrowingCallable call, NoiseErrorCode code) {
    assertThatThrownBy(call)
        .isInstanceOfSatisfying(NoiseException.class, e -> assertThat(e.code()).isEqualTo(code));
  }
}
