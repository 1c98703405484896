package org.grapevine.libp2p.gossipsub;

/** Why a peer was judged to misbehave; carried by {@link GossipEvent.PeerMisbehaved}. */
public enum GossipErrorCode {
  /** StrictSign: from, an 8-byte seqno or the signature is missing. */
  MISSING_SIGNATURE_FIELDS,
  /**
   * StrictSign: the key field does not decode (or is a key we refuse, such as RSA under 2048 bits),
   * does not belong to {@code from}, or is missing while {@code from} does not inline the key (an
   * RSA peer ID).
   */
  KEY_MISMATCH,
  /** StrictSign: the signature (Ed25519, or RSA PKCS#1 v1.5 SHA-256) does not verify. */
  INVALID_SIGNATURE,
  /** StrictNoSign: the message carries from, seqno, signature or key. */
  UNEXPECTED_SIGNATURE_FIELDS,
  /** The application rejected the message (extended validation REJECT, P4). */
  INVALID_MESSAGE,
  /** GRAFT while we hold a backoff for the peer (P7). */
  GRAFT_DURING_BACKOFF,
  /** Advertised a message in IHAVE, was asked for it, and did not deliver in time (P7). */
  BROKEN_PROMISE
}
