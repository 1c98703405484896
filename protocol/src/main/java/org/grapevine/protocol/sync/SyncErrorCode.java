package org.grapevine.protocol.sync;

/**
 * Why a sync session failed; the number travels in SyncError.code. Never renumber. {@link
 * #peerFault} says whether, when we detect it, the peer broke the protocol (a reason to penalise
 * it) or not.
 */
public enum SyncErrorCode {
  /** A code this version does not know, received from a newer peer. */
  UNKNOWN(0, false),
  /** A message did not decode, or a field had an impossible value (key length, seq 0). */
  MALFORMED_MESSAGE(1, true),
  /** A message, batch or envelope over its size limit. */
  MESSAGE_TOO_LARGE(2, true),
  UNSUPPORTED_VERSION(3, true),
  /** More identities, logs, ranges or credit than the limits allow. */
  TOO_MANY_ITEMS(4, true),
  /** Entries of a log or seq nobody asked for, or any entry with no range open. */
  UNREQUESTED_ENTRIES(5, true),
  /** An entry of the right log but not the next seq. */
  OUT_OF_ORDER(6, true),
  /** A batch sent without credit. */
  FLOW_CONTROL(7, true),
  /** A message that is well-formed but not allowed now (Heads after the last, early Done). */
  PROTOCOL_VIOLATION(8, true),
  /** The node found an entry the peer sent invalid (signature, chain, delegation). */
  INVALID_ENTRY(9, true),
  /** The peer sent nothing for the idle timeout. */
  TIMEOUT(10, false),
  /** Our node ended the session (shutdown, peer disconnected). */
  CANCELLED(11, false),
  /** Content answered for a hash it does not hash to (SHA-256). */
  CONTENT_MISMATCH(12, true),
  /** Contents nobody asked for: no WantContent open, or items for other hashes than asked. */
  UNREQUESTED_CONTENT(13, true),
  /**
   * More identities named in WantHeads than {@link SyncLimits#MAX_NAMES_PER_WANT} in one message or
   * {@link SyncLimits#MAX_NAMES_PER_SESSION} in a session.
   */
  TOO_MANY_NAMES(14, true),
  /**
   * More refs asked for in WantEntries than {@link SyncLimits#MAX_REFS_PER_WANT} in one message or
   * {@link SyncLimits#MAX_REFS_PER_SESSION} in a session (sync.proto step 5a).
   */
  TOO_MANY_REFS(15, true);

  private final int number;
  private final boolean peerFault;

  SyncErrorCode(int number, boolean peerFault) {
    this.number = number;
    this.peerFault = peerFault;
  }

  public int number() {
    return number;
  }

  public boolean peerFault() {
    return peerFault;
  }

  public static SyncErrorCode ofNumber(int number) {
    for (SyncErrorCode c : values()) {
      if (c.number == number) {
        return c;
      }
    }
    return UNKNOWN;
  }
}
