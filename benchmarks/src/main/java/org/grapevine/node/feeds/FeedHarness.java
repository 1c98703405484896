package org.grapevine.node.feeds;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.HdrHistogram.Histogram;
import org.grapevine.node.config.NodeConfig;
import org.grapevine.node.storage.RocksPostStore;
import org.grapevine.protocol.crypto.SigningKey;
import org.grapevine.protocol.entry.LogEntry;
import org.grapevine.protocol.identity.Identity;
import org.grapevine.protocol.log.LogHead;
import org.grapevine.protocol.log.LogWriter;
import org.grapevine.protocol.proto.Content;
import org.grapevine.protocol.proto.Follow;
import org.grapevine.protocol.testing.TestAuthors;
import org.grapevine.protocol.testing.TestContent;

/**
 * Feeds (issue 17) over a store of about a million entries: the first page of each built-in feed,
 * and CEL's evaluation rate against the same ranking written by hand in Java, in the same run.
 *
 * <p>In package {@code node.feeds} (a split package on the class path, the benchmarks' jar only) so
 * that it can time the engine's rankings and read its window without making them public.
 *
 * <p>The store: {@code identities} identities ({@code feed-i}) each with a delegation, {@code
 * follows} follow entries (seeded choice), {@code posts} posts spread evenly at random over 48 days
 * (so the 72-hour window holds about 50,000 of the 800,000 at the defaults), then {@code reactions}
 * reactions and {@code replies} replies to random posts of the window's last day; the node's person
 * ({@code feed-me}) follows {@code myFollows} of them. Bulk-applied with {@code PostStore.apply};
 * {@code -Dfeeds.dir=PATH} keeps the store and reuses it; {@code -Dfeeds.only=KEY} runs one feed.
 *
 * <p>Measured per built-in feed: <b>full</b>, a first page that ranks the whole window (the clock
 * moves to the next minute before each, as a user sees it at most once a minute per feed); <b>after
 * arrivals</b>, a first page after 5 new posts and 5 reactions arrived (same minute: only the
 * changed candidates are ranked again); <b>unchanged</b>, a first page with nothing new. Then the
 * rate of filter+score evaluations of "popular" in CEL against the hand-written Java.
 *
 * <p>Usage: {@code java -cp benchmarks/target/benchmarks.jar org.grapevine.node.feeds.FeedHarness
 * [identities=2000] [posts=400] [rounds=100]}
 */
public final class FeedHarness {
  private static final long HOUR = 3_600_000L;
  private static final long SPAN = 48 * 24 * HOUR;
  private static final int FOLLOWS = 25;
  private static final int REACTIONS = 75;
  private static final int REPLIES = 25;
  private static final int MY_FOLLOWS = 200;

  private FeedHarness() {}

  private record Writer(TestAuthors.Person person, LogWriter log, List<LogEntry> entries) {}

