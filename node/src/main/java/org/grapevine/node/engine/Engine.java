package org.grapevine.node.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.grapevine.node.storage.Applied;
import org.grapevine.node.storage.MissingContent;
import org.grapevine.node.storage.PostStore;
import org.grapevine.protocol.addressed.AddressedValidator;
import org.grapevine.protocol.entry.ContentHash;
import org.grapevine.protocol.entry.ContentKind;
import org.grapevine.protocol.entry.LogEntry;
import org.grapevine.protocol.entry.SignedEntry;
import org.grapevine.protocol.identity.Identity;
import org.grapevine.protocol.validation.ChainChecker;
import org.grapevine.protocol.validation.ChainOutcome;
import org.grapevine.protocol.validation.EntryValidator;
import org.grapevine.protocol.validation.RejectReason;
import org.grapevine.protocol.validation.Verification;

/**
 * The one ingestion pipeline for every source (gossip, sync, own posts):
 *
 * <ol>
 *   <li>decode and stateless checks ({@link EntryValidator}: sizes, encoding, hashes, signature);
 *   <li>muted and blocked identities are ignored (a blocked identity's entries are never stored);
 *   <li>chain check against the store ({@link ChainChecker}: delegated device, seq, prev, time);
 *   <li>budgets ({@link Budgets}, and the narrower {@link KeepPolicy} of the extended circle): an
 *       identity at its quota gets the entry without its content;
 *   <li>apply in one atomic write: the store indexes, and carries out a delete (its target's
 *       content dropped when the target belongs to the same identity; a target arriving after its
 *       delete is stored without content) and a revocation (the device's later entries removed), in
 *       the same batch;
 *   <li>entries waiting behind a gap that now fits are applied too, in order;
 *   <li>every outcome is counted, per source ({@link #countsBySource()}).
 * </ol>
 *
 * <p>Why a quota drops content rather than the entry: a log is a chain, and every later entry of
 * the author names its predecessor. Refusing the entry (IGNORE) would leave a gap that never
 * closes: every later entry of that device would wait in the gap buffer or be fetched again by
 * sync, forever, and the node would lose the author's history for good, deletes and revocations
 * included. Appending the signed entry without its content costs a few hundred bytes, keeps the
 * chain verifiable (as after a delete), and is honest to peers: the entry is valid, so gossip still
 * accepts and forwards it. Root-log entries (they define the devices) and deletes (their content
 * says what to drop, and dropping frees space) always keep their content; they are tiny. Own
 * entries are never dropped: this node is where they live.
 *
 * <p>Not thread-safe: the node runs it on one storage executor; results go back to the node core as
 * values ({@link org.grapevine.node.core.NodeCore} decides what they mean for the sender). The
 * counters and {@link #usage} may be read from any thread.
 */
public final class Engine {
  /** How outcomes are counted: one counter per kind and per reject reason. */
  public enum Counter {
    STORED,
    DUPLICATE,
    BUFFERED,
    FORKED,
    REJECTED,
    IGNORED_MUTED,
    /** The identity is blocked (issue 15): its entries are not stored. */
    IGNORED_BLOCKED,
    IGNORED_BUFFER_FULL,
    /** Stored without content: the identity is at its quota (also counted as STORED). */
    CONTENT_DROPPED_OVER_QUOTA,
    /** Stored, but declares an attachment over the cap (also counted as STORED). */
    ATTACHMENT_OVER_CAP,
    /** The content of an entry held without it (missing, not deleted) arrived and was stored. */
    CONTENT_FILLED,
    /** Content arrived for an entry whose identity is at its quota: it stays missing. */
    CONTENT_NOT_FILLED_OVER_QUOTA,
    /**
     * Stored without its content: a held delete of its identity names it (the delete arrived first,
     * issue 12). Also counted as STORED.
     */
    CONTENT_DROPPED_DELETED,
    /**
     * Entries of a revoked device after its last valid seq, removed from the store when the
     * revocation was applied (issue 12), counted once each.
     */
    PURGED_REVOKED,
    /** An addressed entry stored loose, outside its writer's chain (issue 15). */
    STORED_LOOSE,
    /** An addressed entry over its writer's limit ({@link LooseLimits}), not stored. */
    IGNORED_WRITER_LIMIT,
    /** An addressed entry over its addressee's limit ({@link LooseLimits}), not stored. */
    IGNORED_ADDRESSEE_LIMIT,
    /**
     * Loose entries removed, the oldest first, because all of them held came over {@link
     * LooseLimits.Config#totalBytes} (issue 15): counted once each.
     */
    EVICTED_LOOSE
  }

