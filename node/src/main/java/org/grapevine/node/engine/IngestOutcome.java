package org.grapevine.node.engine;

import java.util.List;
import org.grapevine.protocol.entry.LogEntry;
import org.grapevine.protocol.identity.AuthorKey;
import org.grapevine.protocol.validation.RejectReason;

/** What ingesting one entry did. */
public sealed interface IngestOutcome {

  /** Stored; {@code unblocked} are entries that waited behind it in the gap buffer and are stored now too, in order. */
  record Stored(LogEntry entry, List<LogEntry> unblocked) implements IngestOutcome {}

  /** Already held. */
  record Duplicate() implements IngestOutcome {}

  /**
   * Kept aside: the author's entries {@code fromSeq..toSeq} are missing; the caller should fetch
   * them (sync). Not lost: applied in order once the gap closes.
   */
  record Buffered(AuthorKey author, long fromSeq, long toSeq) implements IngestOutcome {}

  /** The author signed two histories; both entries are stored as evidence and the identity is flagged. */
  record Forked() implements IngestOutcome {}

  /** Refused; nothing was stored. */
  record Rejected(RejectReason reason, String detail) implements IngestOutcome {}

  /** Dropped without judging the sender: muted identity, full gap buffer. */
  record Ignored(String why) implements IngestOutcome {}
}
