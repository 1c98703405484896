package org.grapevine.node.storage;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import org.grapevine.collect.SmallMap;
import org.grapevine.protocol.entry.ContentHash;
import org.grapevine.protocol.entry.ContentKind;
import org.grapevine.protocol.entry.EntryHeader;
import org.grapevine.protocol.entry.EntryId;
import org.grapevine.protocol.entry.LogEntry;
import org.grapevine.protocol.entry.SignedEntry;
import org.grapevine.protocol.identity.AuthorKey;
import org.grapevine.protocol.identity.Identity;
import org.grapevine.protocol.proto.Content;
import org.grapevine.protocol.validation.DeviceStatus;

/**
 * {@link PostStore} in memory: the store of the virtual-time simulator (docs/ARCHITECTURE.md,
 * "Simulations"), where thousands of nodes live in one JVM and nothing needs to survive the
 * process. It answers every query exactly as {@link RocksPostStore} does (the same contract test
 * runs against both).
 *
 * <p>Rules:
 *
 * <ol>
 *   <li>The logs are the truth; every other map is derived from them by the same rules as {@link
 *       EntryIndexer} (which it calls), so {@link #rebuildIndexes} recomputes them.
 *   <li>Entries are kept by reference: a simulator that hands the same {@link LogEntry} to many
 *       stores pays for it once. Maps are created on first use, so an idle store is small.
 *   <li>{@code durable} has no meaning here (nothing is on disk); it is accepted and ignored.
 * </ol>
 *
 * Thread-safe (every method holds the store's monitor); the simulator uses it from one thread.
 */
// The sorted collections are the point of this store (its scans walk them in key order); the
// methods that name them are private.
@SuppressWarnings("NonApiType")
public final class MemoryPostStore implements PostStore {
  /** Where an entry sits in its author's log. */
  private record Location(AuthorKey author, long seq) {}

  /** A TIME index row: newest first is descending (timestamp, id). */
  private record TimeKey(long timestampMillis, EntryId id, Location location) {}

  private static final Comparator<TimeKey> TIME_ORDER =
      Comparator.comparingLong(TimeKey::timestampMillis).thenComparing(TimeKey::id);

  /** Fork rows in the key order of {@link Keys#fork}: author, seq, incoming id. */
  private record ForkKey(AuthorKey author, long seq, EntryId incoming)
      implements Comparable<ForkKey> {
    @Override
    public int compareTo(ForkKey o) {
      int c = author.compareTo(o.author);
      if (c == 0) {
        c = Long.compareUnsigned(seq, o.seq);
      }
      return c != 0 ? c : incoming.compareTo(o.incoming);
    }
  }

  /** A MISSING row's key after the identity, in the order of {@link Keys#missing}. */
  private record MissingKey(ContentHash hash, EntryId id) implements Comparable<MissingKey> {
    @Override
    public int compareTo(MissingKey o) {
      int c = hash.compareTo(o.hash);
      return c != 0 ? c : id.compareTo(o.id);
    }
  }

  /** A TOMBSTONE row's key: a held delete's target and the delete's identity. */
  private record DeleteOf(EntryId target, Identity identity) {}

  private final int maxPeers;
  private final DeviceSnapshots snapshots;
  private Map<Identity, TreeMap<MissingKey, MissingContent>> missing;
  private Map<DeleteOf, TreeSet<EntryId>> tombstones;
  // SmallMaps where a store holds few (a simulated node: its own and its follows', a few dozen
  // at most; at a million nodes HashMaps were a tenth of the heap). No result depends on their
  // order: scans look for one match or sort, totals add up.
  private final Map<AuthorKey, ArrayList<LogEntry>> logs = new SmallMap<>();

  /**
   * Per identity, its devices as an unmodifiable snapshot, replaced whenever one changes: devices
   * change rarely and are read for every sync session (a simulation opens hundreds of thousands),
   * so {@link #devices} hands out the snapshot instead of copying.
   */
  private Map<Identity, SortedMap<AuthorKey, DeviceStatus>> devices;

  private Map<EntryId, Location> byId;
  private Map<Identity, TreeSet<TimeKey>> time;
  private Map<Identity, TreeSet<TimeKey>> notify;
  private Map<EntryId, TreeMap<EntryId, Location>> replies;
  private Map<EntryId, TreeMap<EntryId, Location>> reactions;
  private Map<EntryId, TreeMap<EntryId, Location>> reposts;
  private Map<EntryId, TreeMap<EntryId, Location>> quotes;
  private Map<Identity, Long> storedBytes;
  private Map<Identity, TreeMap<ForkKey, ForkEvidence>> forks;

