package org.grapevine.protocol.validation;

import java.util.Locale;
import java.util.Optional;
import org.grapevine.protocol.Limits;
import org.grapevine.protocol.entry.ContentKind;
import org.grapevine.protocol.entry.EntryHeader;
import org.grapevine.protocol.entry.LogEntry;
import org.grapevine.protocol.entry.SignedEntry;

/**
 * Stateful validation: where a verified entry stands against the logs a reader holds. A pure
 * function of the entry, the {@link LogView} and the reader's clock, which the caller passes in (no
 * clock is read here). Thread-safe if the view is.
 *
 * <p>Rules, in the order they are checked:
 *
 * <ol>
 *   <li>The author is the identity's root key, or a device the root log delegated and did not
 *       revoke before this seq ({@link RejectReason#UNDELEGATED_DEVICE}, {@link
 *       RejectReason#REVOKED_DEVICE}).
 *   <li>The timestamp is at most {@link Limits#MAX_CLOCK_SKEW_MILLIS} ahead of the reader's clock.
 *   <li>An entry held at the same seq: the same one is a {@link ChainOutcome.Duplicate}, another
 *       one a {@link ChainOutcome.Fork}.
 *   <li>Beyond the contiguous head plus one: a {@link ChainOutcome.Gap}.
 *   <li>Next after the head: {@code prev} names the held predecessor (else a fork), the timestamp
 *       is not before the predecessor's, and a root-log entry of a known kind carries its content
 *       (the reader needs it to know the devices). Then {@link ChainOutcome.Append}.
 * </ol>
 */
public final class ChainChecker {
  private final long maxClockSkewMillis;

  public ChainChecker() {
    this(Limits.MAX_CLOCK_SKEW_MILLIS);
  }

  public ChainChecker(long maxClockSkewMillis) {
    this.maxClockSkewMillis = maxClockSkewMillis;
  }

  public ChainOutcome check(LogEntry entry, LogView view, long nowMillis) {
    EntryHeader h = entry.header();
    // 1. Authorisation.
    if (!h.inRootLog()) {
      DeviceStatus status = view.deviceStatus(h.identity(), h.author());
      if (!status.allows(h.seq())) {
        return status.state() == DeviceStatus.State.REVOKED
            ? rejected(
                RejectReason.REVOKED_DEVICE,
                "device %s was revoked after seq %d; this is seq %d",
                h.author(),
                status.lastValidSeq(),
                h.seq())
            : rejected(
                RejectReason.UNDELEGATED_DEVICE,
                "%s is not a delegated device of %s",
                h.author(),
                h.identity());
      }
    }
    // 2. Clock.
    if (h.timestampMillis() > nowMillis + maxClockSkewMillis) {
      return rejected(
          RejectReason.TIMESTAMP_IN_FUTURE,
          "timestamp %d is %d ms ahead of this reader's clock",
          h.timestampMillis(),
          h.timestampMillis() - nowMillis);
    }
    // 3. Same seq held.
    long head = view.contiguousHead(h.author());
    Optional<SignedEntry> held = view.entry(h.author(), h.seq());
    if (held.isPresent()) {
      return held.get().id().equals(entry.id())
          ? new ChainOutcome.Duplicate()
          : new ChainOutcome.Fork(ChainOutcome.ForkKind.SAME_SEQ, held.get(), entry.signed());
    }
    if (h.seq() <= head) {
      throw new IllegalStateException(
          "LogView broke its contract: no entry at seq "
              + h.seq()
              + " of "
              + h.author()
              + " below its contiguous head "
              + head);
    }
    // 4. Gap.
    if (h.seq() > head + 1) {
      return new ChainOutcome.Gap(head + 1, h.seq() - 1);
    }
    // 5. Next entry.
    if (h.seq() > 1) {
      SignedEntry prev =
          view.entry(h.author(), h.seq() - 1)
              .orElseThrow(
                  () ->
                      new IllegalStateException(
                          "LogView broke its contract: no entry at its contiguous head "
                              + head
                              + " of "
                              + h.author()));
      if (!prev.id().equals(h.prev())) {
        return new ChainOutcome.Fork(ChainOutcome.ForkKind.PREV_MISMATCH, prev, entry.signed());
      }
      if (h.timestampMillis() < prev.header().timestampMillis()) {
        return rejected(
            RejectReason.TIMESTAMP_BEFORE_PREVIOUS,
            "timestamp %d is before the previous entry's %d",
            h.timestampMillis(),
            prev.header().timestampMillis());
      }
    }
    if (h.inRootLog() && h.kind() != ContentKind.UNKNOWN && entry.content().isEmpty()) {
      return rejected(
          RejectReason.CONTENT_REQUIRED,
          "root-log %s at seq %d came without its content",
          h.kind(),
          h.seq());
    }
    return new ChainOutcome.Append();
  }

  private static ChainOutcome.Rejected rejected(
      RejectReason reason, String format, Object... args) {
    return new ChainOutcome.Rejected(reason, String.format(Locale.ROOT, format, args));
  }
}
