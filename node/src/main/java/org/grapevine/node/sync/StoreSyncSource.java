package org.grapevine.node.sync;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiPredicate;
import java.util.function.IntFunction;
import java.util.function.Predicate;
import org.grapevine.libp2p.peer.PeerId;
import org.grapevine.node.engine.Budgets;
import org.grapevine.node.storage.MissingContent;
import org.grapevine.node.storage.PostStore;
import org.grapevine.protocol.addressed.AddressedCodec;
import org.grapevine.protocol.entry.ContentHash;
import org.grapevine.protocol.entry.LogEntry;
import org.grapevine.protocol.identity.AuthorKey;
import org.grapevine.protocol.identity.Identity;
import org.grapevine.protocol.sync.ContentRef;
import org.grapevine.protocol.sync.EntryRef;
import org.grapevine.protocol.sync.SyncLimits;
import org.grapevine.protocol.sync.SyncSource;

/**
 * What a sync session reads of a store: an identity's root and device logs, their entries, the
 * content this node lacks (to ask the peer for) and content by hash (to serve), the entries it
 * wants by reference (to ask for) and entries by reference (to serve, sync.proto step 5a). Public
 * for the simulator, whose nodes sync over the same {@link PostStore} interface.
 */
public final class StoreSyncSource implements SyncSource {
  private final PostStore store;
  private final Budgets budgets;

  /** Whether this session's {@link #peer} may be asked for a hash (not served bare before). */
  private final BiPredicate<PeerId, ContentHash> mayAsk;

  private final PeerId peer;
  private final IntFunction<List<EntryRef>> wanted;

  /** A source without budgets that asks for all missing content (tools, tests). */
  public StoreSyncSource(PostStore store) {
    this(store, Budgets.UNLIMITED, hash -> true);
  }

  /** As below, asking for no entry by reference. */
  public StoreSyncSource(PostStore store, Budgets budgets, Predicate<ContentHash> notFromThisPeer) {
    this(store, budgets, notFromThisPeer, max -> List.of());
  }

  /**
   * @param budgets missing content is asked for only while its identity's quota has room for it
   * @param notFromThisPeer hashes not to ask this session's peer for (it served their entries
   *     without them)
   * @param wanted the entries to ask for by reference, at most the given number ({@link
   *     #wantedEntries})
   */
  public StoreSyncSource(
      PostStore store,
      Budgets budgets,
      Predicate<ContentHash> notFromThisPeer,
      IntFunction<List<EntryRef>> wanted) {
    this(store, budgets, (peer, hash) -> notFromThisPeer.test(hash), null, wanted);
  }

  /**
   * As above, with the hashes not to ask for given per peer by one predicate the node shares among
   * its sessions: no predicate object per session (a simulation holds hundreds of thousands).
   *
   * @param mayAsk whether {@code peer} may be asked for a hash
   * @param peer this session's peer, as {@code mayAsk} takes it
   */
  public StoreSyncSource(
      PostStore store,
      Budgets budgets,
      BiPredicate<PeerId, ContentHash> mayAsk,
      PeerId peer,
      IntFunction<List<EntryRef>> wanted) {
    this.store = store;
    this.budgets = budgets;
    this.mayAsk = mayAsk;
    this.peer = peer;
    this.wanted = wanted;
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
        if (asked.contains(m.hash()) || !mayAsk.test(peer, m.hash())) {
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

  @Override
  public List<EntryRef> wantedEntries(int max) {
    return wanted.apply(max);
  }

  /**
   * A held device-log entry of the ref's identity with its content (chained or loose; not deleted,
   * whose content is gone), with the delegation of its device from the held root log. A loose entry
   * of a writer whose root log is not held is not served: its proof was not kept.
   */
  @Override
  public Optional<byte[]> entryByRef(EntryRef ref) {
    Optional<LogEntry> held = store.entryById(ref.entry());
    if (held.isEmpty()
        || !held.get().hasContent()
        || held.get().header().inRootLog()
        || !held.get().header().identity().equals(ref.identity())) {
      return Optional.empty();
    }
    LogEntry e = held.get();
    return Delegations.find(store, ref.identity(), e.header().author())
        .map(d -> AddressedCodec.encode(e, d));
  }
}
