package org.grapevine.node.engine;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.grapevine.node.storage.PostStore;
import org.grapevine.protocol.entry.ContentKind;
import org.grapevine.protocol.entry.EntryId;
import org.grapevine.protocol.entry.LogEntry;
import org.grapevine.protocol.proto.Content;
import org.grapevine.protocol.validation.ChainChecker;
import org.grapevine.protocol.validation.ChainOutcome;
import org.grapevine.protocol.validation.EntryValidator;
import org.grapevine.protocol.validation.RejectReason;
import org.grapevine.protocol.validation.Verification;

/**
 * The one ingestion pipeline for every source (gossip, sync, own posts):
 * <ol>
 *   <li>decode and stateless checks ({@link EntryValidator}: sizes, encoding, hashes, signature);
 *   <li>muted identities are ignored;
 *   <li>chain check against the store ({@link ChainChecker}: delegated device, seq, prev, time);
 *   <li>apply in one atomic write (the store indexes in the same batch); a delete drops the
 *       content of its target when the target belongs to the same identity;
 *   <li>entries waiting behind a gap that now fits are applied too, in order;
 *   <li>every outcome is counted ({@link #counts()}).
 * </ol>
 * Not thread-safe: the node runs it on one storage executor; results go back to the network
 * layer as values (gossip maps them with {@link #acceptance}).
 */
public final class Engine {
  /** How outcomes are counted: one counter per kind and per reject reason. */
  public enum Counter {
    STORED, DUPLICATE, BUFFERED, FORKED, REJECTED, IGNORED_MUTED, IGNORED_BUFFER_FULL
  }

  private final PostStore store;
  private final EntryValidator validator;
  private final ChainChecker checker;
  private final GapBuffer gaps;
  private final Map<Counter, Long> counts = new EnumMap<>(Counter.class);
  private final Map<RejectReason, Long> rejects = new EnumMap<>(RejectReason.class);

  public Engine(PostStore store, EntryValidator validator, ChainChecker checker, int gapBufferPerAuthor, int gapBufferTotal) {
    this.store = store;
    this.validator = validator;
    this.checker = checker;
    this.gaps = new GapBuffer(gapBufferPerAuthor, gapBufferTotal);
  }

  /** Where an entry came from, for the {@link Listener} (metrics, event streams). */
  public enum Source {
    /** Written by this node. */
    OWN,
    /** A gossip message ({@link #ingest(byte[], org.grapevine.protocol.identity.Identity, long)}). */
    GOSSIP,
    /** Received from a peer outside gossip: catch-up sync ({@link #ingest(byte[], long)}). */
    SYNC,
    /** A verified entry handed in by code other than the node's own writer (tools, tests). */
    DIRECT
  }

  /** Told of every outcome, on the engine's thread, after the store was written; must be quick. */
  public interface Listener {
    void onIngested(Source source, IngestOutcome outcome);
  }

  private Listener listener = (source, outcome) -> {};

  /** Replaces the listener (one; the node fans out). */
  public void setListener(Listener listener) {
    this.listener = java.util.Objects.requireNonNull(listener);
  }

  /** Ingests an encoded envelope received from a peer by sync. */
  public IngestOutcome ingest(byte[] envelope, long nowMillis) {
    return told(Source.SYNC, ingestEnvelope(envelope, null, nowMillis));
  }

  /**
   * Ingests an encoded envelope received on {@code expected}'s topic: an entry of another
   * identity there is refused ({@link RejectReason#WRONG_TOPIC}), so nobody can fill one
   * identity's topic with another's entries.
   */
  public IngestOutcome ingest(byte[] envelope, org.grapevine.protocol.identity.Identity expected, long nowMillis) {
    return told(Source.GOSSIP, ingestEnvelope(envelope, expected, nowMillis));
  }

  private IngestOutcome ingestEnvelope(byte[] envelope, org.grapevine.protocol.identity.Identity expected, long nowMillis) {
    Verification v = validator.validate(envelope);
    if (v instanceof Verification.Invalid invalid) {
      return rejected(invalid.reason(), invalid.detail());
    }
    LogEntry entry = ((Verification.Valid) v).entry();
    if (expected != null && !entry.header().identity().equals(expected)) {
      return rejected(RejectReason.WRONG_TOPIC, "an entry of " + entry.header().identity() + " on the topic of " + expected);
    }
    return ingestVerified(entry, false, nowMillis);
  }

  /**
   * Ingests a verified entry. {@code own} entries (written by this node) are stored durably
   * before this returns, so the API may acknowledge them.
   */
  public IngestOutcome ingest(LogEntry entry, boolean own, long nowMillis) {
    return told(own ? Source.OWN : Source.DIRECT, ingestVerified(entry, own, nowMillis));
  }

