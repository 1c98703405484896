package org.grapevine.node.sync;

import java.util.Optional;
import org.grapevine.node.storage.PostStore;
import org.grapevine.protocol.entry.ContentKind;
import org.grapevine.protocol.entry.LogEntry;
import org.grapevine.protocol.identity.AuthorKey;
import org.grapevine.protocol.identity.Identity;

/**
 * The root-log entry that delegated a device: the proof an {@code Addressed} message carries (the
 * node core publishing its own entries on addressee topics, a sync session serving an entry by
 * reference).
 */
public final class Delegations {
  private Delegations() {}

  /**
   * The held {@code DelegateDevice} entry of {@code identity}'s root log naming {@code device},
   * with its content; empty if none is held. Walks the root log, which holds only delegations and
   * revocations (a few entries).
   */
  public static Optional<LogEntry> find(PostStore store, Identity identity, AuthorKey device) {
    AuthorKey root = identity.root();
    for (long seq = 1; seq <= store.contiguousHead(root); seq++) {
      LogEntry e = store.logEntry(root, seq).orElse(null);
      if (e != null
          && e.header().kind() == ContentKind.DELEGATE_DEVICE
          && e.content().isPresent()
          && device.equals(
              AuthorKey.of(e.content().get().getDelegateDevice().getDevice().toByteArray()))) {
        return Optional.of(e);
      }
    }
    return Optional.empty();
  }
}
