package org.grapevine.node.feeds;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.stream.IntStream;
import org.grapevine.node.config.NodeConfig;
import org.grapevine.node.storage.PostStore;
import org.grapevine.node.storage.TimelineCursor;
import org.grapevine.protocol.entry.ContentKind;
import org.grapevine.protocol.entry.EntryId;
import org.grapevine.protocol.entry.LogEntry;
import org.grapevine.protocol.identity.Identity;

/**
 * Runs feeds over the {@link FeedWindow}: ranks, pages, and keeps the last rankings of each feed so
 * that a page after a cursor is cut from the same ranking, and a first page needs only the
 * candidates that changed since the last one re-ranked.
 *
 * <p>Rules:
 *
 * <ol>
 *   <li>Entries arrive on the storage thread ({@link #offer}): queued only (at most {@link
 *       #MAX_INBOX}; past that the window is dropped, counted, and rebuilt from the store at the
 *       next page), so ranking never slows ingestion. A page first takes the queue in.
 *   <li>The window is filled from the store at the first page: the newest {@code windowPosts} posts
 *       and reposts of the last {@code windowHours}, then each one's reactions.
 *   <li>{@code now} is the page's time in whole minutes: within a minute, rankings differ only by
 *       what arrived, and those differences are re-ranked alone. A feed that does not read the time
 *       ({@link CompiledFeed#readsTime}) carries its ranking over to the next minute too.
 *   <li>A cursor pins its ranking (time, arrival number): the next page comes from the same ranking
 *       (kept, or made again as of that arrival), so paging neither repeats nor skips a post while
 *       new ones arrive. What is deleted meanwhile is left out.
 *   <li>The graph is rebuilt at once when this node's person follows or unfollows, and at most once
 *       a minute when anyone else's follow or unfollow arrives.
 *   <li>Budget: a feed costs {@link CompiledFeed#cost} per candidate at most; a ranking ranks at
 *       most {@code costPerPage / cost} candidates (the newest), and says it was cut.
 *   <li>The window holds at most {@code windowPosts} candidates, pruned in steps: up to 1% more
 *       arrive before the oldest go.
 * </ol>
 *
 * Thread-safe: pages are made one at a time.
 */
final class FeedEngine {
  static final int MAX_INBOX = 200_000;
  static final int RANKINGS_PER_FEED = 4;
  private static final long MINUTE = 60_000;
  private static final long HOUR = 3_600_000;

  private final PostStore store;
  private final Identity me;
  private final String meText;
  private final NodeConfig.Feeds config;
  private final LongSupplier clock;

  private final ConcurrentLinkedQueue<LogEntry> inbox = new ConcurrentLinkedQueue<>();
  private final AtomicInteger inboxSize = new AtomicInteger();
  private volatile boolean collecting;
  private volatile boolean closed;
  private volatile boolean ownFollowsChanged = true;
  private volatile boolean othersFollowsChanged;
  private final AtomicLong inboxOverflows = new AtomicLong();

  private FeedWindow window;
  private SocialGraph graph;
  private long graphVersion;
  private long graphBuiltAt = Long.MIN_VALUE;
  private final Map<String, ArrayDeque<Ranking>> rankings = new HashMap<>();
  private long evaluations;
  private long fullRankings;
  private long partialRankings;

  FeedEngine(PostStore store, Identity me, NodeConfig.Feeds config, LongSupplier clock) {
    this.store = store;
    this.me = me;
    this.meText = me.toString();
    this.config = config;
    this.clock = clock;
  }

  /** A stored entry (any thread; cheap). */
  void offer(LogEntry e) {
    ContentKind k = e.header().kind();
    if (k == ContentKind.FOLLOW || k == ContentKind.UNFOLLOW) {
      if (e.header().identity().equals(me)) {
        ownFollowsChanged = true;
      } else {
        othersFollowsChanged = true;
      }
    }
    if (!collecting) {
      return;
    }
    if (inboxSize.incrementAndGet() > MAX_INBOX) {
      // Nobody has asked for a page in a long while: rebuild from the store when someone does.
      collecting = false;
      inbox.clear();
      inboxSize.set(0);
      inboxOverflows.incrementAndGet();
    } else {
      inbox.add(e);
    }
  }