  private IngestOutcome told(Source source, IngestOutcome outcome) {
    listener.onIngested(source, outcome);
    return outcome;
  }

  private IngestOutcome ingestVerified(LogEntry entry, boolean own, long nowMillis) {
    if (!own && store.isMuted(entry.header().identity())) {
      count(Counter.IGNORED_MUTED);
      return new IngestOutcome.Ignored("identity " + entry.header().identity() + " is muted");
    }
    ChainOutcome outcome = checker.check(entry, store, nowMillis);
    if (outcome instanceof ChainOutcome.Append) {
      apply(entry, own);
      List<LogEntry> unblocked = drainGaps(entry, nowMillis);
      count(Counter.STORED);
      return new IngestOutcome.Stored(entry, unblocked);
    } else if (outcome instanceof ChainOutcome.Duplicate) {
      count(Counter.DUPLICATE);
      return new IngestOutcome.Duplicate();
    } else if (outcome instanceof ChainOutcome.Gap gap) {
      if (!gaps.add(entry)) {
        count(Counter.IGNORED_BUFFER_FULL);
        return new IngestOutcome.Ignored("gap buffer full; seq " + entry.header().seq() + " will come again by sync");
      }
      count(Counter.BUFFERED);
      return new IngestOutcome.Buffered(entry.header().author(), gap.fromSeq(), gap.toSeq());
    } else if (outcome instanceof ChainOutcome.Fork fork) {
      store.recordFork(fork.held(), fork.incoming());
      count(Counter.FORKED);
      return new IngestOutcome.Forked();
    }
    ChainOutcome.Rejected r = (ChainOutcome.Rejected) outcome;
    return rejected(r.reason(), r.detail());
  }

  /** How gossip should treat an outcome: only entries that could be stored are forwarded. */
  public static org.grapevine.libp2p.gossipsub.Acceptance acceptance(IngestOutcome outcome) {
    if (outcome instanceof IngestOutcome.Stored || outcome instanceof IngestOutcome.Buffered) {
      return org.grapevine.libp2p.gossipsub.Acceptance.ACCEPT;
    }
    if (outcome instanceof IngestOutcome.Rejected r && !mayBeOurStaleness(r.reason())) {
      return org.grapevine.libp2p.gossipsub.Acceptance.REJECT;
    }
    return org.grapevine.libp2p.gossipsub.Acceptance.IGNORE;
  }

  /**
   * Reasons that can be our own fault rather than the sender's: a root log we have not fully
   * synced yet, or a clock of ours that runs late. They must not cost the forwarding peer score.
   */
  static boolean mayBeOurStaleness(RejectReason reason) {
    return reason == RejectReason.UNDELEGATED_DEVICE || reason == RejectReason.TIMESTAMP_IN_FUTURE;
  }

  /** Outcome counters, for metrics. */
  public Map<Counter, Long> counts() {
    return Map.copyOf(counts);
  }

  /** Rejections by reason, for metrics. */
  public Map<RejectReason, Long> rejects() {
    return Map.copyOf(rejects);
  }

  public int buffered() {
    return gaps.size();
  }

  private void apply(LogEntry entry, boolean own) {
    store.apply(entry, own);
    if (entry.header().kind() == ContentKind.DELETE) {
      entry.content().map(Content::getDelete).ifPresent(d -> {
        EntryId target = EntryId.of(d.getTarget().toByteArray());
        // Only the author's own identity may delete: the target must be held and be one of ours.
        store.entryById(target)
            .filter(t -> t.header().identity().equals(entry.header().identity()) && !t.header().inRootLog())
            .ifPresent(t -> store.deleteContent(target));
      });
    }
  }

  private List<LogEntry> drainGaps(LogEntry stored, long nowMillis) {
    List<LogEntry> unblocked = new ArrayList<>();
    List<LogEntry> next = gaps.takeContiguous(stored.header().author(), stored.header().seq());
    for (LogEntry e : next) {
      // Checked again: the chain rules (prev, time, devices) hold only against the now-held predecessor.
      ChainOutcome o = checker.check(e, store, nowMillis);
      if (o instanceof ChainOutcome.Append) {
        apply(e, false);
        unblocked.add(e);
        count(Counter.STORED);
      } else if (o instanceof ChainOutcome.Fork fork) {
        store.recordFork(fork.held(), fork.incoming());
        count(Counter.FORKED);
        break;
      } else {
        break; // Rejected or out of order: the rest waits or comes again by sync.
      }
    }
    return unblocked;
  }

  private IngestOutcome rejected(RejectReason reason, String detail) {
    count(Counter.REJECTED);
    rejects.merge(reason, 1L, Long::sum);
    return new IngestOutcome.Rejected(reason, detail);
  }

  private void count(Counter c) {
    counts.merge(c, 1L, Long::sum);
  }
}
