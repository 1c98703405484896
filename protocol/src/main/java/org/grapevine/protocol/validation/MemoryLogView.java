package org.grapevine.protocol.validation;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.grapevine.protocol.entry.LogEntry;
import org.grapevine.protocol.entry.SignedEntry;
import org.grapevine.protocol.identity.AuthorKey;
import org.grapevine.protocol.identity.Identity;

/**
 * Logs held in memory: the {@link LogView} of tests and of the virtual-time simulator. Holds
 * contiguous logs only (entries ahead of a gap are the caller's to buffer). Not thread-safe.
 */
public final class MemoryLogView implements LogView {
  private final Map<AuthorKey, List<LogEntry>> logs = new HashMap<>();
  private final Map<Identity, DeviceSet> devices = new HashMap<>();

  /**
   * Appends an entry the {@link ChainChecker} answered {@link ChainOutcome.Append} for, and folds
   * root-log content into the identity's devices.
   *
   * @throws IllegalStateException if the entry is not the author's next one (a caller bug)
   */
  public void append(LogEntry entry) {
    List<LogEntry> log = logs.computeIfAbsent(entry.header().author(), k -> new ArrayList<>());
    if (entry.header().seq() != log.size() + 1) {
      throw new IllegalStateException(
          "append of seq " + entry.header().seq() + " to a log holding " + log.size());
    }
    log.add(entry);
    if (entry.header().inRootLog()) {
      entry
          .content()
          .ifPresent(
              c ->
                  devices
                      .computeIfAbsent(entry.header().identity(), k -> new DeviceSet())
                      .apply(c));
    }
  }

  /** The held entry with its content, if held. */
  public Optional<LogEntry> logEntry(AuthorKey author, long seq) {
    List<LogEntry> log = logs.get(author);
    return log == null || seq < 1 || seq > log.size()
        ? Optional.empty()
        : Optional.of(log.get((int) (seq - 1)));
  }

  /** Drops every log. */
  public void clear() {
    logs.clear();
    devices.clear();
  }

  @Override
  public long contiguousHead(AuthorKey author) {
    List<LogEntry> log = logs.get(author);
    return log == null ? 0 : log.size();
  }

  @Override
  public Optional<SignedEntry> entry(AuthorKey author, long seq) {
    return logEntry(author, seq).map(LogEntry::signed);
  }

  @Override
  public DeviceStatus deviceStatus(Identity identity, AuthorKey device) {
    DeviceSet set = devices.get(identity);
    return set == null ? DeviceStatus.UNKNOWN : set.status(device);
  }
}