  /**
   * The node closes: a window being filled stops at its next candidate (the store closes next), and
   * no page is made any more.
   */
  void close() {
    closed = true;
  }

  /** The window as it stands, after taking in what arrived (filled first, if not yet). */
  synchronized FeedWindow windowNow() {
    update(clock.getAsLong());
    return window;
  }

  /** For FeedHarness: forgets every ranking, so that the next page ranks the whole window. */
  synchronized void forgetRankings() {
    rankings.clear();
  }

  /** For FeedHarness: the graph of the last page. */
  synchronized SocialGraph graphNow() {
    return graph;
  }

  /** Counters for status and metrics. */
  synchronized Map<String, Long> counters() {
    Map<String, Long> m = new java.util.LinkedHashMap<>();
    m.put("candidates", window == null ? 0L : window.size());
    m.put("evaluations", evaluations);
    m.put("full_rankings", fullRankings);
    m.put("partial_rankings", partialRankings);
    m.put("inbox_overflows", inboxOverflows.get());
    m.put("orphans_dropped", window == null ? 0L : window.orphansDropped());
    return m;
  }

  /** A page of {@code feed}. */
  synchronized FeedPage run(CompiledFeed feed, Optional<String> cursorText, int limit)
      throws FeedException {
    int feedHash = feed.key().hashCode();
    Optional<FeedCursor> cursor =
        cursorText.isEmpty()
            ? Optional.empty()
            : Optional.of(FeedCursor.decode(cursorText.get(), feedHash));
    long wallNow = clock.getAsLong();
    update(wallNow);
    long now = cursor.map(FeedCursor::now).orElse(Math.floorDiv(wallNow, MINUTE) * MINUTE);
    long asOf = cursor.map(FeedCursor::asOf).orElse(window.seq());
    if (asOf > window.seq()) {
      throw new FeedException(FeedException.Code.BAD_CURSOR, "the cursor is from the future");
    }
    Set<Identity> hidden = new HashSet<>(store.mutes());
    hidden.addAll(store.blocks());
    Ranking r = ranking(feed, now, asOf, hidden);
    int from = cursor.map(c -> r.after(c.score(), c.id())).orElse(0);
    List<FeedItem> items = new ArrayList<>();
    int i = from;
    for (; i < r.items.length && items.size() < limit; i++) {
      Ranking.Item it = r.items[i];
      // Deleted since the ranking was made: left out. (An entry removed with a revoked device
      // stays in the window until pruned; the API, which reads each entry, leaves it out and
      // counts it as gone.)
      Optional<Candidate> c = window.candidate(it.id());
      if (c.isEmpty() || c.get().time < now - config.windowHours() * HOUR) {
        continue; // Or aged out of the window since a carried-over ranking was made.
      }
      items.add(new FeedItem(it.id(), it.score(), reason(it)));
    }
    Optional<String> next = Optional.empty();
    if (i < r.items.length && !items.isEmpty()) {
      FeedItem last = items.get(items.size() - 1);
      next = Optional.of(new FeedCursor(feedHash, now, asOf, last.score(), last.id()).encode());
    }
    return new FeedPage(feed.key(), items, next, r.candidates, r.failures, r.truncated);
  }

  /** Bluesky's skeleton gives a reason only for a repost; so does this (the score is given). */
  private static String reason(Ranking.Item it) {
    return it.repost() ? "repost" : "";
  }

  /**
   * Takes in what arrived since the last page (and prunes), if the window is filled: called in the
   * background every few seconds so that a node whose person asks for no page holds a small queue,
   * not {@link #MAX_INBOX} entries.
   */
  synchronized void takeIn() {
    if (closed || window == null || !collecting) {
      return;
    }
    drainInbox(clock.getAsLong());
  }

  /** Takes in what arrived, builds the window the first time, refreshes the graph when due. */
  private void update(long wallNow) {
    if (closed) {
      throw new IllegalStateException("the node is closing: no feed is ranked");
    }
    if (window == null || !collecting) {
      fill(wallNow);
    }
    drainInbox(wallNow);
    boolean due = othersFollowsChanged && wallNow - graphBuiltAt >= MINUTE;
    if (graph == null || ownFollowsChanged || due) {
      ownFollowsChanged = false;
      othersFollowsChanged = false;
      graph = SocialGraph.of(store, me);
      graphVersion++;
      graphBuiltAt = wallNow;
    }
  }

