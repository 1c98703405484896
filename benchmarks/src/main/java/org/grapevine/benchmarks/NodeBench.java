package org.grapevine.benchmarks;

import io.netty.channel.EventLoopGroup;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.HdrHistogram.Histogram;
import org.grapevine.libp2p.crypto.PrivKey;
import org.grapevine.libp2p.multiaddr.Multiaddr;
import org.grapevine.node.Node;
import org.grapevine.node.NodeLauncher;
import org.grapevine.node.config.ConfigException;
import org.grapevine.node.config.DataDir;
import org.grapevine.node.config.NodeConfig;
import org.grapevine.node.storage.PostStore;
import org.grapevine.protocol.crypto.SigningKey;
import org.grapevine.protocol.entry.LogEntry;
import org.grapevine.protocol.log.LogWriter;
import org.grapevine.protocol.testing.TestAuthors;

/**
 * What the node harnesses share: deterministic signed logs, temp directories, real nodes, latency
 * figures.
 */
final class NodeBench {
  private static final String[] WORDS =
      ("the a of to and in is it that for on with as was at by this be from or have "
              + "an they which one you were all we when there can more if out so said what up its about into than them "
              + "garden river morning coffee release build node peer sync train city music photo weekend project people "
              + "tonight reading thanks great idea question answer meeting window light rain summer winter friends")
          .split(" ");

  private NodeBench() {}

  /**
   * Text of a realistic post: 40 to 400 characters of words (mean about 160), the size of most
   * short-form posts, well below the 8 KiB limit.
   */
  static String postText(SplittableRandom random) {
    int target = 40 + (int) Math.min(360, -Math.log(1 - random.nextDouble()) * 120);
    StringBuilder b = new StringBuilder(target + 16);
    while (b.length() < target) {
      if (b.length() > 0) {
        b.append(' ');
      }
      b.append(WORDS[random.nextInt(WORDS.length)]);
    }
    return b.toString();
  }

  /**
   * One identity's pre-generated logs: a root log delegating one device, then posts in the device
   * log.
   */
  record Author(TestAuthors.Person person, SigningKey device, List<LogEntry> entries) {}

  /**
   * {@code identities} identities named {@code prefix-i}, each with one delegation and {@code
   * postsEach} posts. Timestamps start at {@link TestAuthors#T0_MILLIS} and grow by a random gap of
   * mean {@code meanGapMillis} per post (exponential), so logs interleave in time.
   */
  static List<Author> authors(
      String prefix, int identities, int postsEach, long meanGapMillis, long seed) {
    List<Author> out = new ArrayList<>(identities);
    for (int i = 0; i < identities; i++) {
      out.add(author(prefix, i, postsEach, meanGapMillis, seed));
    }
    return out;
  }

  /**
   * Identity {@code prefix-i} of {@link #authors}; its texts and times come from {@code seed + i}
   * alone.
   */
  static Author author(String prefix, int i, int postsEach, long meanGapMillis, long seed) {
    SplittableRandom random = new SplittableRandom(seed + i);
    TestAuthors.Person p = TestAuthors.person(prefix + "-" + i);
    SigningKey device = p.deviceKey("phone");
    List<LogEntry> entries = new ArrayList<>(postsEach + 1);
    long t = TestAuthors.T0_MILLIS;
    entries.add(p.delegate(device, t));
    LogWriter log = p.deviceLog(device);
    for (int j = 0; j < postsEach; j++) {
      t += 1 + (long) (-Math.log(1 - random.nextDouble()) * meanGapMillis);
      entries.add(log.append(TestAuthors.post(postText(random)), t));
    }
    return new Author(p, device, entries);
  }

  /** What {@link #loadPosts} reports for each entry it applied. */
  interface Loaded {
    /** {@code e}, of identity {@code prefix-identity}, is in the store. */
    void entry(int identity, LogEntry e);
  }

  /**
   * Bulk-loads the large store the read harnesses share: identities {@code prefix-0} up to {@code
   * prefix-(identities-1)} of {@link #author}, each a delegation then {@code postsEach} posts with
   * a post every 15 hours on average (seed 11), so logs interleave over about ten months at 500
   * posts. Applied with {@code PostStore.apply} (one WriteBatch per entry with every index;
   * signatures are not checked, the entries are generated and signed here). Entries are signed on
   * all cores, 40 identities at a time, and applied in that order.
   *
   * @return the newest timestamp of the entries loaded
   */
  static long loadPosts(
      PostStore store, String prefix, int identities, int postsEach, Loaded then) {
    long newest = 0;
    int chunk = 40;
    for (int from = 0; from < identities; from += chunk) {
      List<Author> authors =
          IntStream.range(from, Math.min(identities, from + chunk))
              .parallel()
              .mapToObj(i -> author(prefix, i, postsEach, 54_000_000, 11))
              .toList();
      for (int k = 0; k < authors.size(); k++) {
        for (LogEntry e : authors.get(k).entries()) {
          store.apply(e);
          newest = Math.max(newest, e.header().timestampMillis());
          then.entry(from + k, e);
        }
      }
    }
    return newest;
  }