  private final PostStore store;
  private final EntryValidator validator;
  private final ChainChecker checker;
  private final GapBuffer gaps;
  private final Budgets budgets;
  private final IngestCounters counters = new IngestCounters();
  private final AddressedIngest addressed;
  private final AddressedValidator addressedValidator;

  public Engine(
      PostStore store,
      EntryValidator validator,
      ChainChecker checker,
      int gapBufferPerAuthor,
      int gapBufferTotal) {
    this(store, validator, checker, gapBufferPerAuthor, gapBufferTotal, Budgets.UNLIMITED);
  }

  public Engine(
      PostStore store,
      EntryValidator validator,
      ChainChecker checker,
      int gapBufferPerAuthor,
      int gapBufferTotal,
      Budgets budgets) {
    this.store = store;
    this.validator = validator;
    this.checker = checker;
    this.gaps = new GapBuffer(gapBufferPerAuthor, gapBufferTotal);
    this.budgets = budgets;
    this.addressed = new AddressedIngest(store, checker, budgets.addressed());
    this.addressedValidator = new AddressedValidator(validator);
  }

  /**
   * Ingests what {@code AddressedValidator} made of an {@code Addressed} message on {@code
   * addressee}'s topic (counted as {@link IngestSource#ADDRESSED}); the rules are {@link
   * AddressedIngest}'s. A stored loose entry is {@link IngestOutcome.Stored} (not chained: its
   * writer's log is not held that far).
   */
  public IngestOutcome ingestAddressed(Verification v, Identity addressee, long nowMillis) {
    IngestSource source = IngestSource.ADDRESSED;
    if (v instanceof Verification.Invalid invalid) {
      return told(source, rejected(source, invalid.reason(), invalid.detail()));
    }
    LogEntry entry = ((Verification.Valid) v).entry();
    return told(
        source, carryOut(addressed.decide(entry, addressee, nowMillis), entry, source, nowMillis));
  }

  /**
   * Ingests an entry a sync session fetched by reference (sync.proto step 5a), an encoded {@code
   * Addressed} message the session checked is one this node asked for; counted as {@link
   * IngestSource#BY_REF}. Verified here with {@link AddressedValidator} (both signatures, the
   * delegation: at most two per item, and a session brings at most {@code
   * SyncLimits.MAX_REFS_PER_SESSION} items, so they are not worth the verifier pool's round trip),
   * then {@link AddressedIngest#decideAsked}: stored loose unless its chain is held up to it.
   */
  public IngestOutcome ingestByRef(byte[] addressedMessage, long nowMillis) {
    IngestSource source = IngestSource.BY_REF;
    Verification v = addressedValidator.validate(addressedMessage);
    if (v instanceof Verification.Invalid invalid) {
      return told(source, rejected(source, invalid.reason(), invalid.detail()));
    }
    LogEntry entry = ((Verification.Valid) v).entry();
    return told(
        source, carryOut(addressed.decideAsked(entry, nowMillis), entry, source, nowMillis));
  }

