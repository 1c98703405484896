package org.grapevine.node.feeds;

import com.google.protobuf.ByteString;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.LongSupplier;
import org.grapevine.node.config.NodeConfig;
import org.grapevine.node.storage.PostStore;
import org.grapevine.protocol.Limits;
import org.grapevine.protocol.entry.EntryId;
import org.grapevine.protocol.entry.LogEntry;
import org.grapevine.protocol.identity.Identity;
import org.grapevine.protocol.proto.Content;
import org.grapevine.protocol.proto.FeedUse;
import org.grapevine.protocol.proto.Ref;

/**
 * The node's {@link Feeds}: built-in feeds, the ones its person uses and the ones they or the
 * people they follow publish, run by a {@link FeedEngine} over what the store holds. Writes (a
 * publish, a use) go through {@code write}, the node's own post path.
 */
public final class LocalFeeds implements Feeds {
  private static final int HEX_ID = 2 * Limits.HASH_BYTES;

  private final PostStore store;
  private final Identity me;
  private final NodeConfig.Feeds config;
  private final Function<Content, LogEntry> write;
  private final FeedEngine engine;
  private final FeedRegistry registry;
  private final Map<String, CompiledFeed> compiled = new ConcurrentHashMap<>();
  private Thread warming;

  static final int TAKE_IN_SECONDS = 5;

  /**
   * @param write signs and stores this node's own content (the node's post path)
   */
  public LocalFeeds(
      PostStore store,
      Identity me,
      NodeConfig.Feeds config,
      Function<Content, LogEntry> write,
      LongSupplier clock) {
    this.store = store;
    this.me = me;
    this.config = config;
    this.write = write;
    this.engine = new FeedEngine(store, me, config, clock);
    this.registry = new FeedRegistry(store);
  }

  /** Every entry stored (own, gossip, sync), from the node's entry listeners. Cheap. */
  public void onEntry(LogEntry e) {
    engine.offer(e);
    switch (e.header().kind()) {
      case FEED, FEED_USE, DELETE -> registry.offer(e);
      default -> {}
    }
  }

  /**
   * Fills the window in the background now, so that the first page asked for after a start does not
   * wait for it: over a store of 1,000,000 entries the fill takes 10 to 16 s (mostly reads), a
   * ranking after it 15 to 30 ms (benchmarks/README.md). A page asked for meanwhile waits for the
   * fill, as it would have filled the window itself. Then, every {@link #TAKE_IN_SECONDS}, what
   * arrived is taken into the window (not ranked), so the queue stays short between pages.
   */
  public synchronized void warmUp() {
    if (warming != null) {
      return;
    }
    warming =
        new Thread(
            () -> {
              try {
                long t = System.nanoTime();
                int n = engine.windowNow().size();
                org.slf4j.LoggerFactory.getLogger(LocalFeeds.class)
                    .info(
                        "feeds ready: {} candidates in the window, filled in {} ms",
                        n,
                        (System.nanoTime() - t) / 1_000_000);
                while (!Thread.currentThread().isInterrupted()) {
                  Thread.sleep(TAKE_IN_SECONDS * 1000L);
                  engine.takeIn();
                }
              } catch (IllegalStateException | InterruptedException closing) {
                // The node closes.
              }
            },
            "feeds-warm-up");
    warming.setDaemon(true);
    warming.start();
  }

