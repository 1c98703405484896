package org.grapevine.node.sync;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.grapevine.node.storage.PostStore;
import org.grapevine.protocol.entry.LogEntry;
import org.grapevine.protocol.identity.AuthorKey;
import org.grapevine.protocol.identity.Identity;
import org.grapevine.protocol.sync.SyncLimits;
import org.grapevine.protocol.sync.SyncSource;

/**
 * What a sync session reads of a store: an identity's root and device logs, and their entries.
 * Public for the simulator, whose nodes sync over the same {@link PostStore} interface.
 */
public final class StoreSyncSource implements SyncSource {
  private final PostStore store;

  public StoreSyncSource(PostStore store) {
    this.store = store;
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
}