  /**
   * An unmodifiable snapshot, replaced on each change (read for every sync session, as devices).
   */
  private Set<Identity> follows;

  private TreeSet<Identity> mutes;
  private TreeSet<Identity> blocks;
  private TreeMap<String, String> peers;
  private Map<String, byte[]> metadata;

  /** Loose entries (issue 15) by author and seq, as {@code LooseRows} keeps them. */
  private Map<AuthorKey, TreeMap<Long, LogEntry>> loose;

  private long looseBytes;

  /** A store with the default peer-table bound ({@link StoreConfig#DEFAULT}). */
  public MemoryPostStore() {
    this(StoreConfig.DEFAULT.maxPeers());
  }

  /**
   * @param maxPeers bound of the peers table, as {@link StoreConfig#maxPeers()}
   */
  public MemoryPostStore(int maxPeers) {
    this(maxPeers, null);
  }

  /**
   * @param maxPeers bound of the peers table, as {@link StoreConfig#maxPeers()}
   * @param snapshots where device snapshots are shared with other stores (a simulation's), or null
   *     to keep its own
   */
  public MemoryPostStore(int maxPeers, DeviceSnapshots snapshots) {
    if (maxPeers < 0) {
      throw new IllegalArgumentException("maxPeers " + maxPeers);
    }
    this.maxPeers = maxPeers;
    this.snapshots = snapshots;
  }

  // ---- Logs ----

  @Override
  public synchronized Applied apply(LogEntry entry, boolean durable) {
    EntryHeader h = entry.header();
    ArrayList<LogEntry> log = logs.get(h.author());
    long headSeq = log == null ? 0 : log.size();
    if (h.seq() != headSeq + 1) {
      throw new IllegalStateException(
          "apply of " + h.author() + "#" + h.seq() + " to a log whose head is " + headSeq);
    }
    if (h.seq() > 1 && !h.prev().equals(log.get(log.size() - 1).id())) {
      throw new IllegalStateException(
          "apply of " + h.author() + "#" + h.seq() + " whose prev is not the held head");
    }
    if (log == null) {
      log = new ArrayList<>(2);
      logs.put(h.author(), log);
    }
    dropLoose(h.author(), h.seq()); // First: the chained entry's rows then stand alone.
    // A target that arrives after its delete keeps its place in the chain, never its content.
    boolean deleted = deleted(entry);
    LogEntry stored = deleted ? entry.withoutContent() : entry;
    log.add(stored);
    DeviceStatus folded = index(stored);
    applyDelete(stored);
    int purged = 0;
    if (folded != null && folded.state() == DeviceStatus.State.REVOKED) {
      purged =
          purge(
              h.identity(),
              EntryIndexer.device(stored.content().orElseThrow()),
              folded.lastValidSeq());
    }
    return new Applied(deleted && entry.hasContent(), purged);
  }

  @Override
  public synchronized boolean deleted(LogEntry e) {
    return EntryIndexer.deletable(e.header())
        && tombstones != null
        && tombstones.containsKey(new DeleteOf(e.id(), e.header().identity()));
  }

  /**
   * A delete's effect, as {@code DeleteEffects} writes it: its target's tombstone, and a held
   * target of the same identity loses its content (or, if its content was missing, is deleted
   * instead).
   */
  private void applyDelete(LogEntry delete) {
    EntryId target = delete.content().map(EntryIndexer::deleteTarget).orElse(null);
    if (target == null) {
      return;
    }
    if (tombstones == null) {
      tombstones = new HashMap<>();
    }
    tombstones
        .computeIfAbsent(new DeleteOf(target, delete.header().identity()), k -> new TreeSet<>())
        .add(delete.id());
    Optional<LogEntry> held = entryById(target);
    if (held.isEmpty()
        || !held.get().header().identity().equals(delete.header().identity())
        || !EntryIndexer.deletable(held.get().header())) {
      return;
    }
    if (held.get().hasContent()) {
      dropContent(held.get());
    } else {
      removeMissing(held.get());
    }
  }

