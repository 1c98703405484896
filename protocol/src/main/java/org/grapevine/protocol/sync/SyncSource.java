package org.grapevine.protocol.sync;

import java.util.List;
import java.util.Map;
import org.grapevine.protocol.entry.ContentHash;
import org.grapevine.protocol.entry.LogEntry;
import org.grapevine.protocol.identity.AuthorKey;
import org.grapevine.protocol.identity.Identity;

/**
 * What a sync session reads of the logs this node holds. The node implements it over its store;
 * tests over a MemoryLogView. Called from the session's thread only; answers must reflect what the
 * node has stored so far (a log may grow during a session, never shrink).
 */
public interface SyncSource {
  /**
   * The logs held for {@code identity}: its root log (author = root key) and its device logs, each
   * with its contiguous head (highest n with 1..n all held). Logs with head 0 may be left out.
   * Asked for followed identities and for those a peer names (sync.proto step 2a), followed or not:
   * the node holds an identity when its root log head is above 0. Should not return more than
   * {@link SyncLimits#MAX_LOGS_PER_IDENTITY} logs; the session advertises the root log and the
   * highest-keyed rest up to that limit.
   */
  Map<AuthorKey, Long> heads(Identity identity);

  /** The contiguous head of one log; 0 when none of it is held. */
  long contiguousHead(AuthorKey author);

  /**
   * Entries {@code fromSeq, fromSeq+1, ...} of the author's log with their content when held, at
   * most {@code maxCount}, stopping before the entry that would bring the sum of their encoded
   * envelope sizes above {@code maxBytes}. The session asks only for seqs up to {@link
   * #contiguousHead}, so a shorter answer means "the byte limit was reached".
   */
  List<LogEntry> entries(AuthorKey author, long fromSeq, int maxCount, long maxBytes);

  /**
   * Content this node lacks (entries held without it, not deleted) of these identities, that it
   * wants from this peer, at most {@code max}, each hash once. The default: none.
   */
  default List<ContentRef> missingContent(java.util.Collection<Identity> identities, int max) {
    return List.of();
  }

  /**
   * The content with this hash (SHA-256), if this node holds it; asked for an entry of {@code
   * identity}, which the session has checked it serves (this node follows it, or answered it by
   * name). The default: none.
   */
  default java.util.Optional<byte[]> content(Identity identity, ContentHash hash) {
    return java.util.Optional.empty();
  }

  /**
   * Entries this node knows only by a reference and wants from any peer (sync.proto step 5a: the
   * originals of reposts and quote posts it holds without them), at most {@code max}, each once.
   * The default: none.
   */
  default List<EntryRef> wantedEntries(int max) {
    return List.of();
  }

  /**
   * The encoded {@code Addressed} message of the entry {@code ref} names (its envelope with content
   * and the root-log envelope that delegated its device), if this node holds both and the entry is
   * an entry of {@code ref.identity()}; empty otherwise (not held, deleted, content missing,
   * delegation not held). Asked for any identity, followed or not. At most {@link
   * org.grapevine.protocol.Limits#MAX_ADDRESSED_BYTES}. The default: none.
   */
  default java.util.Optional<byte[]> entryByRef(EntryRef ref) {
    return java.util.Optional.empty();
  }

  /**
   * The usual {@link #entries} over a per-seq lookup: entries from {@code fromSeq} on, at most
   * {@code maxCount}, stopping at the first missing one or before exceeding {@code maxBytes} of
   * envelope bytes.
   */
  static List<LogEntry> collect(
      java.util.function.LongFunction<java.util.Optional<LogEntry>> atSeq,
      long fromSeq,
      int maxCount,
      long maxBytes) {
    List<LogEntry> out = new java.util.ArrayList<>();
    long bytes = 0;
    for (long seq = fromSeq; out.size() < maxCount; seq++) {
      java.util.Optional<LogEntry> e = atSeq.apply(seq);
      if (e.isEmpty()) {
        break;
      }
      long size = e.get().envelopeSize();
      if (bytes + size > maxBytes) {
        break;
      }
      bytes += size;
      out.add(e.get());
    }
    return out;
  }
}