  /**
   * The indexes of the identities a reader of {@link #loadPosts}' store follows: {@code count} of
   * {@code 0..identities-1}, a seeded choice (the same in every harness and run).
   */
  static Set<Integer> followedIndexes(int identities, int count) {
    SplittableRandom random = new SplittableRandom(7);
    Set<Integer> out = new LinkedHashSet<>();
    while (out.size() < Math.min(count, identities)) {
      out.add(random.nextInt(identities));
    }
    return out;
  }

  /** "JDK v, n cpus, load a b c": the machine a figure was measured on. */
  static String machine() {
    return String.format(
        Locale.ROOT,
        "JDK %s, %d cpus, %s",
        System.getProperty("java.version"),
        Runtime.getRuntime().availableProcessors(),
        loadAverage());
  }

  /**
   * A node on 127.0.0.1 (the defaults otherwise, no mDNS), as {@code grapevine run} assembles one.
   */
  static Node start(Path dataDir, TestAuthors.Person who, EventLoopGroup group) throws IOException {
    try {
      return NodeLauncher.of(
              NodeConfig.loopback(),
              dataDir,
              new DataDir.Keys(
                  who.identity,
                  who.root,
                  who.deviceKey("node"),
                  PrivKey.generate(new SecureRandom())),
              group)
          .host(h -> h.inboundRate(1000, 1000))
          .start();
    } catch (ConfigException e) {
      throw new IllegalStateException(
          "the loopback config has no swarm key or bootstrap to get wrong", e);
    }
  }

  static Multiaddr addr(Node n) {
    return n.host().listenAddrs().get(0).withPeerId(n.host().peerId());
  }

  static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (var walk = Files.walk(dir)) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  /**
   * CPU time of this process so far, in seconds (every thread: both nodes, the harness, GC, JIT).
   */
  static double processCpuSeconds() {
    return ((com.sun.management.OperatingSystemMXBean)
                java.lang.management.ManagementFactory.getOperatingSystemMXBean())
            .getProcessCpuTime()
        / 1e9;
  }

  /**
   * CPU seconds per live thread group (thread name without digits), for a breakdown between two
   * snapshots.
   */
  static java.util.Map<String, Double> threadCpuSeconds() {
    java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
    java.util.Map<String, Double> out = new java.util.TreeMap<>();
    for (java.lang.management.ThreadInfo info : mx.getThreadInfo(mx.getAllThreadIds())) {
      if (info != null) {
        long ns = mx.getThreadCpuTime(info.getThreadId());
        if (ns > 0) {
          out.merge(info.getThreadName().replaceAll("[0-9]+", "#"), ns / 1e9, Double::sum);
        }
      }
    }
    return out;
  }

  /** The groups that used at least 0.1 s between two snapshots, largest first. */
  static String cpuBreakdown(
      java.util.Map<String, Double> before, java.util.Map<String, Double> after) {
    StringBuilder b = new StringBuilder();
    after.entrySet().stream()
        .map(
            e ->
                java.util.Map.entry(
                    e.getKey(), e.getValue() - before.getOrDefault(e.getKey(), 0.0)))
        .filter(e -> e.getValue() >= 0.1)
        .sorted(java.util.Map.Entry.<String, Double>comparingByValue().reversed())
        .forEach(
            e -> b.append(String.format(Locale.ROOT, "  %s %.1f s", e.getKey(), e.getValue())));
    return b.toString();
  }

  /**
   * The machine's load averages, to tell a disturbed run (other work on the cores) from a clean
   * one.
   */
  static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split(" ", -1);
      return "load " + f[0] + " " + f[1] + " " + f[2];
    } catch (IOException | RuntimeException e) {
      return "load unknown";
    }
  }

  /** Runs {@code seconds} three times: the first warms the JIT, the best of the next two counts. */
  @SuppressWarnings("ReturnValueIgnored") // The first run only warms the JIT: its time is not used.
  static double bestAfterWarmUp(java.util.function.DoubleSupplier seconds) {
    seconds.getAsDouble();
    return Math.min(seconds.getAsDouble(), seconds.getAsDouble());
  }

  /** Latencies in nanoseconds, up to an hour, three significant digits. */
  static Histogram histogram() {
    return new Histogram(3_600_000_000_000L, 3);
  }

  /** p50 / p99 / max in milliseconds. */
  static String latencies(Histogram h) {
    return String.format(
        Locale.ROOT,
        "p50 %8.3f ms  p99 %8.3f ms  max %8.3f ms  (n=%d)",
        h.getValueAtPercentile(50) / 1e6,
        h.getValueAtPercentile(99) / 1e6,
        h.getMaxValue() / 1e6,
        h.getTotalCount());
  }
}
