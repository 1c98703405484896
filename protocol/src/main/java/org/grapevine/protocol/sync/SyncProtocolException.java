package org.grapevine.protocol.sync;

/**
 * Bytes from the peer that break the sync protocol. Checked, and caught inside the session, which
 * turns it into a {@link SyncEvent.Failed}; it never reaches the node.
 */
public final class SyncProtocolException extends Exception {
  private final SyncErrorCode code;

  public SyncProtocolException(SyncErrorCode code, String detail) {
    super(detail);
    this.code = code;
  }

  public SyncErrorCode code() {
    return code;
  }
}