  public static void main(String[] args) throws Exception {
    int identities = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
    int posts = args.length > 1 ? Integer.parseInt(args[1]) : 400;
    int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 100;
    String keep = System.getProperty("feeds.dir");
    Path dir = keep != null ? Path.of(keep) : Files.createTempDirectory("grapevine-feeds");
    boolean reuse = Files.exists(dir.resolve("store"));
    long end = TestAuthors.T0_MILLIS + SPAN;
    TestAuthors.Person me = TestAuthors.person("feed-me");
    System.out.printf(
        Locale.ROOT,
        "%d identities x %d posts; %s; java %s; %d cores%n",
        identities,
        posts,
        reuse ? "store reused" : "store built",
        System.getProperty("java.version"),
        Runtime.getRuntime().availableProcessors());
    RocksPostStore store = RocksPostStore.open(dir.resolve("store"));
    LogWriter[] mine = new LogWriter[1];
    try {
      if (!reuse) {
        long t = System.nanoTime();
        long n = build(store, identities, posts, me, end, mine);
        System.out.printf(
            Locale.ROOT, "built %,d entries in %.1f s%n", n, (System.nanoTime() - t) / 1e9);
      }
      long[] clock = {end};
      LocalFeeds feeds =
          new LocalFeeds(
              store,
              me.identity,
              NodeConfig.defaults().feeds(),
              c -> {
                throw new UnsupportedOperationException("the harness publishes nothing");
              },
              () -> clock[0]);
      long t = System.nanoTime();
      feeds.run("following", Optional.empty(), 30);
      System.out.printf(
          Locale.ROOT,
          "cold first page (window filled from the store: %,d candidates, graph built): %.0f ms%n",
          feeds.engine().windowNow().size(),
          (System.nanoTime() - t) / 1e6);
      t = System.nanoTime();
      int found = feeds.discover(20).size();
      double coldDiscover = (System.nanoTime() - t) / 1e6;
      t = System.nanoTime();
      feeds.discover(20);
      System.out.printf(
          Locale.ROOT,
          "discover (%d found): first %.0f ms (reads the follows' logs once), then %.1f ms%n",
          found,
          coldDiscover,
          (System.nanoTime() - t) / 1e6);
      Writer poster = continuing(store, TestAuthors.person("feed-0"), "phone");
      List<LogEntry> recent =
          store.timeline(
              store.follows(),
              org.grapevine.node.storage.TimelineCursor.before(Long.MAX_VALUE),
              100);
      System.out.println(
          "feed                 full p50/p99 ms   next minute p50/p99   after arrivals p50/p99"
              + "   unchanged p50/p99   passing/candidates");
      SplittableRandom random = new SplittableRandom(5);
      String only = System.getProperty("feeds.only");
      for (String key : BuiltInFeeds.ALL.keySet()) {
        if (only != null && !only.equals(key)) {
          continue;
        }
        Histogram full = histogram();
        Histogram minute = histogram();
        Histogram arrivals = histogram();
        Histogram unchanged = histogram();
        FeedPage last = null;
        for (int i = 0; i < rounds + 10; i++) {
          clock[0] += 60_000;
          long a = System.nanoTime();
          feeds.run(key, Optional.empty(), 30);
          long b = System.nanoTime();
          feeds.engine().forgetRankings();
          long a2 = System.nanoTime();
          last = feeds.run(key, Optional.empty(), 30);
          long b2 = System.nanoTime();
          for (int k = 0; k < 5; k++) {
            clock[0] += 1;
            LogEntry p = poster.log().append(TestAuthors.post("new post " + i + k), clock[0]);
            store.apply(p);
            feeds.onEntry(p);
            LogEntry r =
                poster
                    .log()
                    .append(
                        TestContent.reaction("👍", recent.get(random.nextInt(recent.size()))),
                        clock[0]);
            store.apply(r);
            feeds.onEntry(r);
          }
          long c = System.nanoTime();
          feeds.run(key, Optional.empty(), 30);
          long d = System.nanoTime();
          feeds.run(key, Optional.empty(), 30);
          long e = System.nanoTime();
          if (i >= 10) { // The first ten warm the JIT.
            minute.recordValue((b - a) / 1000);
            full.recordValue((b2 - a2) / 1000);
            arrivals.recordValue((d - c) / 1000);
            unchanged.recordValue((e - d) / 1000);
          }
        }
        System.out.printf(
            Locale.ROOT,
            "%-20s %6.1f / %-6.1f     %6.1f / %-6.1f      %6.2f / %-6.2f         %6.3f / %-6.3f     %s/%,d%s%n",
            key,
            full.getValueAtPercentile(50) / 1000.0,
            full.getValueAtPercentile(99) / 1000.0,
            minute.getValueAtPercentile(50) / 1000.0,
            minute.getValueAtPercentile(99) / 1000.0,
            arrivals.getValueAtPercentile(50) / 1000.0,
            arrivals.getValueAtPercentile(99) / 1000.0,
            unchanged.getValueAtPercentile(50) / 1000.0,
            unchanged.getValueAtPercentile(99) / 1000.0,
            last.items().size() < 30 ? String.valueOf(last.items().size()) : "30+",
            last.candidates(),
            last.truncated() ? " (truncated)" : "");
      }
      celAgainstJava(feeds, clock[0]);
    } finally {
      store.close();
    }
  }