  /** Takes the queued entries into the window, then prunes it if it is over its cap. */
  private void drainInbox(long wallNow) {
    for (LogEntry e; (e = inbox.poll()) != null; ) {
      inboxSize.decrementAndGet();
      window.add(e, store::entryById);
    }
    // Pruned in steps (1% over the cap, then back to it): a prune sorts the window, and doing it
    // for every post that arrives cost more than ranking what changed.
    if (window.size() > config.windowPosts() + Math.max(100, config.windowPosts() / 100)) {
      window.prune(wallNow - config.windowHours() * HOUR);
    }
  }

  private void fill(long wallNow) {
    collecting = true; // From here on, arrivals queue up; the window drops duplicates.
    inbox.clear();
    inboxSize.set(0);
    rankings.clear();
    FeedWindow w = new FeedWindow(config.windowPosts());
    long oldest = wallNow - config.windowHours() * HOUR;
    List<LogEntry> newestFirst =
        store.timeline(
            store.identities(), TimelineCursor.before(Long.MAX_VALUE), config.windowPosts());
    for (int i = newestFirst.size() - 1; i >= 0; i--) {
      LogEntry e = newestFirst.get(i);
      if (e.header().timestampMillis() >= oldest) {
        w.add(e, store::entryById);
      }
    }
    for (Candidate c : new ArrayList<>(w.candidates())) {
      if (closed) {
        throw new IllegalStateException("the node is closing: no feed is ranked");
      }
      for (LogEntry reaction : store.reactions(c.id)) {
        w.addReaction(c.id, reaction);
      }
    }
    window = w;
  }

  private Ranking ranking(CompiledFeed feed, long now, long asOf, Set<Identity> hidden) {
    ArrayDeque<Ranking> kept = rankings.computeIfAbsent(feed.key(), k -> new ArrayDeque<>());
    int hiddenHash = hidden.hashCode();
    Ranking base = null;
    for (Ranking r : kept) {
      boolean sameTime = r.now == now || !feed.readsTime();
      if (sameTime && r.graphVersion == graphVersion && r.hiddenHash == hiddenHash) {
        if (r.asOf == asOf) {
          return r;
        }
        if (r.asOf < asOf && !r.truncated && (base == null || r.asOf > base.asOf)) {
          base = r;
        }
      }
    }
    Ranking made = null;
    if (base != null) {
      Optional<List<EntryId>> changed = window.changedSince(base.asOf);
      if (changed.isPresent()) {
        made = update(feed, base, changed.get(), asOf, hidden, hiddenHash);
      }
    }
    if (made == null) {
      made = full(feed, now, asOf, hidden, hiddenHash);
    }
    kept.addFirst(made);
    while (kept.size() > RANKINGS_PER_FEED) {
      kept.removeLast();
    }
    return made;
  }

  private boolean eligible(Candidate c, long cutoff, long asOf, Set<Identity> hidden) {
    return c.seq <= asOf && c.time >= cutoff && (hidden.isEmpty() || !hidden.contains(c.author));
  }

  private Ranking full(
      CompiledFeed feed, long now, long asOf, Set<Identity> hidden, int hiddenHash) {
    fullRankings++;
    long cutoff = now - config.windowHours() * HOUR;
    List<Candidate> eligible = new ArrayList<>();
    for (Candidate c : window.candidates()) {
      if (eligible(c, cutoff, asOf, hidden)) {
        eligible.add(c);
      }
    }
    long fit = config.costPerPage() / Math.max(1, feed.cost());
    long max = fit;
    boolean truncated = fit < eligible.size();
    if (eligible.size() > max) {
      eligible.sort(
          java.util.Comparator.comparingLong((Candidate c) -> -c.time).thenComparing(c -> c.id));
      eligible = new ArrayList<>(eligible.subList(0, (int) max));
    }
    CandidateView.RankContext ctx = new CandidateView.RankContext(meText, now, asOf, graph);
    Evaluated ev = evaluate(feed, ctx, eligible);
    Ranking.Item[] items = ev.items.toArray(new Ranking.Item[0]);
    Ranking.sort(items);
    return new Ranking(
        now, asOf, graphVersion, hiddenHash, items, eligible.size(), ev.failures, truncated);
  }

