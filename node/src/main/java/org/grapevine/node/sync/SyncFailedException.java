package org.grapevine.node.sync;

import org.grapevine.protocol.sync.SyncErrorCode;
import org.grapevine.protocol.sync.SyncEvent;

/** A sync session that ended without completing: why, and whose fault it was. */
public final class SyncFailedException extends RuntimeException {
  private final SyncErrorCode code;
  private final SyncEvent.Fault fault;

  public SyncFailedException(SyncErrorCode code, SyncEvent.Fault fault, String detail) {
    super("sync failed: " + code + " (" + fault + "): " + detail);
    this.code = code;
    this.fault = fault;
  }

  public SyncErrorCode code() {
    return code;
  }

  public SyncEvent.Fault fault() {
    return fault;
  }
}
