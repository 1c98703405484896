package org.grapevine.benchmarks;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import org.HdrHistogram.Histogram;
import org.grapevine.node.storage.RocksPostStore;
import org.grapevine.node.storage.StoreConfig;
import org.grapevine.node.storage.TimelineCursor;
import org.grapevine.protocol.entry.LogEntry;
import org.grapevine.protocol.identity.Identity;
import org.grapevine.protocol.testing.TestAuthors;
import org.rocksdb.AbstractNativeReference;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.DBOptions;
import org.rocksdb.LRUCache;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksIterator;

/**
 * Timeline query latency over a store of a million posts: {@code timeline(identities, cursor, 50)}
 * for the first page and for deep pages (random cursors), for a realistic follow set and for every
 * identity, against a raw RocksDB iterator (seek, then 50 steps reading key and value) over the
 * same column family of the same store in the same run.
 *
 * <p>The store: {@code identities} identities with {@code postsEach} posts each (plus one
 * delegation), realistic texts, a post every 15 hours on average per identity (exponential gaps),
 * so logs interleave over about ten months. It is bulk-loaded by {@link NodeBench#loadPosts} (WAL
 * on, no sync), with the node's default {@link StoreConfig}, then closed and reopened as a
 * restarted node would.
 *
 * <p>Usage: {@code java -cp benchmarks/target/benchmarks.jar
 * org.grapevine.benchmarks.TimelineHarness [identities=2000] [postsEach=500] [followed=200]
 * [queries=2000]}
 */
public final class TimelineHarness {
  private static final int PAGE = 50;

