package org.grapevine.libp2p.multistream;

/**
 * Why a multistream-select negotiation failed. multistream-select has no error codes on the wire (a
 * failed negotiation just ends in a close or reset), so these exist for logs and callers.
 */
public enum MultistreamErrorCode {
  /** The peer's first message was not {@code /multistream/1.0.0}: it speaks something else. */
  NOT_MULTISTREAM,
  /** Initiator: the responder answered {@code na} to every proposal. */
  ALL_REFUSED,
  /** Bytes that are not a multistream message (length, newline, UTF-8 or size limit). */
  MALFORMED,
  /**
   * A well-formed message that makes no sense here, e.g. an echo of something we never proposed.
   */
  UNEXPECTED_MESSAGE,
  /** Responder: the initiator kept proposing past our bound on refusals. */
  TOO_MANY_PROPOSALS,
  /** The negotiation did not finish before the deadline given to {@code start}. */
  TIMEOUT,
  /** Adapters only: the connection or stream closed or was reset before a protocol was chosen. */
  CLOSED
}