  /** Carries out {@link AddressedIngest}'s decision on {@code entry}; counts it. */
  private IngestOutcome carryOut(
      AddressedIngest.Decision d, LogEntry entry, IngestSource source, long nowMillis) {
    IngestOutcome outcome;
    if (d instanceof AddressedIngest.Decision.Refuse r) {
      outcome = rejected(source, r.reason(), r.detail());
    } else if (d instanceof AddressedIngest.Decision.Drop drop) {
      counters.count(source, drop.counter());
      outcome =
          drop.counter() == Counter.DUPLICATE
              ? new IngestOutcome.Duplicate()
              : new IngestOutcome.Ignored(drop.why(), drop.counter());
    } else if (d instanceof AddressedIngest.Decision.Chain) {
      outcome = ingestVerified(entry, source, nowMillis);
    } else if (store.applyLoose(entry)) {
      observer.onApplied(entry, new Applied(false, 0)); // Searchable like any held entry.
      counters.count(source, Counter.STORED_LOOSE);
      evictLooseOverBudget(source);
      outcome = new IngestOutcome.Stored(entry, List.of(), IngestOutcome.BudgetNote.NONE);
    } else {
      counters.count(source, Counter.DUPLICATE); // Held meanwhile, chained or loose.
      outcome = new IngestOutcome.Duplicate();
    }
    return outcome;
  }

  /**
   * Over {@link LooseLimits.Config#totalBytes}, removes the oldest loose entries down to nine
   * tenths of it (one eviction pays for many entries), and tells the observer.
   */
  private void evictLooseOverBudget(IngestSource source) {
    long total = budgets.addressed().totalBytes();
    if (store.looseBytes() <= total) {
      return;
    }
    List<LogEntry> evicted = store.evictLoose(total - total / 10);
    counters.add(source, Counter.EVICTED_LOOSE, evicted.size());
    observer.onLooseEvicted(evicted);
  }

  /** Ingests an encoded envelope received by sync (counted as {@link IngestSource#SYNC}). */
  public IngestOutcome ingest(byte[] envelope, long nowMillis) {
    return ingest(envelope, IngestSource.SYNC, null, nowMillis);
  }

  /** Ingests an encoded envelope received by gossip on {@code expected}'s topic (see below). */
  public IngestOutcome ingest(byte[] envelope, Identity expected, long nowMillis) {
    return ingest(envelope, IngestSource.GOSSIP, expected, nowMillis);
  }

  /**
   * Ingests an encoded envelope received from a peer. With {@code expected} (the owner of the
   * gossip topic it came on), an entry of another identity is refused ({@link
   * RejectReason#WRONG_TOPIC}), so nobody can fill one identity's topic with another's entries.
   *
   * @param expected null when the entry did not come on an identity's topic
   */
  public IngestOutcome ingest(
      byte[] envelope, IngestSource source, Identity expected, long nowMillis) {
    return told(source, ingestEnvelope(envelope, source, expected, nowMillis));
  }

  private IngestOutcome ingestEnvelope(
      byte[] envelope, IngestSource source, Identity expected, long nowMillis) {
    return ingestChecked(validator.validate(envelope), source, expected, nowMillis);
  }

  /**
   * Ingests what stateless validation made of an envelope received from a peer (validated by the
   * caller, for example on a pool of threads): an invalid one is counted and refused here, as if
   * this engine had validated it. {@code expected} as in {@link #ingest(byte[], IngestSource,
   * Identity, long)}.
   */
  public IngestOutcome ingest(
      Verification verification, IngestSource source, Identity expected, long nowMillis) {
    return told(source, ingestChecked(verification, source, expected, nowMillis));
  }

  private IngestOutcome ingestChecked(
      Verification v, IngestSource source, Identity expected, long nowMillis) {
    if (v instanceof Verification.Invalid invalid) {
      return rejected(source, invalid.reason(), invalid.detail());
    }
    LogEntry entry = ((Verification.Valid) v).entry();
    if (expected != null && !entry.header().identity().equals(expected)) {
      return rejected(
          source,
          RejectReason.WRONG_TOPIC,
          "an entry of " + entry.header().identity() + " on the topic of " + expected);
    }
    if (source == IngestSource.GOSSIP && !entry.hasContent()) {
      // An author publishes with the content, and relays forward messages as they came; a bare
      // entry on gossip was stripped by its sender, and storing it would keep the content out
      // for good (a held entry is a duplicate ever after). Bare entries (deleted content) come by
      // sync.
      return rejected(
          source,
          RejectReason.CONTENT_REQUIRED,
          "an entry without its content on gossip: " + entry.id());
    }
    return ingestVerified(entry, source, nowMillis);
  }

