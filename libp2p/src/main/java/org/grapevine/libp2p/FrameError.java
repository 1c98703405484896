package org.grapevine.libp2p;

/**
 * What is wrong with bytes a peer sent, carried by every {@link MalformedFrameException} so that
 * callers branch on it (for example, to answer "too large" differently from "garbage") instead of
 * on the message text, which is for people.
 */
public enum FrameError {
  /** A length, count or size above the limit we accept (also announced ones, refused early). */
  TOO_LARGE,
  /** A varint that is not minimally encoded or longer than the format allows. */
  BAD_VARINT,
  /** The bytes end (or the peer closed the stream) in the middle of a message or field. */
  TRUNCATED,
  /** Bytes that do not decode: bad protobuf, UTF-8, base encoding, delimiter or layout. */
  BAD_ENCODING,
  /** A well-formed message without a field the protocol requires. */
  MISSING_FIELD,
  /** A well-formed value of a kind we do not support (key type, multihash, protocol code). */
  UNSUPPORTED,
  /**
   * A key too weak for the protocol: an RSA key under 2048 bits, or with an exponent that cannot
   * verify (the peer-ids rules every implementation enforces).
   */
  WEAK_KEY,
  /** A key or peer ID that is not the peer's, or claims to be ours. */
  WRONG_IDENTITY,
  /** A signature that does not verify under the key it names (signed envelopes, vouchers). */
  BAD_SIGNATURE,
  /** Well-formed bytes that break the protocol's rules (a wrong echo, data past a message). */
  PROTOCOL_VIOLATION,
  /** The peer reset the stream before the exchange was over. */
  RESET
}