  /**
   * Removes the revoked device's entries after {@code lastValidSeq}, as {@code RevocationPurge}
   * does; returns how many.
   */
  private int purge(Identity identity, AuthorKey device, long lastValidSeq) {
    TreeMap<Long, LogEntry> looseOfDevice = loose == null ? null : loose.get(device);
    if (looseOfDevice != null) {
      for (Long seq : new ArrayList<>(looseOfDevice.tailMap(lastValidSeq, false).keySet())) {
        dropLoose(device, seq);
      }
    }
    ArrayList<LogEntry> log = logs.get(device);
    if (log == null || log.size() <= lastValidSeq) {
      return 0;
    }
    // Cut back to the last valid seq, or above it to the last entry of another identity (one
    // device delegated by two identities writes one log for both; see RevocationPurge).
    int cut = (int) lastValidSeq;
    for (int i = log.size(); i > lastValidSeq; i--) {
      if (!log.get(i - 1).header().identity().equals(identity)) {
        cut = i;
        break;
      }
    }
    List<LogEntry> removed = new ArrayList<>(log.subList(cut, log.size()));
    log.subList(cut, log.size()).clear();
    if (log.isEmpty()) {
      logs.remove(device);
    }
    List<DeleteOf> untombed = new ArrayList<>();
    for (LogEntry e : removed) {
      unindex(e);
      EntryId target = e.content().map(EntryIndexer::deleteTarget).orElse(null);
      DeleteOf key = new DeleteOf(target, e.header().identity());
      TreeSet<EntryId> deletes = target == null || tombstones == null ? null : tombstones.get(key);
      if (deletes != null && deletes.remove(e.id()) && deletes.isEmpty()) {
        tombstones.remove(key);
        untombed.add(key);
      }
    }
    for (DeleteOf t : untombed) {
      // No held delete names it any more: its dropped content is missing again.
      Optional<LogEntry> held = entryById(t.target());
      if (held.isPresent()
          && !held.get().hasContent()
          && EntryIndexer.deletable(held.get().header())
          && held.get().header().identity().equals(t.identity())) {
        addMissing(held.get());
      }
    }
    return removed.size();
  }

  /** Removes every row {@link #index} derived from a removed entry. */
  private void unindex(LogEntry e) {
    EntryHeader h = e.header();
    byId.remove(e.id());
    if (h.kind() == ContentKind.POST || h.kind() == ContentKind.REPOST) {
      time.get(h.identity()).remove(new TimeKey(h.timestampMillis(), e.id(), null));
    }
    if (e.hasContent()) {
      addStoredBytes(h.identity(), -h.contentSize());
      unindexContent(e);
    } else {
      removeMissing(e);
    }
  }

  private void removeMissing(LogEntry e) {
    TreeMap<MissingKey, MissingContent> rows =
        missing == null ? null : missing.get(e.header().identity());
    if (rows != null) {
      rows.remove(new MissingKey(e.header().contentHash(), e.id()));
      if (rows.isEmpty()) {
        missing.remove(e.header().identity());
      }
    }
  }

  @Override
  public synchronized boolean contentMissing(LogEntry e) {
    TreeMap<MissingKey, MissingContent> rows =
        missing == null ? null : missing.get(e.header().identity());
    return rows != null && rows.containsKey(new MissingKey(e.header().contentHash(), e.id()));
  }

  @Override
  public synchronized List<MissingContent> missingContent(Identity identity, int max) {
    TreeMap<MissingKey, MissingContent> rows = missing == null ? null : missing.get(identity);
    return rows == null ? new ArrayList<>() : rows.values().stream().limit(max).toList();
  }

  @Override
  public synchronized List<MissingContent> missingContent(Identity identity, ContentHash hash) {
    TreeMap<MissingKey, MissingContent> rows = missing == null ? null : missing.get(identity);
    if (rows == null) {
      return new ArrayList<>();
    }
    return new ArrayList<>(
        rows.subMap(
                new MissingKey(hash, EntryId.of(new byte[32])),
                true,
                new MissingKey(hash, EntryId.of(ff())),
                true)
            .values());
  }

  private static byte[] ff() {
    byte[] b = new byte[32];
    java.util.Arrays.fill(b, (byte) 0xff);
    return b;
  }

  @Override
  public synchronized Optional<byte[]> contentByHash(ContentHash hash) {
    // A scan: the simulator's nodes never lack content; this is here for the contract.
    for (List<LogEntry> log : logs.values()) {
      for (LogEntry e : log) {
        if (e.hasContent() && e.header().contentHash().equals(hash)) {
          return e.contentBytes();
        }
      }
    }
    return Optional.empty();
  }

