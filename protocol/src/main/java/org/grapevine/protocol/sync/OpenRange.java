package org.grapevine.protocol.sync;

import org.grapevine.protocol.identity.AuthorKey;
import org.grapevine.protocol.identity.Identity;

/**
 * A range of one log still being fetched or served: seqs {@code next..to}, inclusive. Mutable,
 * owned by one {@link SyncSession}.
 */
final class OpenRange {
  final Identity identity;
  final AuthorKey author;
  final long to;

  /**
   * Serving side: whether this node serves the identity in this session (follows it, or answered it
   * by name) and holds the log at all.
   */
  final boolean servable;

  long next;

  OpenRange(Identity identity, AuthorKey author, long from, long to, boolean servable) {
    this.identity = identity;
    this.author = author;
    this.next = from;
    this.to = to;
    this.servable = servable;
  }

  @Override
  public String toString() {
    return author + " " + next + ".." + to;
  }
}