  public static void main(String[] args) throws Exception {
    int identities = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
    int postsEach = args.length > 1 ? Integer.parseInt(args[1]) : 500;
    int followedCount = args.length > 2 ? Integer.parseInt(args[2]) : 200;
    int queries = args.length > 3 ? Integer.parseInt(args[3]) : 2000;
    System.out.printf(
        Locale.ROOT, "%d identities x %d posts; %s%n", identities, postsEach, NodeBench.machine());
    Set<Integer> followedIndexes = NodeBench.followedIndexes(identities, followedCount);
    Set<Identity> all = new LinkedHashSet<>();
    Set<Identity> followed = new LinkedHashSet<>();
    List<TimelineCursor> followedPositions = new ArrayList<>();
    List<TimelineCursor> allPositions = new ArrayList<>();
    long newest = 0;
    // -Dtimeline.dir=PATH keeps the built store (and the cursors) there and reuses it in later
    // runs.
    String keep = System.getProperty("timeline.dir");
    Path dir = keep != null ? Path.of(keep) : Files.createTempDirectory("grapevine-timeline");
    Path storeDir = dir.resolve("store");
    Path cursorsFile = dir.resolve("cursors.bin");
    // -Dtimeline.cacheMiB=N queries with an N MiB block cache instead of the node's default.
    StoreConfig queryConfig =
        Integer.getInteger("timeline.cacheMiB") == null
            ? StoreConfig.DEFAULT
            : new StoreConfig(
                Integer.getInteger("timeline.cacheMiB") * (1L << 20),
                StoreConfig.DEFAULT.writeBufferBytes(),
                StoreConfig.DEFAULT.maxPeers());
    try {
      long t = System.nanoTime();
      if (Files.exists(cursorsFile)) {
        newest = Cursors.read(cursorsFile, followedPositions, allPositions);
        for (int i = 0; i < identities; i++) {
          Identity id = TestAuthors.person("timeline-" + i).identity;
          all.add(id);
          if (followedIndexes.contains(i)) {
            followed.add(id);
          }
        }
        System.out.println("reusing the store in " + storeDir);
      } else
        try (RocksPostStore store = RocksPostStore.open(storeDir, StoreConfig.DEFAULT)) {
          newest =
              NodeBench.loadPosts(
                  store,
                  "timeline",
                  identities,
                  postsEach,
                  (i, e) -> {
                    boolean isFollowed = followedIndexes.contains(i);
                    if (e.header().inRootLog()) { // The delegation: once per identity.
                      all.add(e.header().identity());
                      if (isFollowed) {
                        followed.add(e.header().identity());
                      }
                    } else {
                      TimelineCursor at = new TimelineCursor(e.header().timestampMillis(), e.id());
                      if (isFollowed) {
                        followedPositions.add(at);
                      }
                      if (e.header().seq() % 10 == 0) {
                        allPositions.add(at);
                      }
                    }
                  });
        }
      if (!Files.exists(cursorsFile)) {
        System.out.printf(
            Locale.ROOT,
            "built: %,d entries generated, signed and applied in %.0f s%n",
            (long) identities * (postsEach + 1),
            (System.nanoTime() - t) / 1e9);
        if (keep != null) {
          Cursors.write(cursorsFile, newest, followedPositions, allPositions);
        }
      }
      System.out.printf(
          Locale.ROOT,
          "store on disk %,d MB; queries with a block cache of %,d KiB%n",
          sizeOf(storeDir) >> 20,
          queryConfig.blockCacheBytes() >> 10);

      try (RocksPostStore store = RocksPostStore.open(storeDir, queryConfig);
          RawIndex raw = afterSettling(storeDir, queryConfig)) {
        System.out.println("SST files per level (indexes, entries, content): " + raw.files());
        long end = newest;
        TimelineCursor firstPage = TimelineCursor.before(end + 1);
        List<Identity> followedList = new ArrayList<>(followed);
        record Kind(String name, Supplier<Long> query) {}
        SplittableRandom r = new SplittableRandom(13);
        List<Kind> kinds =
            List.of(
                new Kind(
                    "raw iterator: seek + 50 steps, one identity's TIME rows",
                    () ->
                        raw.page(
                            followedList.get(r.nextInt(followedList.size())),
                            TestAuthors.T0_MILLIS + r.nextLong(end - TestAuthors.T0_MILLIS))),
                new Kind(
                    followed.size() + " followed, first page",
                    () -> time(() -> store.timeline(followed, firstPage, PAGE))),
                new Kind(
                    followed.size() + " followed, deep page (random cursor)",
                    () ->
                        time(
                            () ->
                                store.timeline(
                                    followed,
                                    followedPositions.get(r.nextInt(followedPositions.size())),
                                    PAGE))),
                new Kind(
                    "all " + all.size() + ", first page",
                    () -> time(() -> store.timeline(all, firstPage, PAGE))),
                new Kind(
                    "all " + all.size() + ", deep page (random cursor)",
                    () ->
                        time(
                            () ->
                                store.timeline(
                                    all, allPositions.get(r.nextInt(allPositions.size())), PAGE))));
        Histogram baseline = null;
        for (Kind k : kinds) {
          int n = k.name().startsWith("all") ? Math.max(100, queries / 4) : queries;
          for (int i = 0; i < Math.max(100, n / 5); i++) {
            var unused = k.query().get(); // warm-up: JIT and block cache; the time is not kept
          }
          Histogram h = NodeBench.histogram();
          java.lang.management.ThreadMXBean threads =
              java.lang.management.ManagementFactory.getThreadMXBean();
          long cpu0 = threads.getCurrentThreadCpuTime();
          for (int i = 0; i < n; i++) {
            h.recordValue(k.query().get());
          }
          // Thread CPU per query: on the shared 2-vCPU machine it follows the wall time (the query
          // does not wait), so a slow run is slow work, not waiting for a core.
          double cpuMs = (threads.getCurrentThreadCpuTime() - cpu0) / 1e6 / n;
          if (baseline == null) {
            baseline = h;
            System.out.printf(Locale.ROOT, "%-58s %s%n", k.name(), NodeBench.latencies(h));
          } else {
            System.out.printf(
                Locale.ROOT,
                "%-58s %s  = p50 %.0fx, p99 %.0fx baseline%n",
                k.name(),
                NodeBench.latencies(h),
                (double) h.getValueAtPercentile(50) / baseline.getValueAtPercentile(50),
                (double) h.getValueAtPercentile(99) / baseline.getValueAtPercentile(99));
          }
          // The layout moves while the store compacts after its reopen: printed after each kind.
          try (RawIndex now = RawIndex.open(storeDir, queryConfig)) {
            System.out.printf(
                Locale.ROOT, "    thread CPU %.3f ms/query (mean); %s%n", cpuMs, now.files());
          }
        }
        System.out.println(NodeBench.loadAverage());
      }
    } finally {
      if (keep == null) {
        NodeBench.deleteTree(dir);
      }
    }
  }

  /** The query cursors of a kept store: newest timestamp, then two lists of (timestamp, id). */
  private static final class Cursors {
    static void write(
        Path file, long newest, List<TimelineCursor> followed, List<TimelineCursor> all)
        throws java.io.IOException {
      try (var out =
          new java.io.DataOutputStream(
              new java.io.BufferedOutputStream(Files.newOutputStream(file)))) {
        out.writeLong(newest);
        for (List<TimelineCursor> list : List.of(followed, all)) {
          out.writeInt(list.size());
          for (TimelineCursor c : list) {
            out.writeLong(c.timestampMillis());
            out.write(c.id().unsafeBytes());
          }
        }
      }
    }

    static long read(Path file, List<TimelineCursor> followed, List<TimelineCursor> all)
        throws java.io.IOException {
      try (var in =
          new java.io.DataInputStream(
              new java.io.BufferedInputStream(Files.newInputStream(file)))) {
        long newest = in.readLong();
        for (List<TimelineCursor> list : List.of(followed, all)) {
          int n = in.readInt();
          for (int i = 0; i < n; i++) {
            long ts = in.readLong();
            byte[] id = new byte[32];
            in.readFully(id);
            list.add(new TimelineCursor(ts, org.grapevine.protocol.entry.EntryId.of(id)));
          }
        }
        return newest;
      }
    }
  }