  @Override
  public synchronized boolean fillContent(LogEntry full) {
    if (!full.hasContent()) {
      throw new IllegalArgumentException("filling " + full.id() + " without content");
    }
    EntryHeader h = full.header();
    Optional<LogEntry> held = logEntry(h.author(), h.seq());
    if (held.isEmpty() || !held.get().id().equals(full.id()) || !contentMissing(held.get())) {
      return false;
    }
    logs.get(h.author()).set((int) (h.seq() - 1), full);
    removeMissing(full);
    addStoredBytes(h.identity(), h.contentSize());
    indexContent(full, new Location(h.author(), h.seq()));
    applyDelete(full);
    return true;
  }

  /** Indexes a held entry; returns its device fold (root-log entries), or null. */
  private DeviceStatus index(LogEntry entry) {
    EntryHeader h = entry.header();
    Location location = new Location(h.author(), h.seq());
    byId().put(entry.id(), location);
    if (h.kind() == ContentKind.POST || h.kind() == ContentKind.REPOST) {
      timeOf(h.identity()).add(new TimeKey(h.timestampMillis(), entry.id(), location));
    }
    if (entry.hasContent()) {
      addStoredBytes(h.identity(), h.contentSize());
    } else if (!deleted(entry)) {
      addMissing(entry);
    }
    indexContent(entry, location);
    return h.inRootLog() && entry.content().isPresent()
        ? foldDevice(h.identity(), entry.content().get())
        : null;
  }

  private void addMissing(LogEntry e) {
    EntryHeader h = e.header();
    if (missing == null) {
      missing = new HashMap<>();
    }
    missing
        .computeIfAbsent(h.identity(), k -> new TreeMap<>())
        .put(
            new MissingKey(h.contentHash(), e.id()),
            new MissingContent(
                h.identity(), e.id(), h.author(), h.seq(), h.contentHash(), h.contentSize()));
  }

  private void indexContent(LogEntry entry, Location location) {
    Optional<Content> content = entry.content();
    if (content.isEmpty()) {
      return;
    }
    for (Identity addressee : EntryIndexer.notified(entry)) {
      if (notify == null) {
        notify = new HashMap<>();
      }
      notify
          .computeIfAbsent(addressee, k -> new TreeSet<>(TIME_ORDER))
          .add(new TimeKey(entry.header().timestampMillis(), entry.id(), location));
    }
    EntryId parent = EntryIndexer.replyParent(content.get());
    if (parent != null) {
      rows(replies(), parent).put(entry.id(), location);
    }
    EntryId target = EntryIndexer.reactionTarget(content.get());
    if (target != null) {
      rows(reactions(), target).put(entry.id(), location);
    }
    EntryId original = EntryIndexer.repostTarget(content.get());
    if (original != null) {
      if (reposts == null) {
        reposts = new HashMap<>();
      }
      rows(reposts, original).put(entry.id(), location);
    }
    EntryId quoted = EntryIndexer.quoteTarget(content.get());
    if (quoted != null) {
      rows(quotes(), quoted).put(entry.id(), location);
    }
  }

  private DeviceStatus foldDevice(Identity identity, Content c) {
    AuthorKey device = EntryIndexer.device(c);
    if (device == null) {
      return null;
    }
    SortedMap<AuthorKey, DeviceStatus> held = devicesMap().get(identity);
    DeviceStatus before = held == null ? DeviceStatus.UNKNOWN : held.get(device);
    DeviceStatus next = EntryIndexer.foldDevice(before == null ? DeviceStatus.UNKNOWN : before, c);
    if (!next.equals(before)) {
      TreeMap<AuthorKey, DeviceStatus> set = held == null ? new TreeMap<>() : new TreeMap<>(held);
      set.put(device, next);
      SortedMap<AuthorKey, DeviceStatus> snapshot = Collections.unmodifiableSortedMap(set);
      devices.put(identity, snapshots == null ? snapshot : snapshots.share(snapshot));
    }
    return next;
  }

  private void addStoredBytes(Identity identity, long delta) {
    long total = storedBytesMap().getOrDefault(identity, 0L) + delta;
    if (total == 0) {
      storedBytes.remove(identity);
    } else {
      storedBytes.put(identity, total);
    }
  }

  @Override
  public synchronized long contiguousHead(AuthorKey author) {
    ArrayList<LogEntry> log = logs.get(author);
    return log == null ? 0 : log.size();
  }