  /** Stops the warm-up (if it runs) before the store closes; no page is made after this. */
  public void close() {
    engine.close();
    Thread t;
    synchronized (this) {
      t = warming;
    }
    if (t != null) {
      t.interrupt();
      try {
        t.join(); // A fill stops at its next candidate: the store must outlive its reads.
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** For FeedHarness (benchmarks, same package): the engine, to time rankings directly. */
  FeedEngine engine() {
    return engine;
  }

  /** Counters for status: candidates held, evaluations, rankings made, drops. */
  public Map<String, Long> counters() {
    return engine.counters();
  }

  @Override
  public List<FeedInfo> list() {
    registry.scan(me);
    List<FeedInfo> out = new ArrayList<>();
    for (Map.Entry<String, FeedDefinition> b : BuiltInFeeds.ALL.entrySet()) {
      out.add(builtIn(b.getKey(), b.getValue()));
    }
    Map<EntryId, FeedRegistry.Published> mine = new LinkedHashMap<>();
    for (EntryId id : registry.usedBy(me)) {
      registry.published(id).ifPresent(p -> mine.put(id, p));
    }
    for (FeedRegistry.Published p : registry.publishedBy(me)) {
      mine.putIfAbsent(p.id(), p);
    }
    Map<EntryId, Integer> users = users();
    for (FeedRegistry.Published p : mine.values()) {
      out.add(info(p, users));
    }
    return out;
  }

  @Override
  public FeedInfo info(String key) throws FeedException {
    FeedDefinition b = BuiltInFeeds.ALL.get(key.toLowerCase(Locale.ROOT));
    if (b != null) {
      return builtIn(key.toLowerCase(Locale.ROOT), b);
    }
    return info(resolve(key), users());
  }

  @Override
  public FeedPage run(String key, Optional<String> cursor, int limit) throws FeedException {
    if (limit < 1 || limit > MAX_PAGE) {
      throw new IllegalArgumentException("limit " + limit + " outside 1.." + MAX_PAGE);
    }
    return engine.run(compiled(key), cursor, limit);
  }

  private CompiledFeed compiled(String key) throws FeedException {
    String k = key.toLowerCase(Locale.ROOT);
    FeedDefinition b = BuiltInFeeds.ALL.get(k);
    if (b != null) {
      CompiledFeed c = compiled.get(k);
      if (c == null) {
        c = CompiledFeed.compile(k, b, Long.MAX_VALUE); // Ours: no budget applies.
        compiled.put(k, c);
      }
      return c;
    }
    FeedRegistry.Published p = resolve(key);
    String id = p.id().toString();
    CompiledFeed c = compiled.get(id);
    if (c == null) {
      c = CompiledFeed.compile(id, p.definition(), config.costPerCandidate());
      compiled.put(id, c);
    }
    return c;
  }

  /** A published version by id (hex) or by the name of a used one. */
  private FeedRegistry.Published resolve(String key) throws FeedException {
    if (key.length() == HEX_ID && key.chars().allMatch(ch -> Character.digit(ch, 16) >= 0)) {
      EntryId id = EntryId.parse(key.toLowerCase(Locale.ROOT));
      Optional<FeedRegistry.Published> p = registry.published(id);
      if (p.isPresent()) {
        return p.get();
      }
      if (store.entryById(id).isPresent()) {
        throw new FeedException(FeedException.Code.NOT_A_FEED, "entry " + key + " is not a feed");
      }
      throw new FeedException(FeedException.Code.UNKNOWN_FEED, "no feed " + key + " is held here");
    }
    registry.scan(me);
    for (EntryId id : registry.usedBy(me)) {
      Optional<FeedRegistry.Published> p = registry.published(id);
      if (p.isPresent() && p.get().definition().name().equalsIgnoreCase(key)) {
        return p.get();
      }
    }
    throw new FeedException(
        FeedException.Code.UNKNOWN_FEED,
        "no feed named \""
            + key
            + "\": not built in ("
            + String.join(", ", BuiltInFeeds.ALL.keySet())
            + ") nor used (`grapevine feed list`)");
  }

  @Override
  public LogEntry publish(FeedDefinition d) throws FeedException {
    List<FeedProblem> problems = check(d);
    if (!problems.isEmpty()) {
      boolean onlyBudget =
          problems.size() == 1 && problems.get(0).message().contains("cost_per_candidate");
      throw new FeedException(
          onlyBudget ? FeedException.Code.BUDGET_EXCEEDED : FeedException.Code.INVALID_DEFINITION,
          "the feed is refused: " + problems.get(0),
          problems);
    }
    LogEntry e = write.apply(Content.newBuilder().setFeed(d.toProto()).build());
    registry.offer(e);
    return e;
  }

  @Override
  public LogEntry use(EntryId feed, boolean stopped) throws FeedException {
    FeedRegistry.Published p = resolve(feed.toString());
    if (!stopped) {
      compiled(feed.toString()); // Refuses what this node could not run.
    }
    Ref ref =
        Ref.newBuilder()
            .setIdentity(ByteString.copyFrom(p.author().root().toBytes()))
            .setEntry(ByteString.copyFrom(feed.toBytes()))
            .build();
    LogEntry e =
        write.apply(
            Content.newBuilder()
                .setFeedUse(FeedUse.newBuilder().setFeed(ref).setStopped(stopped))
                .build());
    registry.offer(e);
    return e;
  }

  @Override
  public List<FeedInfo> discover(int max) {
    registry.scan(me);
    java.util.Set<EntryId> seen = new java.util.HashSet<>();
    List<FeedRegistry.Published> found = new ArrayList<>();
    List<Identity> people = new ArrayList<>(store.follows());
    people.add(me);
    for (Identity f : people) {
      registry.scan(f);
      List<EntryId> ids = new ArrayList<>(registry.usedBy(f));
      for (FeedRegistry.Published p : registry.publishedBy(f)) {
        ids.add(p.id());
      }
      for (EntryId id : ids) {
        if (seen.add(id)) {
          registry.published(id).ifPresent(found::add);
        }
      }
    }
    Map<EntryId, Integer> users = users();
    found.sort(
        Comparator.comparingInt((FeedRegistry.Published p) -> -users.getOrDefault(p.id(), 0))
            .thenComparingLong(p -> -p.time())
            .thenComparing(FeedRegistry.Published::id));
    List<FeedInfo> out = new ArrayList<>();
    for (FeedRegistry.Published p : found.subList(0, Math.min(max, found.size()))) {
      out.add(info(p, users));
    }
    return out;
  }

  @Override
  public List<FeedInfo> publishedBy(Identity author) {
    registry.scan(author);
    Map<EntryId, Integer> users = users();
    List<FeedInfo> out = new ArrayList<>();
    for (FeedRegistry.Published p : registry.publishedBy(author)) {
      out.add(info(p, users));
    }
    return out;
  }

  @Override
  public List<FeedProblem> check(FeedDefinition d) {
    List<FeedProblem> out = new ArrayList<>();
    text(out, "name", d.name(), Limits.MAX_FEED_NAME_BYTES, false);
    text(out, "description", d.description(), Limits.MAX_FEED_DESCRIPTION_BYTES, true);
    if (d.version() < 1) {
      out.add(new FeedProblem("version", 1, 1, "versions start at 1"));
    }
    out.addAll(CompiledFeed.problems(d, config.costPerCandidate()));
    return out;
  }

  private static void text(
      List<FeedProblem> out, String field, String value, int max, boolean mayBeEmpty) {
    if (!mayBeEmpty && value.isBlank()) {
      out.add(new FeedProblem(field, 1, 1, "empty"));
    } else if (value.getBytes(StandardCharsets.UTF_8).length > max) {
      out.add(new FeedProblem(field, 1, 1, "longer than " + max + " bytes of UTF-8"));
    }
  }

  @Override
  public Optional<EntryId> latestVersion(EntryId feed) {
    Optional<FeedRegistry.Published> p = registry.published(feed);
    if (p.isEmpty()) {
      return Optional.empty();
    }
    registry.scan(p.get().author());
    FeedRegistry.Published best = p.get();
    for (FeedRegistry.Published q : registry.publishedBy(p.get().author())) {
      if (q.definition().name().equals(best.definition().name())
          && q.definition().version() > best.definition().version()) {
        best = q;
      }
    }
    return Optional.of(best.id());
  }

  /** Per feed version: how many of the people followed use it now. */
  private Map<EntryId, Integer> users() {
    Map<EntryId, Integer> out = new HashMap<>();
    for (Identity f : store.follows()) {
      registry.scan(f);
      for (EntryId id : registry.usedBy(f)) {
        out.merge(id, 1, Integer::sum);
      }
    }
    return out;
  }

  private FeedInfo builtIn(String key, FeedDefinition d) {
    return new FeedInfo(
        key, d, true, Optional.empty(), Optional.empty(), true, Optional.empty(), 0);
  }

  private FeedInfo info(FeedRegistry.Published p, Map<EntryId, Integer> users) {
    Optional<EntryId> latest = latestVersion(p.id()).filter(l -> !l.equals(p.id()));
    return new FeedInfo(
        p.id().toString(),
        p.definition(),
        false,
        Optional.of(p.author()),
        Optional.of(p.id()),
        registry.usedBy(me).contains(p.id()),
        latest,
        users.getOrDefault(p.id(), 0));
  }
}