  /** {@code base} brought forward to {@code asOf}: only the changed candidates ranked again. */
  private Ranking update(
      CompiledFeed feed,
      Ranking base,
      List<EntryId> changed,
      long asOf,
      Set<Identity> hidden,
      int hiddenHash) {
    partialRankings++;
    Set<EntryId> ids = new HashSet<>(changed);
    long cutoff = base.now - config.windowHours() * HOUR;
    List<Candidate> again = new ArrayList<>();
    int newCandidates = 0;
    for (EntryId id : ids) {
      Optional<Candidate> c = window.candidate(id);
      if (c.isPresent() && eligible(c.get(), cutoff, asOf, hidden)) {
        again.add(c.get());
        if (c.get().seq > base.asOf) {
          newCandidates++;
        }
      }
    }
    if ((long) window.size() * feed.cost() > config.costPerPage()) {
      return full(feed, base.now, asOf, hidden, hiddenHash); // It may have to be cut: rank it all.
    }
    CandidateView.RankContext ctx = new CandidateView.RankContext(meText, base.now, asOf, graph);
    Evaluated ev = evaluate(feed, ctx, again);
    Ranking.Item[] fresh = ev.items.toArray(new Ranking.Item[0]);
    Ranking.sort(fresh);
    Ranking.Item[] merged = new Ranking.Item[base.items.length + fresh.length];
    int n = 0;
    int j = 0;
    for (Ranking.Item old : base.items) {
      if (ids.contains(old.id())) {
        continue;
      }
      while (j < fresh.length && Ranking.ORDER.compare(fresh[j], old) < 0) {
        merged[n++] = fresh[j++];
      }
      merged[n++] = old;
    }
    while (j < fresh.length) {
      merged[n++] = fresh[j++];
    }
    return new Ranking(
        base.now,
        asOf,
        graphVersion,
        hiddenHash,
        Arrays.copyOf(merged, n),
        base.candidates + newCandidates,
        base.failures + ev.failures,
        false);
  }

  private record Evaluated(List<Ranking.Item> items, int failures) {}

  /** Filter, then score, each candidate; in two halves at once when there are many. */
  private Evaluated evaluate(
      CompiledFeed feed, CandidateView.RankContext ctx, List<Candidate> candidates) {
    int parts = candidates.size() >= 4096 ? 2 : 1;
    int per = (candidates.size() + parts - 1) / Math.max(1, parts);
    List<Evaluated> results =
        IntStream.range(0, parts)
            .parallel()
            .mapToObj(
                p ->
                    evaluatePart(
                        feed,
                        ctx,
                        candidates.subList(
                            Math.min(candidates.size(), p * per),
                            Math.min(candidates.size(), (p + 1) * per))))
            .toList();
    List<Ranking.Item> items = new ArrayList<>();
    int failures = 0;
    for (Evaluated e : results) {
      items.addAll(e.items);
      failures += e.failures;
    }
    evaluations += candidates.size();
    return new Evaluated(items, failures);
  }

  private static Evaluated evaluatePart(
      CompiledFeed feed, CandidateView.RankContext ctx, List<Candidate> part) {
    CandidateView view = new CandidateView(ctx);
    List<Ranking.Item> items = new ArrayList<>();
    int failures = 0;
    for (Candidate c : part) {
      view.of(c);
      try {
        if (!feed.filter().test(view)) {
          continue;
        }
        double s = feed.score().score(view);
        if (Double.isNaN(s)) {
          failures++;
          continue;
        }
        items.add(new Ranking.Item(s, c.id, c.repostedAuthor != null, c.idOrder));
      } catch (dev.cel.runtime.CelEvaluationException | RuntimeException e) {
        failures++; // The feed's fault, for this candidate only: left out and counted.
      }
    }
    return new Evaluated(items, failures);
  }
}