  @Override
  public synchronized Optional<SignedEntry> entry(AuthorKey author, long seq) {
    return logEntry(author, seq).map(LogEntry::signed);
  }

  @Override
  public synchronized Optional<LogEntry> logEntry(AuthorKey author, long seq) {
    ArrayList<LogEntry> log = logs.get(author);
    return log == null || seq < 1 || seq > log.size()
        ? Optional.empty()
        : Optional.of(log.get((int) (seq - 1)));
  }

  @Override
  public synchronized Optional<LogEntry> entryById(EntryId id) {
    Location at = byId == null ? null : byId.get(id);
    return at == null ? Optional.empty() : at(at);
  }

  /** The entry an index row points at: in its author's chain, or else a loose one. */
  private Optional<LogEntry> at(Location at) {
    Optional<LogEntry> chained = logEntry(at.author(), at.seq());
    if (chained.isPresent() || loose == null) {
      return chained;
    }
    TreeMap<Long, LogEntry> of = loose.get(at.author());
    return of == null ? Optional.empty() : Optional.ofNullable(of.get(at.seq()));
  }

  // ---- Loose entries ----

  @Override
  public synchronized boolean applyLoose(LogEntry entry) {
    EntryHeader h = entry.header();
    if (!entry.hasContent() || h.inRootLog()) {
      throw new IllegalArgumentException("a loose entry is a device-log entry with its content");
    }
    ArrayList<LogEntry> log = logs.get(h.author());
    if (h.seq() <= (log == null ? 0 : log.size())
        || (byId != null && byId.containsKey(entry.id()))
        || at(new Location(h.author(), h.seq())).isPresent()) {
      return false;
    }
    if (loose == null) {
      loose = new HashMap<>();
    }
    loose.computeIfAbsent(h.author(), a -> new TreeMap<>()).put(h.seq(), entry);
    looseBytes += PostStore.looseSize(entry.signed());
    indexLoose(entry);
    return true;
  }

  @Override
  public synchronized long looseBytes() {
    return looseBytes;
  }

  @Override
  public synchronized List<LogEntry> evictLoose(long targetBytes) {
    List<LogEntry> removed = new ArrayList<>();
    if (looseBytes <= targetBytes) {
      return removed;
    }
    List<LogEntry> oldestFirst = looseEntries();
    oldestFirst.sort(Comparator.comparing(LogEntry::signed, LooseOrder.OLDEST_FIRST));
    for (LogEntry e : oldestFirst) {
      if (looseBytes <= targetBytes) {
        break;
      }
      dropLoose(e.header().author(), e.header().seq());
      removed.add(e);
    }
    return removed;
  }

  @Override
  public synchronized List<LogEntry> looseEntries() {
    List<LogEntry> out = new ArrayList<>();
    if (loose != null) {
      new TreeMap<>(loose).values().forEach(of -> out.addAll(of.values()));
    }
    return out;
  }

  /** The rows of a loose entry: those {@link #index} writes, but no byte count or device. */
  private void indexLoose(LogEntry e) {
    EntryHeader h = e.header();
    Location location = new Location(h.author(), h.seq());
    byId().put(e.id(), location);
    if (h.kind() == ContentKind.POST || h.kind() == ContentKind.REPOST) {
      timeOf(h.identity()).add(new TimeKey(h.timestampMillis(), e.id(), location));
    }
    indexContent(e, location);
  }

  /** Removes the loose entry at this place, if any, with its rows. */
  private void dropLoose(AuthorKey author, long seq) {
    TreeMap<Long, LogEntry> of = loose == null ? null : loose.get(author);
    LogEntry e = of == null ? null : of.remove(seq);
    if (e == null) {
      return;
    }
    if (of.isEmpty()) {
      loose.remove(author);
    }
    looseBytes -= PostStore.looseSize(e.signed());
    EntryHeader h = e.header();
    byId.remove(e.id());
    if (h.kind() == ContentKind.POST || h.kind() == ContentKind.REPOST) {
      time.get(h.identity()).remove(new TimeKey(h.timestampMillis(), e.id(), null));
    }
    unindexContent(e);
  }

  @Override
  public synchronized DeviceStatus deviceStatus(Identity identity, AuthorKey device) {
    SortedMap<AuthorKey, DeviceStatus> set = devices == null ? null : devices.get(identity);
    return set == null ? DeviceStatus.UNKNOWN : set.getOrDefault(device, DeviceStatus.UNKNOWN);
  }

