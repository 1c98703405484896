package org.grapevine.libp2p.gossipsub;

/**
 * Message signing policy (pubsub/README.md "Signature Policy Options"). The spec allows one per
 * topic; like go and js we use one per router. The lax legacy modes are deliberately absent.
 */
public enum SignaturePolicy {
  /** Publish with from, seqno and signature; reject inbound messages without a valid signature. */
  STRICT_SIGN,
  /**
   * Publish without from, seqno, signature and key; reject inbound messages that carry any of them.
   */
  STRICT_NO_SIGN
}
