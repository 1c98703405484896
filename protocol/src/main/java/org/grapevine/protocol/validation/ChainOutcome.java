package org.grapevine.protocol.validation;

import org.grapevine.protocol.entry.SignedEntry;

/** Where a verified entry stands against the logs a reader holds. */
public sealed interface ChainOutcome
    permits ChainOutcome.Append,
        ChainOutcome.Duplicate,
        ChainOutcome.Gap,
        ChainOutcome.Fork,
        ChainOutcome.Rejected {

  /** The entry extends the author's log by one: apply it. */
  record Append() implements ChainOutcome {}

  /** The same entry is held already. */
  record Duplicate() implements ChainOutcome {}

  /**
   * Entries {@code fromSeq..toSeq} (inclusive) of the author are missing before this one: keep it
   * aside (bounded) and fetch the range.
   */
  record Gap(long fromSeq, long toSeq) implements ChainOutcome {}

  /**
   * The author signed two different histories. Both entries are evidence (each carries the author's
   * signature): keep them, flag the identity, never overwrite.
   *
   * @param held the entry held at {@code held.header().seq()}
   * @param incoming either a different entry at the same seq ({@link ForkKind#SAME_SEQ}), or the
   *     next entry naming a different predecessor than {@code held} ({@link
   *     ForkKind#PREV_MISMATCH})
   */
  record Fork(ForkKind kind, SignedEntry held, SignedEntry incoming) implements ChainOutcome {}

  /** The entry breaks a rule of the chain; {@code detail} is for logs. */
  record Rejected(RejectReason reason, String detail) implements ChainOutcome {}

  enum ForkKind {
    SAME_SEQ,
    PREV_MISMATCH
  }
}