  @Override
  public synchronized SortedMap<AuthorKey, DeviceStatus> devices(Identity identity) {
    SortedMap<AuthorKey, DeviceStatus> set = devices == null ? null : devices.get(identity);
    return set == null ? Collections.emptySortedMap() : set;
  }

  @Override
  public synchronized boolean deleteContent(EntryId target) {
    Optional<LogEntry> held = entryById(target);
    if (held.isEmpty() || !held.get().hasContent()) {
      return false;
    }
    LogEntry e = held.get();
    EntryHeader h = e.header();
    if (h.inRootLog()) {
      throw new IllegalArgumentException(
          "root-log entry " + target + " defines devices; its content cannot be deleted");
    }
    dropContent(e);
    return true;
  }

  /** Drops a held entry's content and the rows derived from it; the signed entry stays. */
  private void dropContent(LogEntry e) {
    EntryHeader h = e.header();
    logs.get(h.author()).set((int) (h.seq() - 1), e.withoutContent());
    unindexContent(e);
    addStoredBytes(h.identity(), -h.contentSize());
  }

  private void unindexContent(LogEntry e) {
    for (Identity addressee : EntryIndexer.notified(e)) {
      notify.get(addressee).remove(new TimeKey(e.header().timestampMillis(), e.id(), null));
    }
    e.content()
        .ifPresent(
            c -> {
              EntryId parent = EntryIndexer.replyParent(c);
              if (parent != null) {
                removeRow(replies, parent, e.id());
              }
              EntryId reacted = EntryIndexer.reactionTarget(c);
              if (reacted != null) {
                removeRow(reactions, reacted, e.id());
              }
              EntryId original = EntryIndexer.repostTarget(c);
              if (original != null) {
                removeRow(reposts, original, e.id());
              }
              EntryId quoted = EntryIndexer.quoteTarget(c);
              if (quoted != null) {
                removeRow(quotes, quoted, e.id());
              }
            });
  }

  @Override
  public synchronized void recordFork(SignedEntry held, SignedEntry incoming) {
    EntryHeader h = incoming.header();
    if (forks == null) {
      forks = new HashMap<>();
    }
    forks
        .computeIfAbsent(h.identity(), k -> new TreeMap<>())
        .put(new ForkKey(h.author(), h.seq(), incoming.id()), new ForkEvidence(held, incoming));
  }

  @Override
  public synchronized List<ForkEvidence> forks(Identity identity) {
    TreeMap<ForkKey, ForkEvidence> rows = forks == null ? null : forks.get(identity);
    return rows == null ? new ArrayList<>() : new ArrayList<>(rows.values());
  }

  @Override
  public synchronized Set<Identity> forkedIdentities() {
    return forks == null ? new java.util.TreeSet<>() : new java.util.TreeSet<>(forks.keySet());
  }

  // ---- Indexes ----

  @Override
  public synchronized List<LogEntry> timeline(
      Set<Identity> identities, TimelineCursor before, int limit) {
    return page(time, identities, before, limit);
  }

  @Override
  public synchronized List<LogEntry> addressedTo(Identity who, TimelineCursor before, int limit) {
    return page(notify, Set.of(who), before, limit);
  }

  /** A page of a TIME-like index ({@code time}, {@code notify}), newest first. */
  private List<LogEntry> page(
      Map<Identity, TreeSet<TimeKey>> index,
      Set<Identity> identities,
      TimelineCursor before,
      int limit) {
    if (limit < 0) {
      throw new IllegalArgumentException("limit " + limit);
    }
    List<TimeKey> candidates = new ArrayList<>();
    // The id-less cursor excludes its whole millisecond: (ts, smallest id) is the exclusive bound.
    TimeKey bound =
        new TimeKey(
            before.timestampMillis(),
            before.id() == null ? EntryId.of(new byte[32]) : before.id(),
            null);
    for (Identity identity : identities) {
      TreeSet<TimeKey> rows = index == null ? null : index.get(identity);
      if (rows == null) {
        continue;
      }
      int taken = 0;
      for (TimeKey k : rows.headSet(bound, false).descendingSet()) {
        if (taken++ >= limit) {
          break;
        }
        candidates.add(k);
      }
    }
    candidates.sort(TIME_ORDER.reversed());
    List<LogEntry> out = new ArrayList<>(Math.min(limit, candidates.size()));
    for (TimeKey k : candidates.subList(0, Math.min(limit, candidates.size()))) {
      at(k.location()).ifPresent(out::add);
    }
    return out;
  }

