package org.grapevine.libp2p.relay;

import com.google.protobuf.ByteString;
import java.io.IOException;
import org.grapevine.libp2p.FrameError;
import org.grapevine.libp2p.MalformedFrameException;
import org.grapevine.libp2p.crypto.PrivKey;
import org.grapevine.libp2p.peer.PeerId;
import org.grapevine.libp2p.proto.circuit.Voucher;
import org.grapevine.libp2p.record.SignedEnvelope;

/**
 * The reservation voucher of circuit-v2.md ("Reservation Vouchers"): the relay's signed statement
 * that it will relay to {@code peer} until {@code expirationUnixSeconds}, sent in a {@link
 * SignedEnvelope} with domain {@value #DOMAIN} and payload type {@code 0x0302} (as the two raw
 * bytes {@code 03 02}, as go and js write it).
 *
 * <p>{@link #open} checks, in order: 1. the envelope (size, signature: {@link
 * SignedEnvelope#open}); 2. the signer is the relay we reserved with; 3. the payload decodes and
 * names that relay; 4. it names us; 5. its expiration equals the reservation's. The spec calls
 * vouchers advisory; we still refuse a reservation whose voucher is present and wrong, since a
 * relay that signs nonsense is not one to advertise.
 */
public record ReservationVoucher(PeerId relay, PeerId peer, long expirationUnixSeconds) {
  public static final String DOMAIN = "libp2p-relay-rsvp";
  private static final byte[] PAYLOAD_TYPE = {0x03, 0x02};

  /** The envelope's bytes, signed with the relay's identity key. */
  public byte[] seal(PrivKey relayKey) {
    if (!PeerId.fromPubKey(relayKey.publicKey()).equals(relay)) {
      throw new IllegalArgumentException("a voucher is signed by the relay it names");
    }
    byte[] payload =
        Voucher.newBuilder()
            .setRelay(ByteString.copyFrom(relay.toBytes()))
            .setPeer(ByteString.copyFrom(peer.toBytes()))
            .setExpiration(expirationUnixSeconds)
            .build()
            .toByteArray();
    return SignedEnvelope.seal(relayKey, DOMAIN, PAYLOAD_TYPE, payload);
  }

  /**
   * Opens and checks a voucher from {@code relay} for {@code self}, expiring at {@code expire}.
   *
   * @throws MalformedFrameException the envelope's codes, WRONG_IDENTITY (another signer, relay or
   *     peer), PROTOCOL_VIOLATION (another expiration), BAD_ENCODING
   */
  public static ReservationVoucher open(byte[] envelope, PeerId relay, PeerId self, long expire)
      throws MalformedFrameException {
    // 1. envelope
    SignedEnvelope e = SignedEnvelope.open(envelope, DOMAIN, PAYLOAD_TYPE);
    // 2. signer
    if (!PeerId.fromPubKey(e.signer()).equals(relay)) {
      throw new MalformedFrameException(
          FrameError.WRONG_IDENTITY, "voucher signed by another key than relay " + relay + "'s");
    }
    // 3. payload
    Voucher v;
    try {
      v = Voucher.parseFrom(e.payload());
    } catch (IOException ex) {
      throw new MalformedFrameException(
          FrameError.BAD_ENCODING, "voucher payload does not decode: " + ex.getMessage(), ex);
    }
    ReservationVoucher voucher =
        new ReservationVoucher(
            PeerId.fromBytes(v.getRelay().toByteArray()),
            PeerId.fromBytes(v.getPeer().toByteArray()),
            v.getExpiration());
    if (!voucher.relay.equals(relay)) {
      throw new MalformedFrameException(
          FrameError.WRONG_IDENTITY, "voucher names relay " + voucher.relay + ", not " + relay);
    }
    // 4. us
    if (!voucher.peer.equals(self)) {
      throw new MalformedFrameException(
          FrameError.WRONG_IDENTITY, "voucher is for peer " + voucher.peer + ", not us");
    }
    // 5. expiration
    if (voucher.expirationUnixSeconds != expire) {
      throw new MalformedFrameException(
          FrameError.PROTOCOL_VIOLATION,
          "voucher expires at " + voucher.expirationUnixSeconds + ", reservation at " + expire);
    }
    return voucher;
  }
}
