package org.grapevine.protocol.entry;

import org.grapevine.protocol.identity.AuthorKey;
import org.grapevine.protocol.identity.Identity;

/**
 * The decoded fields of a signed Entry (see entry.proto).
 *
 * @param prev the id of entry {@code seq - 1}; null exactly when {@code seq == 1}
 * @param kindNumber the wire number of the kind, kept even when {@code kind} is UNKNOWN
 */
public record EntryHeader(
    Identity identity,
    AuthorKey author,
    long seq,
    EntryId prev,
    long timestampMillis,
    ContentKind kind,
    int kindNumber,
    ContentHash contentHash,
    long contentSize) {

  /** Whether this entry belongs to the identity's root log (written by the root key itself). */
  public boolean inRootLog() {
    return author.equals(identity.root());
  }
}
