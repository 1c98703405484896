package org.grapevine.libp2p.noise;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.grapevine.libp2p.MalformedFrameException;
import org.grapevine.libp2p.crypto.PrivKey;
import org.grapevine.libp2p.crypto.PubKey;
import org.grapevine.libp2p.proto.NoiseExtensions;
import org.grapevine.libp2p.proto.NoiseHandshakePayload;

/**
 * The libp2p handshake payload (noise/README.md, "The libp2p Handshake Payload"): our identity key,
 * its signature over our static X25519 key, and the muxers we offer. Travels encrypted in message 2
 * (responder) and message 3 (initiator).
 *
 * @param identityKey the sender's identity key
 * @param muxers the sender's stream muxers for early negotiation, in preference order; empty if it
 *     sent none
 */
record NoisePayload(PubKey identityKey, List<String> muxers) {
  /** Signed bytes = these UTF-8 bytes || the 32-byte static X25519 public key. */
  private static final byte[] SIGNATURE_PREFIX =
      "noise-libp2p-static-key:".getBytes(StandardCharsets.UTF_8);

  NoisePayload {
    muxers = List.copyOf(muxers);
  }

  /** Our payload for a handshake whose static key is {@code staticPublicKey}. */
  static byte[] encode(PrivKey identity, byte[] staticPublicKey, List<String> muxers) {
    NoiseHandshakePayload.Builder payload =
        NoiseHandshakePayload.newBuilder()
            .setIdentityKey(ByteString.copyFrom(identity.publicKey().encode()))
            .setIdentitySig(ByteString.copyFrom(identity.sign(signedBytes(staticPublicKey))));
    if (!muxers.isEmpty()) { // With no list we send no extensions at all (option (a) of the notes).
      payload.setExtensions(NoiseExtensions.newBuilder().addAllStreamMuxers(muxers));
    }
    return payload.build().toByteArray();
  }

  /**
   * Decodes the remote's payload and checks it against the static key it sent in this handshake.
   * Steps, in the spec's order:
   *
   * <ol>
   *   <li>the payload parses and carries an identity key we can decode;
   *   <li>identity_sig verifies over the prefix and {@code remoteStatic}.
   * </ol>
   *
   * The expected peer ID (step 3) is the caller's business.
   */
  static NoisePayload decodeAndVerify(byte[] bytes, byte[] remoteStatic) throws NoiseException {
    NoiseHandshakePayload payload;
    PubKey key;
    try {
      payload = NoiseHandshakePayload.parseFrom(bytes);
      if (!payload.hasIdentityKey()) {
        throw new NoiseException(
            NoiseErrorCode.BAD_PAYLOAD, "remote sent a handshake payload without identity_key");
      }
      key = PubKey.decode(payload.getIdentityKey().toByteArray());
    } catch (InvalidProtocolBufferException | MalformedFrameException e) {
      throw new NoiseException(
          NoiseErrorCode.BAD_PAYLOAD,
          "remote sent an unreadable handshake payload: " + e.getMessage(),
          e);
    }
    if (!key.verify(signedBytes(remoteStatic), payload.getIdentitySig().toByteArray())) {
      throw new NoiseException(
          NoiseErrorCode.BAD_SIGNATURE, "remote's identity_sig does not sign its static Noise key");
    }
    return new NoisePayload(key, payload.getExtensions().getStreamMuxersList());
  }

  private static byte[] signedBytes(byte[] staticPublicKey) {
    byte[] out = Arrays.copyOf(SIGNATURE_PREFIX, SIGNATURE_PREFIX.length + staticPublicKey.length);
    System.arraycopy(staticPublicKey, 0, out, SIGNATURE_PREFIX.length, staticPublicKey.length);
    return out;
  }
}
