package org.grapevine.node.core;

import org.grapevine.libp2p.gossipsub.Acceptance;
import org.grapevine.node.engine.IngestOutcome;

/** How gossip treats an ingestion outcome (rule 1 of {@link NodeCore}). */
public final class Verdicts {
  private Verdicts() {}

  /**
   * Only what could be stored is forwarded (ACCEPT); blame as the reason says (REJECT when the
   * sender is at fault); anything else, overload among it, is IGNOREd.
   */
  public static Acceptance acceptance(IngestOutcome outcome) {
    if (outcome instanceof IngestOutcome.Stored
        || outcome instanceof IngestOutcome.Buffered
        || outcome instanceof IngestOutcome.ContentFilled) {
      return Acceptance.ACCEPT;
    }
    if (outcome instanceof IngestOutcome.Rejected r && r.reason().senderAtFault()) {
      return Acceptance.REJECT;
    }
    return Acceptance.IGNORE;
  }
}
