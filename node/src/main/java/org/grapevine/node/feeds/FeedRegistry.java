package org.grapevine.node.feeds;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.grapevine.node.storage.PostStore;
import org.grapevine.protocol.Limits;
import org.grapevine.protocol.entry.ContentKind;
import org.grapevine.protocol.entry.EntryId;
import org.grapevine.protocol.entry.LogEntry;
import org.grapevine.protocol.entry.SignedEntry;
import org.grapevine.protocol.identity.AuthorKey;
import org.grapevine.protocol.identity.Identity;
import org.grapevine.protocol.proto.Content;
import org.grapevine.protocol.proto.FeedUse;

/**
 * The feeds the node knows of: published versions (Feed entries) and who uses which (each writer's
 * latest FeedUse of a version, by timestamp). Learnt from every entry stored ({@link #offer}), and
 * from the held logs of an identity the first time it is asked about ({@link #scan}): an index kept
 * in memory, because no store index finds entries by kind and walking every log per question was
 * what made the first follower lists slow.
 *
 * <p>Thread-safe.
 */
final class FeedRegistry {
  /** One published version. */
  record Published(EntryId id, Identity author, FeedDefinition definition, long time) {}

  /** A writer's latest use (or stop) of one version, and the entry that says it. */
  record Use(EntryId feed, long time, boolean stopped, EntryId entry) {}

  private final PostStore store;
  private final Map<EntryId, Published> feeds = new HashMap<>();
  private final Map<Identity, Map<EntryId, Use>> uses = new HashMap<>();
  private final Set<Identity> scanned = new HashSet<>();

  FeedRegistry(PostStore store) {
    this.store = store;
  }

  /** A stored entry (any thread). */
  synchronized void offer(LogEntry e) {
    if (!e.hasContent()) {
      return;
    }
    Content c = e.content().get();
    Identity writer = e.header().identity();
    switch (e.header().kind()) {
      case FEED ->
          feeds.putIfAbsent(
              e.id(),
              new Published(
                  e.id(), writer, FeedDefinition.of(c.getFeed()), e.header().timestampMillis()));
      case FEED_USE -> {
        FeedUse u = c.getFeedUse();
        if (u.getFeed().getEntry().size() != Limits.HASH_BYTES) {
          return;
        }
        EntryId feed = EntryId.of(u.getFeed().getEntry().toByteArray());
        Map<EntryId, Use> mine = uses.computeIfAbsent(writer, k -> new HashMap<>());
        Use old = mine.get(feed);
        long t = e.header().timestampMillis();
        if (old == null || t >= old.time()) {
          mine.put(feed, new Use(feed, t, u.getStopped(), e.id()));
        }
      }
      case DELETE -> {
        EntryId target = EntryId.of(c.getDelete().getTarget().toByteArray());
        Published p = feeds.get(target);
        if (p != null && p.author().equals(writer)) {
          feeds.remove(target);
        }
        Map<EntryId, Use> mine = uses.get(writer);
        if (mine != null) {
          mine.values().removeIf(u -> u.entry().equals(target));
        }
      }
      default -> {}
    }
  }

  /** Reads the identity's held logs once (later entries arrive by {@link #offer}). */
  void scan(Identity who) {
    synchronized (this) {
      if (!scanned.add(who)) {
        return;
      }
    }
    List<LogEntry> found = new ArrayList<>();
    for (AuthorKey d : store.devices(who).keySet()) {
      for (long seq = 1; seq <= store.contiguousHead(d); seq++) {
        Optional<SignedEntry> h = store.entry(d, seq);
        ContentKind k = h.map(x -> x.header().kind()).orElse(ContentKind.UNKNOWN);
        if (k == ContentKind.FEED || k == ContentKind.FEED_USE || k == ContentKind.DELETE) {
          store.logEntry(d, seq).ifPresent(found::add);
        }
      }
    }
    found.sort(java.util.Comparator.comparingLong(x -> x.header().timestampMillis()));
    for (LogEntry e : found) {
      offer(e);
    }
  }

  /** A published version: from what was seen, else from the store (a feed fetched by ref). */
  Optional<Published> published(EntryId id) {
    synchronized (this) {
      Published p = feeds.get(id);
      if (p != null) {
        return Optional.of(p);
      }
    }
    Optional<LogEntry> e = store.entryById(id).filter(LogEntry::hasContent);
    if (e.isEmpty() || e.get().header().kind() != ContentKind.FEED) {
      return Optional.empty();
    }
    offer(e.get());
    synchronized (this) {
      return Optional.ofNullable(feeds.get(id));
    }
  }

  /** The versions an identity published, as seen. */
  synchronized List<Published> publishedBy(Identity author) {
    List<Published> out = new ArrayList<>();
    for (Published p : feeds.values()) {
      if (p.author().equals(author)) {
        out.add(p);
      }
    }
    out.sort(java.util.Comparator.comparingLong(Published::time).reversed());
    return out;
  }

  /** The versions a writer uses now (latest use not stopped). */
  synchronized List<EntryId> usedBy(Identity writer) {
    List<EntryId> out = new ArrayList<>();
    for (Use u : uses.getOrDefault(writer, Map.of()).values()) {
      if (!u.stopped()) {
        out.add(u.feed());
      }
    }
    return out;
  }
}