  /**
   * Ingests a verified entry. {@code own} entries (written by this node) are stored durably before
   * this returns, so the API may acknowledge them; others count as {@link IngestSource#SYNC}.
   */
  public IngestOutcome ingest(LogEntry entry, boolean own, long nowMillis) {
    return ingest(entry, own ? IngestSource.OWN : IngestSource.SYNC, nowMillis);
  }

  /** Ingests a verified entry; {@link IngestSource#OWN} entries are durable when this returns. */
  public IngestOutcome ingest(LogEntry entry, IngestSource source, long nowMillis) {
    return told(source, ingestVerified(entry, source, nowMillis));
  }

  /** Told of every outcome, on the engine's thread, after the store was written; must be quick. */
  public interface Listener {
    void onIngested(IngestSource source, IngestOutcome outcome);
  }

  private Listener listener = (source, outcome) -> {};

  private StoreObserver observer = StoreObserver.NONE;

  /**
   * A narrower budget than the node's quota for some identities, asked before content within the
   * quota is kept (the node core's extended circle, issue 17: logs kept without being followed).
   * Content it refuses is dropped as over quota (the entry is appended without it, for the reasons
   * above), and counted by the policy itself.
   */
  public interface KeepPolicy {
    /**
     * Whether {@code contentBytes} more of {@code identity}, which holds {@code heldBytes}, are
     * kept. Called on the engine's thread just before the entry is applied (or its content filled).
     */
    boolean keeps(Identity identity, long heldBytes, long contentBytes);

    /** Keeps whatever the quota lets through. */
    KeepPolicy ALL = (identity, heldBytes, contentBytes) -> true;
  }

  private KeepPolicy keep = KeepPolicy.ALL;

  /** Replaces the keep policy (one: the core's extended circle); engine thread. */
  public void setKeepPolicy(KeepPolicy policy) {
    this.keep = java.util.Objects.requireNonNull(policy);
  }

  /**
   * Replaces the store observer (one: the search index), told of every write to the store's entries
   * and content ({@link StoreObserver}).
   */
  public void setStoreObserver(StoreObserver observer) {
    this.observer = java.util.Objects.requireNonNull(observer);
  }

  /** Replaces the listener (one; the node fans out to metrics and event streams). */
  public void setListener(Listener listener) {
    this.listener = java.util.Objects.requireNonNull(listener);
  }

  private IngestOutcome told(IngestSource source, IngestOutcome outcome) {
    listener.onIngested(source, outcome);
    return outcome;
  }

  private IngestOutcome ingestVerified(LogEntry entry, IngestSource source, long nowMillis) {
    boolean own = source == IngestSource.OWN;
    if (!own && store.isMuted(entry.header().identity())) {
      counters.count(source, Counter.IGNORED_MUTED);
      return new IngestOutcome.Ignored("identity " + entry.header().identity() + " is muted");
    }
    if (!own && store.isBlocked(entry.header().identity())) {
      counters.count(source, Counter.IGNORED_BLOCKED);
      return new IngestOutcome.Ignored("identity " + entry.header().identity() + " is blocked");
    }
    ChainOutcome outcome = checker.check(entry, store, nowMillis);
    if (outcome instanceof ChainOutcome.Append) {
      IngestOutcome.BudgetNote note = budgetNote(entry, own);
      LogEntry stored = apply(entry, note, own, source);
      count(source, note);
      List<LogEntry> unblocked = drainGaps(entry, source, nowMillis);
      return new IngestOutcome.Stored(stored, unblocked, note);
    } else if (outcome instanceof ChainOutcome.Duplicate) {
      // A full copy of an entry held without its content (missing, not deleted) fills it in: the
      // content is checked against the signed hash by the validator already (issue 12).
      if (entry.hasContent() && store.contentMissing(entry)) {
        return fill(entry, source);
      }
      counters.count(source, Counter.DUPLICATE);
      return new IngestOutcome.Duplicate();
    } else if (outcome instanceof ChainOutcome.Gap gap) {
      if (!gaps.add(entry)) {
        counters.count(source, Counter.IGNORED_BUFFER_FULL);
        return new IngestOutcome.Ignored(
            "gap buffer full; seq " + entry.header().seq() + " will come again by sync");
      }
      counters.count(source, Counter.BUFFERED);
      return new IngestOutcome.Buffered(entry.header().author(), gap.fromSeq(), gap.toSeq());
    } else if (outcome instanceof ChainOutcome.Fork fork) {
      store.recordFork(fork.held(), fork.incoming());
      counters.count(source, Counter.FORKED);
      return new IngestOutcome.Forked();
    }
    ChainOutcome.Rejected r = (ChainOutcome.Rejected) outcome;
    return rejected(source, r.reason(), r.detail());
  }

