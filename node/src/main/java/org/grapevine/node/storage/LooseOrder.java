package org.grapevine.node.storage;

import java.util.Comparator;
import org.grapevine.protocol.entry.SignedEntry;

/** The order in which {@link PostStore#evictLoose} removes loose entries: oldest first. */
final class LooseOrder {
  /**
   * By the writer's timestamp, then by id. The timestamp is the writer's claim, but at most the
   * allowed clock skew ahead of the reader's clock (the chain rules refuse more), so a writer
   * cannot keep its entries from going by dating them far ahead; dating them back only sends them
   * first.
   */
  static final Comparator<SignedEntry> OLDEST_FIRST =
      Comparator.comparingLong((SignedEntry e) -> e.header().timestampMillis())
          .thenComparing(e -> e.id().toString());

  private LooseOrder() {}
}
