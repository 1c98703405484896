package org.grapevine.node.sync;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import org.grapevine.node.engine.Budgets;
import org.grapevine.node.storage.MissingContent;
import org.grapevine.node.storage.PostStore;
import org.grapevine.protocol.entry.ContentHash;
import org.grapevine.protocol.entry.LogEntry;
import org.grapevine.protocol.identity.AuthorKey;
import org.grapevine.protocol.identity.Identity;
import org.grapevine.protocol.sync.ContentRef;
import org.grapevine.protocol.sync.SyncLimits;
import org.grapevine.protocol.sync.SyncSource;

/**
 * What a sync session reads of a store: an identity's root and device logs, their entries, the
 * content this node lacks (to ask the peer for) and content by hash (to serve). Public for the
 * simulator, whose nodes sync over the same {@link PostStore} interface.
 */
public final class StoreSyncSource implements SyncSource {
  private final PostStore store;
  private final Budgets budgets;
  private final Predicate<ContentHash> notFromThisPeer;

  /** A source without budgets that asks for all missing content (tools, tests). */
  public StoreSyncSource(PostStore store) {
    this(store, Budgets.UNLIMITED, hash -> true);
  }

  /**
   * @param budgets missing content is asked for only while its identity's quota has room for it
   * @param notFromThisPeer hashes not to ask this session's peer for (it served their entries
   *     without them)
   */
  public StoreSyncSource(PostStore store, Budgets budgets, Predicate<ContentHash> notFromThisPeer) {
    this.store = store;
    this.budgets = budgets;
    this.notFromThisPeer = notFromThisPeer;
  }

  @Override
  public Map<AuthorKey, Long> heads(Identity identity) {
    Map<AuthorKey, Long> heads = new LinkedHashMap<>();
    long root = store.contiguousHead(identity.root());
    if (root > 0) {
      heads.put(identity.root(), root);
    }
    for (AuthorKey device : store.devices(identity).keySet()) {
      if (heads.size() >= SyncLimits.MAX_LOGS_PER_IDENTITY) {
        break;
      }
      long head = store.contiguousHead(device);
      if (head > 0) {
        heads.put(device, head);
      }
    }
    return heads;
  }

  @Override
  public long contiguousHead(AuthorKey author) {
    return store.contiguousHead(author);
  }

  @Override
  public List<LogEntry> entries(AuthorKey author, long fromSeq, int maxCount, long maxBytes) {
    return SyncSource.collect(seq -> store.logEntry(author, seq), fromSeq, maxCount, maxBytes);
  }

  /**
   * Missing content of the identities (never deleted content), while each identity's quota has room
   * for what is asked (content over the quota would not be kept), leaving out what this peer served
   * bare and muted or blocked identities (whose entries the node ignores).
   */
  @Override
  public List<ContentRef> missingContent(Collection<Identity> identities, int max) {
    List<ContentRef> out = new ArrayList<>();
    for (Identity identity : identities) {
      if (out.size() >= max) {
        break;
      }
      if (store.isMuted(identity) || store.isBlocked(identity)) {
        continue;
      }
      long used = store.storedBytes(identity);
      Set<ContentHash> asked = new LinkedHashSet<>();
      for (MissingContent m : store.missingContent(identity, max - out.size())) {
        if (asked.contains(m.hash()) || !notFromThisPeer.test(m.hash())) {
          continue;
        }
        if (!budgets.fitsQuota(used, m.size())) {
          break; // The rest would not be kept either.
        }
        used += m.size();
        asked.add(m.hash());
        out.add(new ContentRef(identity, m.hash()));
      }
    }
    return out;
  }

  @Override
  public Optional<byte[]> content(Identity identity, ContentHash hash) {
    return store.contentByHash(hash);
  }
}