  @Override
  public synchronized List<LogEntry> replies(EntryId parent) {
    return entriesAt(replies, parent);
  }

  @Override
  public synchronized List<LogEntry> reactions(EntryId target) {
    return entriesAt(reactions, target);
  }

  @Override
  public synchronized EntryCounts counts(EntryId id, Set<AuthorKey> except) {
    java.util.SortedMap<String, Long> perEmoji = new TreeMap<>();
    // Every reaction row points at a held reaction with its content (the row goes with it).
    for (LogEntry r : entriesAt(reactions, id)) {
      if (!except.contains(r.header().author())) {
        r.content().ifPresent(c -> perEmoji.merge(c.getReaction().getEmoji(), 1L, Long::sum));
      }
    }
    return new EntryCounts(
        rowCount(replies, id, except),
        rowCount(reposts, id, except),
        rowCount(quotes, id, except),
        perEmoji);
  }

  private static long rowCount(
      Map<EntryId, TreeMap<EntryId, Location>> index, EntryId key, Set<AuthorKey> except) {
    TreeMap<EntryId, Location> rows = index == null ? null : index.get(key);
    return rows == null
        ? 0
        : rows.values().stream().filter(l -> !except.contains(l.author())).count();
  }

  private List<LogEntry> entriesAt(Map<EntryId, TreeMap<EntryId, Location>> index, EntryId key) {
    TreeMap<EntryId, Location> rows = index == null ? null : index.get(key);
    List<LogEntry> out = new ArrayList<>();
    if (rows != null) {
      for (Location at : rows.values()) {
        at(at).ifPresent(out::add);
      }
    }
    return out;
  }

  @Override
  public synchronized List<EntryId> entryIdsWithPrefix(String hexPrefix, int max) {
    if (!hexPrefix.matches("[0-9a-f]{1,64}") || max < 0) {
      throw new IllegalArgumentException(
          "not a lower-case hex prefix of an entry id: " + hexPrefix);
    }
    if (byId == null) {
      return List.of();
    }
    // A scan: the simulator never resolves abbreviated ids; this is here for the contract.
    return byId.keySet().stream()
        .filter(id -> id.hexStartsWith(hexPrefix))
        .sorted()
        .limit(max)
        .toList();
  }

  @Override
  public synchronized Set<Identity> identities() {
    TreeSet<Identity> out = new TreeSet<>();
    if (devices != null) {
      devices.forEach(
          (identity, set) -> {
            if (!set.isEmpty()) {
              out.add(identity);
            }
          });
    }
    return out;
  }

  @Override
  public synchronized long storedBytes(Identity identity) {
    return storedBytes == null ? 0 : storedBytes.getOrDefault(identity, 0L);
  }

  // ---- Local state ----

  @Override
  public synchronized void follow(Identity identity) {
    if (follows == null || !follows.contains(identity)) {
      TreeSet<Identity> next = follows == null ? new TreeSet<>() : new TreeSet<>(follows);
      next.add(identity);
      follows = SortedSnapshot.of(next);
    }
  }

  @Override
  public synchronized void unfollow(Identity identity) {
    if (follows != null && follows.contains(identity)) {
      TreeSet<Identity> next = new TreeSet<>(follows);
      next.remove(identity);
      follows = SortedSnapshot.of(next);
    }
  }

  @Override
  public synchronized Set<Identity> follows() {
    return follows == null ? Collections.emptySortedSet() : follows;
  }

  @Override
  public synchronized void mute(Identity identity) {
    if (mutes == null) {
      mutes = new TreeSet<>();
    }
    mutes.add(identity);
  }

  @Override
  public synchronized void unmute(Identity identity) {
    if (mutes != null) {
      mutes.remove(identity);
    }
  }

  @Override
  public synchronized boolean isMuted(Identity identity) {
    return mutes != null && mutes.contains(identity);
  }

  @Override
  public synchronized Set<Identity> mutes() {
    return mutes == null ? new TreeSet<>() : new TreeSet<>(mutes);
  }

  @Override
  public synchronized void block(Identity identity) {
    if (blocks == null) {
      blocks = new TreeSet<>();
    }
    blocks.add(identity);
  }

