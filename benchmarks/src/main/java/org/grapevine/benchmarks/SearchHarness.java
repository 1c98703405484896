package org.grapevine.benchmarks;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import java.util.stream.IntStream;
import org.HdrHistogram.Histogram;
import org.grapevine.node.engine.Engine;
import org.grapevine.node.engine.IngestOutcome;
import org.grapevine.node.engine.StoreObserver;
import org.grapevine.node.search.SearchIndex;
import org.grapevine.node.search.SearchQuery;
import org.grapevine.node.storage.Applied;
import org.grapevine.node.storage.RocksPostStore;
import org.grapevine.node.storage.StoreConfig;
import org.grapevine.protocol.crypto.SigningKey;
import org.grapevine.protocol.entry.LogEntry;
import org.grapevine.protocol.identity.Identity;
import org.grapevine.protocol.log.LogWriter;
import org.grapevine.protocol.testing.TestAuthors;
import org.grapevine.protocol.validation.ChainChecker;
import org.grapevine.protocol.validation.EntryValidator;

/**
 * The search index (issue 15): what it costs ingestion, and how fast it answers.
 *
 * <ol>
 *   <li><b>Ingestion, index on against off.</b> The same pre-generated posts of 50 identities
 *       (texts of {@link #text}: common and rare words, hashtags) ingested by the engine into a new
 *       node's store (WAL-less for others' entries, as a node opens it), once with no index and
 *       once with a {@link SearchIndex} as the engine's store observer, the two alternating in
 *       order over rounds; the figure is the median of the rounds' on/off rate ratios. The index's
 *       close (its one commit) is counted in. Each round also gives the index's own time on the
 *       ingesting thread (its observer calls, timed, and its close) and that thread's CPU time
 *       on/off, which move less with the machine's load; a round fails if the index failed or
 *       missed a post.
 *   <li><b>Query latency.</b> A store of {@code identities x postsEach} posts bulk-loaded with
 *       {@code PostStore.apply} (signed on all cores, 40 identities at a time, as {@code
 *       TimelineHarness} does), the index built from it by {@link SearchIndex#open} with rebuild
 *       (timed: what a restart after a crash costs), then p50/p99 of {@code search(query, 20)} per
 *       kind of query: a common word, a rare word, two words, a hashtag, {@code from:} with a word.
 * </ol>
 *
 * <p>Usage: {@code java -cp benchmarks/target/benchmarks.jar org.grapevine.benchmarks.SearchHarness
 * [ingestEntries=30000] [identities=2000] [postsEach=500] [queries=2000]}; {@code
 * -Dsearch.rounds=N} (default 5) ingestion rounds; an ingestion figure of 0 skips that part,
 * identities 0 the latency part.
 */
public final class SearchHarness {
  /** A vocabulary of rarer words, drawn Zipf-like so that a few are common and most are rare. */
  private static final int RARE_WORDS = 20_000;

  private static final int TAGS = 500;

  /** Identities of the ingestion part: each log's first entry is a delegation, the rest posts. */
  private static final int INGEST_IDENTITIES = 50;

  private static final String[] COMMON =
      ("the a of to and in is it that for on with as was at by this be from or have an they "
              + "garden river morning coffee release build node peer sync train city music photo "
              + "weekend project people tonight reading thanks great idea question answer meeting")
          .split(" ");

  private SearchHarness() {}

  public static void main(String[] args) throws Exception {
    int ingestEntries = args.length > 0 ? Integer.parseInt(args[0]) : 30_000;
    int identities = args.length > 1 ? Integer.parseInt(args[1]) : 2000;
    int postsEach = args.length > 2 ? Integer.parseInt(args[2]) : 500;
    int queries = args.length > 3 ? Integer.parseInt(args[3]) : 2000;
    System.out.printf(
        Locale.ROOT,
        "JDK %s, %d cpus, %s%n",
        System.getProperty("java.version"),
        Runtime.getRuntime().availableProcessors(),
        NodeBench.loadAverage());
    if (ingestEntries > 0) {
      ingestion(ingestEntries, Integer.getInteger("search.rounds", 5));
    }
    if (identities > 0) {
      latency(identities, postsEach, queries);
    }
  }