  /**
   * Content fetched by hash for the identity's entries that lack it (missing, not deleted): each
   * such entry gets it if it matches the signed entry ({@link EntryValidator#attachContent}) and
   * the identity's quota has room. Returns one outcome per entry that lacked it: {@link
   * IngestOutcome.ContentFilled}, {@link IngestOutcome.Ignored} (over quota) or {@link
   * IngestOutcome.Rejected} (the author signed content its kind does not allow; the fetcher's peer
   * is not to blame, the content hashes as signed).
   */
  public List<IngestOutcome> fillFetched(
      Identity identity, ContentHash hash, byte[] content, IngestSource source) {
    List<IngestOutcome> out = new ArrayList<>(1);
    for (MissingContent m : store.missingContent(identity, hash)) {
      Optional<SignedEntry> held = store.entry(m.author(), m.seq());
      if (held.isEmpty()) {
        continue; // Not possible through the store's writes; a damaged index answers nothing.
      }
      Verification v = validator.attachContent(held.get(), content);
      out.add(
          told(
              source,
              v instanceof Verification.Valid valid
                  ? fill(valid.entry(), source)
                  : rejected(
                      source,
                      ((Verification.Invalid) v).reason(),
                      ((Verification.Invalid) v).detail())));
    }
    return out;
  }

  /** Stores the content of an entry held without it, if the identity's quota has room. */
  private IngestOutcome fill(LogEntry full, IngestSource source) {
    if (budgetNote(full, false) == IngestOutcome.BudgetNote.CONTENT_DROPPED_OVER_QUOTA) {
      counters.count(source, Counter.CONTENT_NOT_FILLED_OVER_QUOTA);
      return new IngestOutcome.Ignored(
          "identity " + full.header().identity() + " is at its quota; content stays missing");
    }
    if (!store.fillContent(full)) {
      counters.count(source, Counter.DUPLICATE); // Filled or deleted meanwhile.
      return new IngestOutcome.Duplicate();
    }
    observer.onContentFilled(full);
    counters.count(source, Counter.CONTENT_FILLED);
    return new IngestOutcome.ContentFilled(full);
  }

  /**
   * What this node holds of an entry's content: held, deleted (a held delete of its identity names
   * it: {@link PostStore#deleted}, never merely because the content is absent), or missing, and
   * then why ({@link ContentState}). Reads the store only; any thread.
   */
  public ContentState contentState(LogEntry e) {
    if (e.hasContent()) {
      return ContentState.HELD;
    }
    if (store.deleted(e)) {
      return ContentState.DELETED;
    }
    return budgets.fitsQuota(store.storedBytes(e.header().identity()), e.header().contentSize())
        ? ContentState.MISSING_NOT_FETCHED
        : ContentState.MISSING_OVER_QUOTA;
  }

  /** Outcome counters over all sources, for metrics (counters at zero left out). */
  public Map<Counter, Long> counts() {
    return counters.totals();
  }

  /** Rejections by reason over all sources, for metrics. */
  public Map<RejectReason, Long> rejects() {
    return counters.rejectTotals();
  }

  /**
   * Every non-zero counter per source, as {@code <source>.<counter>} (for example {@code
   * gossip.stored}, {@code own.stored}) and {@code <source>.rejected.<reason>} (for example {@code
   * sync.rejected.bad_signature}), sorted: a plain snapshot for a metrics exporter.
   */
  public Map<String, Long> countsBySource() {
    return counters.snapshot();
  }

