package org.grapevine.node.engine;

import java.util.List;
import org.grapevine.protocol.entry.LogEntry;
import org.grapevine.protocol.identity.AuthorKey;
import org.grapevine.protocol.validation.RejectReason;

/** What ingesting one entry did. */
public sealed interface IngestOutcome {

  /**
   * Appended to its author's log. {@code entry} is as stored (without its content when a budget
   * dropped it); {@code unblocked} are entries that waited behind it in the gap buffer and are
   * stored now too, in order; {@code budget} says what a local budget did to {@code entry}.
   */
  record Stored(LogEntry entry, List<LogEntry> unblocked, BudgetNote budget)
      implements IngestOutcome {
    public Stored(LogEntry entry, List<LogEntry> unblocked) {
      this(entry, unblocked, BudgetNote.NONE);
    }
  }

  /**
   * What a local budget ({@link Budgets}) did to a stored entry. Never a judgement of the sender.
   */
  enum BudgetNote {
    /** Within every budget. */
    NONE,
    /** The identity is at its quota: the entry is in the chain, its content was not kept. */
    CONTENT_DROPPED_OVER_QUOTA,
    /** Stored with its content, but it declares an attachment over the cap: never fetched. */
    ATTACHMENT_OVER_CAP
  }

  /**
   * Already held, but without its content while no held delete names it (content missing): this
   * copy's content, checked against the signed hash, is stored now. {@code entry} is the entry with
   * its content.
   */
  record ContentFilled(LogEntry entry) implements IngestOutcome {}

  /** Already held. */
  record Duplicate() implements IngestOutcome {}

  /**
   * Kept aside: the author's entries {@code fromSeq..toSeq} are missing; the caller should fetch
   * them (sync). Not lost: applied in order once the gap closes.
   */
  record Buffered(AuthorKey author, long fromSeq, long toSeq) implements IngestOutcome {}

  /**
   * The author signed two histories; both entries are stored as evidence and the identity is
   * flagged.
   */
  record Forked() implements IngestOutcome {}

  /** Refused; nothing was stored. */
  record Rejected(RejectReason reason, String detail) implements IngestOutcome {}

  /**
   * Dropped without judging the sender: muted or blocked identity, full gap buffer, an addressed
   * entry over a limit. {@code cause} is the counter it was counted under, or null.
   */
  record Ignored(String why, Engine.Counter cause) implements IngestOutcome {
    public Ignored(String why) {
      this(why, null);
    }
  }
}
