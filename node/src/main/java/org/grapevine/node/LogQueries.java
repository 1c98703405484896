package org.grapevine.node;

import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.grapevine.node.core.FollowDecisions;
import org.grapevine.node.storage.PostStore;
import org.grapevine.node.storage.TimelineCursor;
import org.grapevine.protocol.entry.ContentKind;
import org.grapevine.protocol.entry.LogEntry;
import org.grapevine.protocol.identity.AuthorKey;
import org.grapevine.protocol.identity.Identity;

/**
 * Questions answered by walking held logs (no index serves them yet): an identity's latest profile,
 * who follows an identity, how many entries are held. Reads only; thread-safe as the store's reads
 * are.
 */
public final class LogQueries {
  private LogQueries() {}

  /**
   * The identity's latest profile entry with content (by timestamp, over all its devices), if held.
   */
  public static Optional<LogEntry> latestProfile(PostStore store, Identity of) {
    LogEntry best = null;
    for (AuthorKey d : store.devices(of).keySet()) {
      for (long seq = store.contiguousHead(d); seq >= 1; seq--) {
        Optional<org.grapevine.protocol.entry.SignedEntry> e = store.entry(d, seq);
        if (e.isPresent() && e.get().header().kind() == ContentKind.PROFILE) {
          Optional<LogEntry> full = store.logEntry(d, seq).filter(LogEntry::hasContent);
          if (full.isPresent()) {
            if (best == null
                || full.get().header().timestampMillis() > best.header().timestampMillis()) {
              best = full.get();
            }
            break;
          }
        }
      }
    }
    return Optional.ofNullable(best);
  }

  /**
   * Identities whose held logs follow this one: those whose latest follow or unfollow of it is a
   * follow. Reads the entries addressed to the identity ({@code PostStore.addressedTo}, newest
   * first; a follow or unfollow addresses its target), not every held log: at a million held
   * entries the walk over every log took five seconds a call.
   */
  public static Set<Identity> followers(PostStore store, Identity identity) {
    Set<Identity> decided = new java.util.HashSet<>();
    Set<Identity> out = new TreeSet<>();
    TimelineCursor before = TimelineCursor.before(Long.MAX_VALUE);
    while (true) {
      java.util.List<LogEntry> page = store.addressedTo(identity, before, 512);
      for (LogEntry e : page) {
        ContentKind k = e.header().kind();
        Identity writer = e.header().identity();
        if ((k == ContentKind.FOLLOW || k == ContentKind.UNFOLLOW)
            && FollowDecisions.target(e).filter(identity::equals).isPresent()
            && decided.add(writer)
            && k == ContentKind.FOLLOW) {
          out.add(writer);
        }
      }
      if (page.size() < 512) {
        return out;
      }
      before = TimelineCursor.after(page.get(page.size() - 1));
    }
  }

  /**
   * Whom the identity's held logs follow: each identity whose latest follow or unfollow (by
   * timestamp, over all its devices) is a follow. Reads every held header of the identity.
   */
  public static Set<Identity> following(PostStore store, Identity of) {
    return new TreeSet<>(FollowDecisions.walk(store, of).follows());
  }

  /** Entries held over every identity's logs (root and device logs, contiguous part). */
  public static long entriesStored(PostStore store) {
    long n = 0;
    for (Identity i : store.identities()) {
      n += store.contiguousHead(i.root());
      for (AuthorKey d : store.devices(i).keySet()) {
        n += store.contiguousHead(d);
      }
    }
    return n;
  }
}
