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
 * reference); and the one that revoked it (the node core judging who forwards a revoked device's
 * addressed entries).
 */
public final class Delegations {
  private Delegations() {}

  /**
   * The held {@code DelegateDevice} entry of {@code identity}'s root log naming {@code device},
   * with its content; empty if none is held. Walks the root log, which holds only delegations and
   * revocations (a few entries).
   */
  public static Optional<LogEntry> find(PostStore store, Identity identity, AuthorKey device) {
    return rootEntry(store, identity, device, ContentKind.DELEGATE_DEVICE);
  }

  /**
   * The held {@code RevokeDevice} entry of {@code identity}'s root log naming {@code device}, with
   * its content; empty if none is held.
   */
  public static Optional<LogEntry> revocation(
      PostStore store, Identity identity, AuthorKey device) {
    return rootEntry(store, identity, device, ContentKind.REVOKE_DEVICE);
  }

  private static Optional<LogEntry> rootEntry(
      PostStore store, Identity identity, AuthorKey device, ContentKind kind) {
    AuthorKey root = identity.root();
    for (long seq = 1; seq <= store.contiguousHead(root); seq++) {
      LogEntry e = store.logEntry(root, seq).orElse(null);
      if (e != null && e.header().kind() == kind && e.content().isPresent()) {
        var c = e.content().get();
        byte[] named =
            kind == ContentKind.DELEGATE_DEVICE
                ? c.getDelegateDevice().getDevice().toByteArray()
                : c.getRevokeDevice().getDevice().toByteArray();
        if (device.equals(AuthorKey.of(named))) {
          return Optional.of(e);
        }
      }
    }
    return Optional.empty();
  }
}