  /**
   * The baseline's read-only view of the store, opened after {@code -Dtimeline.settleSeconds=N}
   * seconds (default 0) if set: the reopened store compacts what the build left in L0 meanwhile, so
   * the queries are measured after that compaction instead of during it.
   */
  private static RawIndex afterSettling(Path storeDir, StoreConfig config) throws Exception {
    long s = Long.getLong("timeline.settleSeconds", 0);
    if (s > 0) {
      try (RawIndex before = RawIndex.open(storeDir, config)) {
        System.out.println("before settling: " + before.files());
      }
      Thread.sleep(s * 1000);
    }
    return RawIndex.open(storeDir, config);
  }

  /** Nanoseconds of one query; checks it answered a page. */
  private static long time(Supplier<List<LogEntry>> query) {
    long start = System.nanoTime();
    List<LogEntry> page = query.get();
    long ns = System.nanoTime() - start;
    if (page.isEmpty()) {
      throw new AssertionError("empty page");
    }
    return ns;
  }

  private static long sizeOf(Path dir) throws java.io.IOException {
    try (var walk = Files.walk(dir)) {
      return walk.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
    }
  }

  /**
   * The same store opened read-only through plain RocksDB, with the node's cache size, for the
   * baseline: what one iterator over the indexes family costs without any of the query's work.
   */
  private record RawIndex(
      RocksDB db, List<ColumnFamilyHandle> handles, List<AbstractNativeReference> options)
      implements AutoCloseable {
    /**
     * The column families in the store's open order (ColumnFamilies.NAMES); "indexes" is the sixth.
     */
    private static final List<String> FAMILIES =
        List.of("default", "entries", "content", "heads", "devices", "indexes", "local", "meta");

    /** KeyPrefix.TIME. */
    private static final byte TIME = 89;

    static RawIndex open(Path storeDir, StoreConfig config) throws Exception {
      LRUCache cache = new LRUCache(config.blockCacheBytes());
      BloomFilter bloom = new BloomFilter(10);
      ColumnFamilyOptions cf =
          new ColumnFamilyOptions()
              .setTableFormatConfig(
                  new BlockBasedTableConfig()
                      .setBlockCache(cache)
                      .setFilterPolicy(bloom)
                      .setCacheIndexAndFilterBlocks(true));
      DBOptions db = new DBOptions();
      List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
      for (String name : FAMILIES) {
        descriptors.add(
            new ColumnFamilyDescriptor(name.getBytes(java.nio.charset.StandardCharsets.UTF_8), cf));
      }
      List<ColumnFamilyHandle> handles = new ArrayList<>();
      RocksDB rocks = RocksDB.openReadOnly(db, storeDir.toString(), descriptors, handles);
      return new RawIndex(rocks, handles, List.of(db, cf, bloom, cache));
    }

    /**
     * Nanoseconds for a new iterator, seekForPrev to the identity's newest row before {@code
     * beforeMillis}, 50 prevs.
     */
    long page(Identity identity, long beforeMillis) {
      byte[] start =
          ByteBuffer.allocate(1 + 32 + 8 + 32)
              .put(TIME)
              .put(identity.root().unsafeBytes())
              .putLong(beforeMillis)
              .put(filled((byte) 0xff))
              .array();
      long t = System.nanoTime();
      int n = 0;
      try (RocksIterator it = db.newIterator(handles.get(5))) {
        for (it.seekForPrev(start); it.isValid() && n < PAGE; it.prev()) {
          byte[] key = it.key();
          if (key[0] != TIME || !Arrays.equals(key, 1, 33, start, 1, 33)) {
            break;
          }
          it.value();
          n++;
        }
      }
      return System.nanoTime() - t;
    }

    /** "L0:n L1:n ..." for the indexes, entries and content families. */
    String files() throws org.rocksdb.RocksDBException {
      StringBuilder b = new StringBuilder();
      for (int family : new int[] {5, 1, 2}) {
        b.append(FAMILIES.get(family)).append('[');
        for (int level = 0; level < 7; level++) {
          String n = db.getProperty(handles.get(family), "rocksdb.num-files-at-level" + level);
          if (!"0".equals(n)) {
            b.append(" L").append(level).append(':').append(n);
          }
        }
        b.append(" ] ");
      }
      return b.toString();
    }

    private static byte[] filled(byte b) {
      byte[] out = new byte[32];
      Arrays.fill(out, b);
      return out;
    }

    @Override
    public void close() {
      handles.forEach(ColumnFamilyHandle::close);
      db.close();
      for (AbstractNativeReference c : options) {
        c.close();
      }
    }
  }
}