  /** Evaluations per second of "popular" (filter, then score if it passes): CEL and Java. */
  private static void celAgainstJava(LocalFeeds feeds, long now) throws Exception {
    FeedWindow w = feeds.engine().windowNow();
    SocialGraph g = feeds.engine().graphNow();
    List<Candidate> all = new ArrayList<>(w.candidates());
    CompiledFeed popular =
        CompiledFeed.compile("popular", BuiltInFeeds.ALL.get("popular"), Long.MAX_VALUE);
    CandidateView.RankContext ctx = new CandidateView.RankContext(g.me.toString(), now, w.seq(), g);
    CandidateView view = new CandidateView(ctx);
    double celBest = 0;
    double directBest = 0;
    double javaBest = 0;
    double sink = 0;
    for (int round = 0; round < 8; round++) {
      long t = System.nanoTime();
      for (Candidate c : all) {
        view.of(c);
        if (Boolean.TRUE.equals(popular.filter().eval(view))) {
          sink +=
              2 * ((Number) popular.score().eval(view)).doubleValue(); // Less direct and Java: 0.
        }
      }
      double cel = all.size() / ((System.nanoTime() - t) / 1e9);
      t = System.nanoTime();
      for (Candidate c : all) {
        view.of(c);
        if (popular.filter().test(view)) {
          sink -= popular.score().score(view);
        }
      }
      double direct = all.size() / ((System.nanoTime() - t) / 1e9);
      t = System.nanoTime();
      for (Candidate c : all) {
        Double s = popularInJava(c, ctx);
        if (s != null) {
          sink -= s;
        }
      }
      double java = all.size() / ((System.nanoTime() - t) / 1e9);
      if (round >= 3) {
        celBest = Math.max(celBest, cel);
        directBest = Math.max(directBest, direct);
        javaBest = Math.max(javaBest, java);
      }
    }
    System.out.printf(
        Locale.ROOT,
        "popular over %,d candidates, one thread: CEL's runtime %,.0f evaluations/s, direct"
            + " (DirectProgram) %,.0f/s, hand-written Java %,.0f/s (CEL's runtime at %.1f%%,"
            + " direct at %.1f%% of Java; check sum %.3g)%n",
        all.size(),
        celBest,
        directBest,
        javaBest,
        100 * celBest / javaBest,
        100 * directBest / javaBest,
        sink);
  }

  /** "popular" by hand: the same filter and score as its CEL, over the same view. */
  private static Double popularInJava(Candidate c, CandidateView.RankContext ctx) {
    if (c.repostedAuthor != null || c.author.equals(ctx.graph().me)) {
      return null;
    }
    long reactions = 0;
    for (Candidate.Answer a : c.reactions) {
      if (a.seq() <= ctx.asOf() && ctx.graph().follows(a.writer())) {
        reactions++;
      }
    }
    long reposts = 0;
    for (Candidate.Answer a : c.reposts) {
      if (a.seq() <= ctx.asOf() && ctx.graph().follows(a.writer())) {
        reposts++;
      }
    }
    if (reactions + reposts == 0) {
      return null;
    }
    double age = (ctx.now() - c.time) / 3_600_000.0;
    return (reactions + 2.0 * reposts) / ((age + 6.0) * (age + 6.0));
  }

  private static Histogram histogram() {
    return new Histogram(60_000_000L, 3);
  }

  /** A writer continuing an identity's device log as the store holds it. */
  private static Writer continuing(RocksPostStore store, TestAuthors.Person p, String device) {
    SigningKey key = p.deviceKey(device);
    org.grapevine.protocol.identity.AuthorKey k = key.publicKey();
    long head = store.contiguousHead(k);
    LogHead h = head == 0 ? LogHead.EMPTY : LogHead.of(store.entry(k, head).orElseThrow());
    return new Writer(p, new LogWriter(p.identity, key, h), new ArrayList<>());
  }