  @Override
  public synchronized void unblock(Identity identity) {
    if (blocks != null) {
      blocks.remove(identity);
    }
  }

  @Override
  public synchronized boolean isBlocked(Identity identity) {
    return blocks != null && blocks.contains(identity);
  }

  @Override
  public synchronized Set<Identity> blocks() {
    return blocks == null ? new TreeSet<>() : new TreeSet<>(blocks);
  }

  @Override
  public synchronized boolean putPeer(String peerId, String addresses) {
    if (peers == null) {
      // Byte order of the UTF-8 text, as the RocksDB key; equal to String order for peer ids
      // (ASCII).
      peers = new TreeMap<>();
    }
    if (!peers.containsKey(peerId) && peers.size() >= maxPeers) {
      return false;
    }
    peers.put(peerId, addresses);
    return true;
  }

  @Override
  public synchronized void removePeer(String peerId) {
    if (peers != null) {
      peers.remove(peerId);
    }
  }

  @Override
  public synchronized Map<String, String> peers() {
    return peers == null ? new LinkedHashMap<>() : new LinkedHashMap<>(peers);
  }

  @Override
  public synchronized void putMetadata(String name, byte[] value) {
    if (metadata == null) {
      metadata = new HashMap<>();
    }
    metadata.put(name, value.clone());
  }

  @Override
  public synchronized Optional<byte[]> metadata(String name) {
    byte[] v = metadata == null ? null : metadata.get(name);
    return v == null ? Optional.empty() : Optional.of(v.clone());
  }

  // ---- Rebuild ----

  @Override
  public synchronized void rebuildIndexes() {
    devices = null;
    byId = null;
    time = null;
    notify = null;
    replies = null;
    reactions = null;
    reposts = null;
    quotes = null;
    storedBytes = null;
    missing = null;
    tombstones = null;
    // Tombstones first: whether a bare entry is deleted or missing does not depend on log order.
    for (List<LogEntry> log : logs.values()) {
      for (LogEntry e : log) {
        EntryId target = e.content().map(EntryIndexer::deleteTarget).orElse(null);
        if (target != null) {
          if (tombstones == null) {
            tombstones = new HashMap<>();
          }
          tombstones
              .computeIfAbsent(new DeleteOf(target, e.header().identity()), k -> new TreeSet<>())
              .add(e.id());
        }
      }
    }
    for (List<LogEntry> log : logs.values()) {
      for (LogEntry e : log) {
        index(e);
      }
    }
    looseEntries().forEach(this::indexLoose); // The chains never reach them (apply drops them).
  }

  @Override
  public void close() {
    // Nothing to release: the maps go with the object.
  }

  // ---- Lazily created maps ----

  private Map<EntryId, Location> byId() {
    if (byId == null) {
      byId = new SmallMap<>();
    }
    return byId;
  }

  private TreeSet<TimeKey> timeOf(Identity identity) {
    if (time == null) {
      time = new HashMap<>();
    }
    return time.computeIfAbsent(identity, k -> new TreeSet<>(TIME_ORDER));
  }

  private Map<EntryId, TreeMap<EntryId, Location>> replies() {
    if (replies == null) {
      replies = new HashMap<>();
    }
    return replies;
  }

  private Map<EntryId, TreeMap<EntryId, Location>> quotes() {
    if (quotes == null) {
      quotes = new HashMap<>();
    }
    return quotes;
  }

  private Map<EntryId, TreeMap<EntryId, Location>> reactions() {
    if (reactions == null) {
      reactions = new HashMap<>();
    }
    return reactions;
  }

  private Map<Identity, SortedMap<AuthorKey, DeviceStatus>> devicesMap() {
    if (devices == null) {
      devices = new SmallMap<>();
    }
    return devices;
  }

  private Map<Identity, Long> storedBytesMap() {
    if (storedBytes == null) {
      storedBytes = new SmallMap<>();
    }
    return storedBytes;
  }

  private static TreeMap<EntryId, Location> rows(
      Map<EntryId, TreeMap<EntryId, Location>> index, EntryId key) {
    return index.computeIfAbsent(key, k -> new TreeMap<>());
  }

  private static void removeRow(
      Map<EntryId, TreeMap<EntryId, Location>> index, EntryId key, EntryId row) {
    TreeMap<EntryId, Location> rows = index == null ? null : index.get(key);
    if (rows != null) {
      rows.remove(row);
      if (rows.isEmpty()) {
        index.remove(key);
      }
    }
  }
}
