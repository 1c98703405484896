package org.grapevine.protocol.validation;

/**
 * Why an entry is refused. Stable names: they appear in metrics and logs.
 *
 * <p>Blame is one rule, kept here and nowhere else ({@link #senderAtFault}): every path that
 * receives entries (gossip, sync, the simulator) asks the reason whether the peer that sent the
 * bytes is to be penalised.
 */
public enum RejectReason {
  // --- The envelope and the signed header (stateless) ---
  ENVELOPE_TOO_LARGE,
  MALFORMED_ENVELOPE,
  ENTRY_TOO_LARGE,
  MALFORMED_ENTRY,
  /** The header bytes are not the canonical encoding (field order, defaults, unknown fields). */
  NON_CANONICAL_ENTRY,
  UNSUPPORTED_VERSION,
  /** An identity or author key that is not 32 bytes. */
  BAD_KEY,
  BAD_SEQ,
  /** prev is empty for seq > 1, present for seq 1, or not 32 bytes. */
  BAD_PREV,
  BAD_TIMESTAMP,
  BAD_KIND,
  /** A root-log-only kind in a device log, or a device kind in a root log. */
  KIND_NOT_ALLOWED_IN_LOG,
  BAD_SIGNATURE,

  // --- Content (stateless) ---
  CONTENT_TOO_LARGE,
  CONTENT_SIZE_MISMATCH,
  CONTENT_HASH_MISMATCH,
  MALFORMED_CONTENT,
  /** The content's body is not the kind the signed header declares. */
  KIND_MISMATCH,
  FIELD_TOO_LARGE,
  /** A key, id or hash inside the content that has the wrong length or points at itself. */
  BAD_REFERENCE,

  // --- The chain (stateful) ---
  /** A root-log entry of a known kind arrived without the content needed to apply it. */
  CONTENT_REQUIRED,
  /** The author is not a device the identity delegated (as far as the reader's root log says). */
  UNDELEGATED_DEVICE,
  /** The device was revoked before writing this entry. */
  REVOKED_DEVICE,
  TIMESTAMP_IN_FUTURE,
  TIMESTAMP_BEFORE_PREVIOUS,

  // --- Transport ---
  /** Published on another identity's topic than the entry's own. */
  WRONG_TOPIC,
  /**
   * An addressed entry ({@code Addressed} on an addressee's topic) whose delegation proof is not a
   * root-log delegation of the entry's author, or that comes without content or from a root log.
   */
  BAD_DELEGATION_PROOF,
  /** An addressed entry whose content does not address the identity of the topic it came on. */
  NOT_ADDRESSED,
  /**
   * A peer forwarded more addressed entries of one writer within a window than a node that keeps
   * the limits of addressed entries ever forwards (twice the per-writer limit): it floods, or
   * forwards for a flooder without checking.
   */
  FLOOD,
  /**
   * An addressed entry of a revoked device, forwarded by a peer that could not but know of the
   * revocation: it subscribes to the writer's identity topic (it follows the writer, or is the
   * writer's own node, so it holds the root log the revocation is in), and the revocation is old
   * enough to have reached it. The node core's judgement on {@link #REVOKED_DEVICE}, which alone is
   * not the sender's fault.
   */
  REVOKED_KNOWN;

  /**
   * Whether the peer that sent an entry refused for this reason is at fault (gossip REJECT, which
   * costs it score; a sync session failed as its fault). False for the reasons that can come from
   * the reader being behind rather than the sender being wrong: a root log we have not fully synced
   * (the device is delegated or revoked in entries we do not hold yet, so an honest relay that
   * stored the entry before the revocation reached it looks the same as a liar), and a clock of
   * ours that runs late. Such entries are dropped without judging the sender; they come again by
   * sync once we have caught up.
   */
  public boolean senderAtFault() {
    return this != UNDELEGATED_DEVICE && this != REVOKED_DEVICE && this != TIMESTAMP_IN_FUTURE;
  }
}