  /** A post's text: 6 to 40 words, most common, some rare, and 0 to 2 hashtags. */
  static String text(SplittableRandom r) {
    int words = 6 + r.nextInt(35);
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < words; i++) {
      if (i > 0) {
        b.append(' ');
      }
      b.append(r.nextInt(4) == 0 ? rare(zipf(r, RARE_WORDS)) : COMMON[r.nextInt(COMMON.length)]);
    }
    int tags = r.nextInt(3);
    for (int i = 0; i < tags; i++) {
      b.append(" #").append(tag(zipf(r, TAGS)));
    }
    return b.toString();
  }

  /** A rank from 0 to n-1, small ranks far more likely (about 1/rank). */
  private static int zipf(SplittableRandom r, int n) {
    return (int) Math.min(n - 1, Math.exp(r.nextDouble() * Math.log(n)) - 1);
  }

  static String rare(int i) {
    return "w" + Integer.toString(i * 7919 + 101, 36);
  }

  static String tag(int i) {
    return "tag" + i;
  }

  // ---- 1. Ingestion ----

  private static void ingestion(int n, int rounds) throws Exception {
    int identities = INGEST_IDENTITIES;
    SplittableRandom r = new SplittableRandom(5);
    List<LogWriter> writers = new ArrayList<>();
    List<byte[]> envelopes = new ArrayList<>(n);
    for (int i = 0; i < identities; i++) {
      TestAuthors.Person p = TestAuthors.person("search-bench-" + i);
      SigningKey device = p.deviceKey("d");
      envelopes.add(p.delegate(device, TestAuthors.T0_MILLIS).toEnvelopeBytes());
      writers.add(p.deviceLog(device));
    }
    for (int i = envelopes.size(); i < n; i++) {
      envelopes.add(
          writers
              .get(i % identities)
              .append(TestAuthors.post(text(r)), TestAuthors.T0_MILLIS + i)
              .toEnvelopeBytes());
    }
    System.out.printf(Locale.ROOT, "ingestion: %,d entries of %d identities%n", n, identities);
    Identity own = TestAuthors.person("search-bench-own").identity;
    double[] ratios = new double[rounds];
    double[] costs = new double[rounds];
    double[] cpuRatios = new double[rounds];
    for (int round = -1; round < rounds; round++) { // Round -1 warms the JIT.
      boolean onFirst = round % 2 != 0;
      double on = 0;
      double off = 0;
      double closeMillis = 0;
      double callMillis = 0;
      double offMillis = 0;
      double onCpu = 0;
      double offCpu = 0;
      for (int k = 0; k < 2; k++) {
        if ((k == 0) == onFirst) {
          double[] t = ingest(envelopes, own, true);
          on = t[0];
          closeMillis = t[1];
          callMillis = t[2];
          onCpu = t[3];
        } else {
          double[] t = ingest(envelopes, own, false);
          off = t[0];
          offCpu = t[3];
          offMillis = envelopes.size() / off * 1000;
        }
      }
      if (round >= 0) {
        ratios[round] = on / off;
        System.out.printf(
            Locale.ROOT,
            "round %d: index off %6.0f /s, on %6.0f /s = %.3f of off (%.1f%% slower);"
                + " the index's calls %.0f ms + its close (commit) %.0f ms = %.1f%% of the off"
                + " run's %.0f ms; ingesting thread's CPU time %.0f ms off, %.0f ms on = %.3f%n",
            round + 1,
            off,
            on,
            on / off,
            (1 - on / off) * 100,
            callMillis,
            closeMillis,
            (callMillis + closeMillis) / offMillis * 100,
            offMillis,
            offCpu,
            onCpu,
            onCpu / offCpu);
        cpuRatios[round] = onCpu / offCpu;
        costs[round] = (callMillis + closeMillis) / offMillis;
      }
    }
    double[] v = ratios.clone();
    Arrays.sort(v);
    System.out.printf(
        Locale.ROOT,
        "ingestion with the index on, median of %d rounds: %.3f of off (min %.3f, max %.3f)%n",
        rounds,
        v[v.length / 2],
        v[0],
        v[v.length - 1]);
    double[] c = costs.clone();
    Arrays.sort(c);
    System.out.printf(
        Locale.ROOT,
        "the index's own time on the ingesting thread (calls and close), median: %.1f%% of the off"
            + " run (min %.1f%%, max %.1f%%)%n",
        c[c.length / 2] * 100,
        c[0] * 100,
        c[c.length - 1] * 100);
    double[] u = cpuRatios.clone();
    Arrays.sort(u);
    System.out.printf(
        Locale.ROOT,
        "the ingesting thread's CPU time on/off, median: %.3f (min %.3f, max %.3f)%n",
        u[u.length / 2],
        u[0],
        u[u.length - 1]);
  }

  /**
   * The index as the engine's observer, timing its calls on the ingesting thread: what the index
   * itself costs there, apart from the machine's load (two nanoTime reads a call, some 50 ns).
   */
  private static final class TimedObserver implements StoreObserver {
    private final StoreObserver inner;
    long nanos;

    TimedObserver(StoreObserver inner) {
      this.inner = inner;
    }

    @Override
    public void onApplied(LogEntry stored, Applied applied) {
      long t = System.nanoTime();
      inner.onApplied(stored, applied);
      nanos += System.nanoTime() - t;
    }

    @Override
    public void onContentFilled(LogEntry full) {
      long t = System.nanoTime();
      inner.onContentFilled(full);
      nanos += System.nanoTime() - t;
    }
  }

  /** Entries per second into a new node store, and the index's close time in ms (0 if off). */
  private static double[] ingest(List<byte[]> envelopes, Identity own, boolean search)
      throws Exception {
    Path dir = Files.createTempDirectory("grapevine-search-ingest");
    try (RocksPostStore store =
        RocksPostStore.open(dir.resolve("store"), StoreConfig.DEFAULT, own)) {
      SearchIndex index = search ? SearchIndex.open(dir.resolve("search"), store, false) : null;
      Engine engine = new Engine(store, new EntryValidator(), new ChainChecker(), 256, 16_384);
      TimedObserver timed = index == null ? null : new TimedObserver(index);
      if (timed != null) {
        engine.setStoreObserver(timed);
      }
      long now = TestAuthors.T0_MILLIS + envelopes.size() + 60_000;
      java.lang.management.ThreadMXBean cpu =
          java.lang.management.ManagementFactory.getThreadMXBean();
      long startCpu = cpu.getCurrentThreadCpuTime();
      long start = System.nanoTime();
      for (byte[] e : envelopes) {
        if (!(engine.ingest(e, now) instanceof IngestOutcome.Stored)) {
          throw new AssertionError("not stored");
        }
      }
      long closeStart = System.nanoTime();
      if (index != null
          && (index.failed() || index.documents() != envelopes.size() - INGEST_IDENTITIES)) {
        throw new AssertionError(
            "the index failed or missed posts: " + index.documents() + " documents");
      }
      if (index != null) {
        index.close(); // Counted in: its one commit, which a running node makes at its close.
      }
      long end = System.nanoTime();
      long endCpu = cpu.getCurrentThreadCpuTime();
      return new double[] {
        envelopes.size() / ((end - start) / 1e9),
        (end - closeStart) / 1e6,
        timed == null ? 0 : timed.nanos / 1e6,
        (endCpu - startCpu) / 1e6
      };
    } finally {
      NodeBench.deleteTree(dir);
    }
  }

  // ---- 2. Latency ----

  private static void latency(int identities, int postsEach, int queries) throws Exception {
    Path dir = Files.createTempDirectory("grapevine-search-latency");
    try (RocksPostStore store = RocksPostStore.open(dir.resolve("store"), StoreConfig.DEFAULT)) {
      long t = System.nanoTime();
      List<Identity> all = new ArrayList<>();
      int chunk = 40;
      for (int from = 0; from < identities; from += chunk) {
        List<List<LogEntry>> logs =
            IntStream.range(from, Math.min(identities, from + chunk))
                .parallel()
                .mapToObj(i -> log(i, postsEach))
                .toList();
        for (List<LogEntry> log : logs) {
          all.add(log.get(0).header().identity());
          log.forEach(store::apply);
        }
      }
      System.out.printf(
          Locale.ROOT,
          "latency: %,d posts of %,d identities generated, signed and stored in %.0f s%n",
          (long) identities * postsEach,
          identities,
          (System.nanoTime() - t) / 1e9);
      t = System.nanoTime();
      try (SearchIndex index = SearchIndex.open(dir.resolve("search"), store, true)) {
        System.out.printf(
            Locale.ROOT,
            "index rebuilt from the store: %,d documents in %.1f s; on disk %,d MB"
                + " (store %,d MB)%n",
            index.documents(),
            (System.nanoTime() - t) / 1e9,
            sizeOf(dir.resolve("search")) >> 20,
            sizeOf(dir.resolve("store")) >> 20);
        SplittableRandom r = new SplittableRandom(17);
        record Kind(String name, Supplier<String> query) {}
        List<Kind> kinds =
            List.of(
                new Kind("a common word", () -> COMMON[20 + r.nextInt(COMMON.length - 20)]),
                new Kind("a rare word", () -> rare(100 + r.nextInt(RARE_WORDS - 100))),
                new Kind(
                    "two words",
                    () -> COMMON[20 + r.nextInt(COMMON.length - 20)] + " " + rare(r.nextInt(200))),
                new Kind("a hashtag", () -> "#" + tag(r.nextInt(TAGS))),
                new Kind(
                    "from:identity + a common word",
                    () ->
                        "from:"
                            + all.get(r.nextInt(all.size()))
                            + " "
                            + COMMON[20 + r.nextInt(COMMON.length - 20)]));
        for (Kind k : kinds) {
          for (int i = 0; i < Math.max(100, queries / 5); i++) {
            index.search(SearchQuery.parse(k.query().get()), 20, Set.of()); // warm-up
          }
          Histogram h = NodeBench.histogram();
          long found = 0;
          for (int i = 0; i < queries; i++) {
            SearchQuery q = SearchQuery.parse(k.query().get());
            long s = System.nanoTime();
            found += index.search(q, 20, Set.of()).posts().size();
            h.recordValue(System.nanoTime() - s);
          }
          System.out.printf(
              Locale.ROOT,
              "%-32s %s, %.1f posts per answer%n",
              k.name(),
              NodeBench.latencies(h),
              found / (double) queries);
        }
      }
    } finally {
      NodeBench.deleteTree(dir);
    }
  }

  private static long sizeOf(Path dir) throws java.io.IOException {
    try (var walk = Files.walk(dir)) {
      return walk.filter(Files::isRegularFile).mapToLong(f -> f.toFile().length()).sum();
    }
  }

  /** Identity {@code i}'s delegation and {@code posts} posts, a post every 15 hours or so. */
  private static List<LogEntry> log(int i, int posts) {
    SplittableRandom r = new SplittableRandom(31L + i);
    TestAuthors.Person p = TestAuthors.person("search-" + i);
    SigningKey device = p.deviceKey("phone");
    List<LogEntry> out = new ArrayList<>(posts + 1);
    long t = TestAuthors.T0_MILLIS;
    out.add(p.delegate(device, t));
    LogWriter w = p.deviceLog(device);
    for (int j = 0; j < posts; j++) {
      t += 1 + (long) (-Math.log(1 - r.nextDouble()) * 54_000_000);
      out.add(w.append(TestAuthors.post(text(r)), t));
    }
    return out;
  }
}
