package org.grapevine.protocol.validation;

import java.util.Optional;
import org.grapevine.protocol.entry.SignedEntry;
import org.grapevine.protocol.identity.AuthorKey;
import org.grapevine.protocol.identity.Identity;

/**
 * What the chain checker needs to know of the logs a reader holds. The node implements it over
 * RocksDB; {@link MemoryLogView} over maps (tests, the virtual-time simulator).
 */
public interface LogView {
  /** The highest seq n such that the author's entries 1..n are all held; 0 when none is. */
  long contiguousHead(AuthorKey author);

  /** The held entry at {@code seq}. Must be present for every seq up to {@link #contiguousHead}. */
  Optional<SignedEntry> entry(AuthorKey author, long seq);

  /** What the identity's root log, as held, says of the device. */
  DeviceStatus deviceStatus(Identity identity, AuthorKey device);
}
