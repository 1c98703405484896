package org.grapevine.libp2p.pnet;

/**
 * Why a pnet connection ends. pnet has no error messages on the wire (a wrong key is not even
 * detectable here: the bytes just decrypt to garbage), so these exist for logs and callers.
 */
public enum PnetErrorCode {
  /** The peer's 24-byte nonce did not arrive before the deadline: a silent or very slow peer. */
  NONCE_TIMEOUT
}
