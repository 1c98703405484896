package org.grapevine.libp2p.noise;

/**
 * Why a Noise handshake or session failed. The libp2p Noise spec defines no alerts: every code here
 * ends the connection (noise/README.md: "the connection MUST be terminated immediately").
 */
public enum NoiseErrorCode {
  /** A handshake message or transport frame has a length the pattern does not allow. */
  BAD_LENGTH,
  /** An AEAD tag did not verify: tampered bytes, wrong keys, or a skipped/replayed frame. */
  DECRYPT_FAILED,
  /**
   * The handshake payload is not a valid NoiseHandshakePayload or lacks or garbles identity_key.
   */
  BAD_PAYLOAD,
  /** identity_sig does not sign the static X25519 key received in this handshake. */
  BAD_SIGNATURE,
  /** The remote identity is not the peer we dialed (the /p2p/ part of the address). */
  PEER_ID_MISMATCH,
  /** Both sides offered stream muxers for early negotiation and no entry is common. */
  MUXER_MISMATCH,
  /** The remote sent an X25519 public key whose shared secret is all zeros (a low-order point). */
  BAD_KEY,
  /** The handshake did not complete before its deadline. */
  TIMEOUT,
  /** 2^64 - 1 messages in one direction: the nonce space is used up (Noise spec section 5.1). */
  NONCE_EXHAUSTED
}
