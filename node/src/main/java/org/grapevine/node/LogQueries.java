package org.grapevine.node;

import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.grapevine.node.storage.PostStore;
import org.grapevine.protocol.entry.ContentKind;
import org.grapevine.protocol.entry.LogEntry;
import org.grapevine.protocol.identity.AuthorKey;
import org.grapevine.protocol.identity.Identity;
import org.grapevine.protocol.proto.Content;

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
   * Identities whose held logs follow this one (their latest follow or unfollow of it is a follow).
   * Reads every held header of every identity: fine for a personal node, not for an archive.
   */
  public static Set<Identity> followers(PostStore store, Identity identity) {
    Set<Identity> out = new TreeSet<>();
    for (Identity other : store.identities()) {
      if (!other.equals(identity) && following(store, other).contains(identity)) {
        out.add(other);
      }
    }
    return out;
  }

  /**
   * Whom the identity's held logs follow: each identity whose latest follow or unfollow (by
   * timestamp, over all its devices) is a follow. Reads every held header of the identity.
   */
  public static Set<Identity> following(PostStore store, Identity of) {
    java.util.Map<Identity, Long> latest = new java.util.HashMap<>();
    Set<Identity> out = new TreeSet<>();
    for (AuthorKey d : store.devices(of).keySet()) {
      for (long seq = 1; seq <= store.contiguousHead(d); seq++) {
        Optional<org.grapevine.protocol.entry.SignedEntry> h = store.entry(d, seq);
        ContentKind k = h.map(e -> e.header().kind()).orElse(ContentKind.UNKNOWN);
        if (k != ContentKind.FOLLOW && k != ContentKind.UNFOLLOW) {
          continue;
        }
        Optional<Content> c = store.logEntry(d, seq).flatMap(LogEntry::content);
        if (c.isEmpty()) {
          continue;
        }
        // Stored content passed ContentRules: the identity field is a 32-byte root key.
        Identity target =
            Identity.of(
                (k == ContentKind.FOLLOW
                        ? c.get().getFollow().getIdentity()
                        : c.get().getUnfollow().getIdentity())
                    .toByteArray());
        long ts = h.get().header().timestampMillis();
        if (ts >= latest.getOrDefault(target, 0L)) {
          latest.put(target, ts);
          if (k == ContentKind.FOLLOW) {
            out.add(target);
          } else {
            out.remove(target);
          }
        }
      }
    }
    out.remove(of);
    return out;
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
