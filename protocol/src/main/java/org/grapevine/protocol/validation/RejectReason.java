package org.grapevine.protocol.validation;

/**
 * Why an entry is refused. Every reason is the fault of whoever produced or forwarded the bytes,
 * never of the reader. Stable names: they appear in metrics and logs.
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
  WRONG_TOPIC
}