  public Budgets budgets() {
    return budgets;
  }

  /** How much of its quota {@code identity} uses. Reads the store only; any thread. */
  public BudgetUsage usage(Identity identity) {
    return new BudgetUsage(identity, store.storedBytes(identity), budgets.identityQuotaBytes());
  }

  public int buffered() {
    return gaps.size();
  }

  private IngestOutcome.BudgetNote budgetNote(LogEntry entry, boolean own) {
    if (own || !entry.hasContent()) {
      return IngestOutcome.BudgetNote.NONE;
    }
    boolean needsContent =
        entry.header().inRootLog() || entry.header().kind() == ContentKind.DELETE;
    if (!needsContent) {
      Identity identity = entry.header().identity();
      long held = store.storedBytes(identity);
      long size = entry.header().contentSize();
      if (!budgets.fitsQuota(held, size) || !keep.keeps(identity, held, size)) {
        return IngestOutcome.BudgetNote.CONTENT_DROPPED_OVER_QUOTA;
      }
    }
    boolean overCap =
        entry
            .content()
            .map(c -> !budgets.allowsAttachment(Budgets.largestAttachmentBytes(c)))
            .orElse(false);
    return overCap ? IngestOutcome.BudgetNote.ATTACHMENT_OVER_CAP : IngestOutcome.BudgetNote.NONE;
  }

  /**
   * Applies an entry the checker answered Append for, counts what the store did beyond appending it
   * ({@link Applied}), and returns it as stored.
   */
  private LogEntry apply(
      LogEntry entry, IngestOutcome.BudgetNote note, boolean own, IngestSource source) {
    LogEntry stored =
        note == IngestOutcome.BudgetNote.CONTENT_DROPPED_OVER_QUOTA
            ? entry.withoutContent()
            : entry;
    // A delete's effect (the target's content dropped when it is an entry of the same identity),
    // a target arriving after its delete, and a revocation's purge are carried out by the store
    // in the same atomic write as the entry itself.
    Applied applied = store.apply(stored, own);
    if (applied.contentDropped()) {
      counters.count(source, Counter.CONTENT_DROPPED_DELETED);
      stored = stored.withoutContent();
    }
    counters.add(source, Counter.PURGED_REVOKED, applied.purgedEntries());
    observer.onApplied(stored, applied);
    return stored;
  }

  private void count(IngestSource source, IngestOutcome.BudgetNote note) {
    counters.count(source, Counter.STORED);
    if (note == IngestOutcome.BudgetNote.CONTENT_DROPPED_OVER_QUOTA) {
      counters.count(source, Counter.CONTENT_DROPPED_OVER_QUOTA);
    } else if (note == IngestOutcome.BudgetNote.ATTACHMENT_OVER_CAP) {
      counters.count(source, Counter.ATTACHMENT_OVER_CAP);
    }
  }

  private List<LogEntry> drainGaps(LogEntry stored, IngestSource source, long nowMillis) {
    List<LogEntry> unblocked = new ArrayList<>();
    List<LogEntry> next = gaps.takeContiguous(stored.header().author(), stored.header().seq());
    for (LogEntry e : next) {
      // Checked again: the chain rules (prev, time, devices) hold only against the now-held
      // predecessor.
      ChainOutcome o = checker.check(e, store, nowMillis);
      if (o instanceof ChainOutcome.Append) {
        IngestOutcome.BudgetNote note = budgetNote(e, false);
        unblocked.add(apply(e, note, false, source));
        count(source, note);
      } else if (o instanceof ChainOutcome.Fork fork) {
        store.recordFork(fork.held(), fork.incoming());
        counters.count(source, Counter.FORKED);
        break;
      } else {
        break; // Rejected or out of order: the rest waits or comes again by sync.
      }
    }
    return unblocked;
  }

  private IngestOutcome rejected(IngestSource source, RejectReason reason, String detail) {
    counters.reject(source, reason);
    return new IngestOutcome.Rejected(reason, detail);
  }
}