  private static long build(
      RocksPostStore store,
      int identities,
      int posts,
      TestAuthors.Person me,
      long end,
      LogWriter[] mine) {
    // Phase A: delegation, follows, posts (signed on all cores).
    List<Writer> writers =
        IntStream.range(0, identities)
            .parallel()
            .mapToObj(
                i -> {
                  SplittableRandom r = new SplittableRandom(1000 + i);
                  TestAuthors.Person p = TestAuthors.person("feed-" + i);
                  SigningKey key = p.deviceKey("phone");
                  List<LogEntry> out = new ArrayList<>();
                  out.add(p.delegate(key, TestAuthors.T0_MILLIS));
                  LogWriter log = p.deviceLog(key);
                  for (int f = 0; f < FOLLOWS; f++) {
                    out.add(
                        log.append(follow(person(r.nextInt(identities))), TestAuthors.T0_MILLIS));
                  }
                  long[] times = new long[posts];
                  for (int j = 0; j < posts; j++) {
                    times[j] = TestAuthors.T0_MILLIS + (long) (r.nextDouble() * SPAN);
                  }
                  java.util.Arrays.sort(times);
                  for (long t : times) {
                    String text = org.grapevine.benchmarks.NodeBenchAccess.postText(r);
                    if (r.nextInt(10) == 0) {
                      text += " #cats";
                    }
                    out.add(log.append(TestAuthors.post(text), t));
                  }
                  return new Writer(p, log, out);
                })
            .toList();
    long n = 0;
    for (Writer w : writers) {
      for (LogEntry e : w.entries()) {
        store.apply(e);
        n++;
      }
    }
    // Posts of the last day, to react and reply to.
    List<LogEntry> lastDay = new ArrayList<>();
    for (Writer w : writers) {
      for (LogEntry e : w.entries()) {
        if (e.header().timestampMillis() > end - 24 * HOUR
            && e.header().kind() == org.grapevine.protocol.entry.ContentKind.POST) {
          lastDay.add(e);
        }
      }
    }
    // Phase B: reactions and replies, after the posts in each log.
    List<List<LogEntry>> answers =
        IntStream.range(0, identities)
            .parallel()
            .mapToObj(
                i -> {
                  SplittableRandom r = new SplittableRandom(5000 + i);
                  LogWriter log = writers.get(i).log();
                  List<LogEntry> out = new ArrayList<>();
                  for (int k = 0; k < REACTIONS; k++) {
                    out.add(
                        log.append(
                            TestContent.reaction("👍", lastDay.get(r.nextInt(lastDay.size()))),
                            end - HOUR));
                  }
                  for (int k = 0; k < REPLIES; k++) {
                    out.add(
                        log.append(
                            TestContent.reply("a reply", lastDay.get(r.nextInt(lastDay.size()))),
                            end - HOUR));
                  }
                  return out;
                })
            .toList();
    for (List<LogEntry> l : answers) {
      for (LogEntry e : l) {
        store.apply(e);
        n++;
      }
    }
    // The node's person: follows MY_FOLLOWS of them.
    SigningKey key = me.deviceKey("phone");
    store.apply(me.delegate(key, TestAuthors.T0_MILLIS));
    LogWriter log = me.deviceLog(key);
    SplittableRandom r = new SplittableRandom(77);
    for (int f = 0; f < MY_FOLLOWS; f++) {
      Identity who = person(r.nextInt(identities)).identity;
      store.apply(log.append(follow(who), end - 2 * HOUR));
      store.follow(who);
      n++;
    }
    mine[0] = log;
    return n;
  }

  private static TestAuthors.Person person(int i) {
    return TestAuthors.person("feed-" + i);
  }

  private static Content follow(TestAuthors.Person p) {
    return follow(p.identity);
  }

  private static Content follow(Identity who) {
    return Content.newBuilder()
        .setFollow(
            Follow.newBuilder()
                .setIdentity(com.google.protobuf.ByteString.copyFrom(who.root().toBytes())))
        .build();
  }
}
