package org.grapevine.node.core;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.grapevine.collect.SmallSet;
import org.grapevine.node.storage.PostStore;
import org.grapevine.protocol.Limits;
import org.grapevine.protocol.entry.EntryId;
import org.grapevine.protocol.entry.LogEntry;
import org.grapevine.protocol.identity.Identity;
import org.grapevine.protocol.proto.Content;
import org.grapevine.protocol.proto.Ref;
import org.grapevine.protocol.sync.EntryRef;

/**
 * The originals this node wants by reference (issue 15: "reposts and quotes resolve to the
 * original"): the entries that held reposts and quote posts refer to and the store does not hold.
 * Sync sessions ask peers that answer refs for them (sync.proto step 5a).
 *
 * <p>Rules:
 *
 * <ol>
 *   <li>Recorded when an entry is stored whose content is a repost, or a post with a quote, and the
 *       store does not hold the target (chained or loose); removed once the store holds it.
 *   <li>Bounded: at most {@link #MAX_WANTED}; when full, the oldest is dropped and counted ({@link
 *       #dropped}): a newer repost is likelier to be read soon.
 *   <li>Kept in memory only, not persisted: after a restart, an original still missing is wanted
 *       again when another entry referring to it is stored. A ref is small, but persisting it would
 *       need a key range and a migration for what is only a hint; the repost itself shows the
 *       original's id meanwhile.
 *   <li>Originals of blocked or muted identities are not asked for (the engine would ignore them).
 * </ol>
 *
 * Confined to the node core's thread, like the core.
 */
final class WantedOriginals {
  /** Refs wanted at once. */
  static final int MAX_WANTED = 1024;

  private final PostStore store;
  private final Set<EntryRef> wanted = new SmallSet<>(); // insertion order, as LinkedHashSet
  private long dropped;

  WantedOriginals(PostStore store) {
    this.store = store;
  }

  /**
   * Entries were stored: forgets those that were wanted and, if {@code record}, records the
   * originals they refer to that the store does not hold. Returns the refs newly recorded.
   */
  List<EntryRef> stored(List<LogEntry> entries, boolean record) {
    List<EntryRef> added = new ArrayList<>();
    for (LogEntry e : entries) {
      wanted.remove(new EntryRef(e.header().identity(), e.id()));
    }
    for (LogEntry e : record ? entries : List.<LogEntry>of()) {
      Optional<EntryRef> target = e.content().flatMap(WantedOriginals::target);
      if (target.isEmpty()
          || wanted.contains(target.get())
          || store.entryById(target.get().entry()).isPresent()) {
        continue;
      }
      if (wanted.size() >= MAX_WANTED) {
        Iterator<EntryRef> oldest = wanted.iterator();
        oldest.next();
        oldest.remove();
        dropped++;
      }
      wanted.add(target.get());
      added.add(target.get());
    }
    return added;
  }

  /**
   * At most {@code max} refs to ask for, oldest first, leaving out (and forgetting) those held by
   * now and those of blocked or muted identities.
   */
  List<EntryRef> list(int max) {
    List<EntryRef> out = new ArrayList<>();
    for (Iterator<EntryRef> it = wanted.iterator(); it.hasNext() && out.size() < max; ) {
      EntryRef ref = it.next();
      if (store.entryById(ref.entry()).isPresent()) {
        it.remove(); // Held by another way (a follow, gossip) since.
      } else if (!store.isBlocked(ref.identity()) && !store.isMuted(ref.identity())) {
        out.add(ref);
      }
    }
    return out;
  }

  int size() {
    return wanted.size();
  }

  /** Refs dropped, oldest first, because the set was full. */
  long dropped() {
    return dropped;
  }

  /**
   * The entry a repost reposts, a quote post quotes or a feed use uses; empty for other content.
   */
  static Optional<EntryRef> target(Content c) {
    Ref r;
    if (c.hasRepost()) {
      r = c.getRepost().getTarget();
    } else if (c.hasPost() && c.getPost().hasQuote()) {
      r = c.getPost().getQuote();
    } else if (c.hasFeedUse()) {
      // A feed someone uses: discovery shows it, so it is fetched like a reposted original.
      r = c.getFeedUse().getFeed();
    } else {
      return Optional.empty();
    }
    // Content rules refuse other lengths; a ref that is not one is no ref to fetch.
    if (r.getIdentity().size() != Limits.PUBLIC_KEY_BYTES
        || r.getEntry().size() != Limits.HASH_BYTES) {
      return Optional.empty();
    }
    return Optional.of(
        new EntryRef(
            Identity.of(r.getIdentity().toByteArray()), EntryId.of(r.getEntry().toByteArray())));
  }
}
