package org.grapevine.benchmarks;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.grapevine.node.engine.Engine;
import org.grapevine.node.engine.IngestOutcome;
import org.grapevine.node.engine.IngestSource;
import org.grapevine.node.storage.RocksPostStore;
import org.grapevine.node.storage.StoreConfig;
import org.grapevine.protocol.entry.EntryHeader;
import org.grapevine.protocol.entry.LogEntry;
import org.grapevine.protocol.identity.Identity;
import org.grapevine.protocol.testing.TestAuthors;
import org.grapevine.protocol.validation.ChainChecker;
import org.grapevine.protocol.validation.EntryValidator;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * The store write per entry, on the thread that writes: what the storage thread spends on a
 * verified entry, against a raw RocksDB write of the same rows in the same run.
 *
 * <ul>
 *   <li>{@code raw}: RocksDB with default options, one column family, WAL on, no sync; per entry
 *       one {@link WriteBatch} with the five rows the store writes for a post (entry, head,
 *       content, by id, time), of the same key and value sizes. The floor: no reads, no checks.
 *   <li>{@code apply}: {@link RocksPostStore#apply} alone (the entries are known to be valid and in
 *       chain order), with the node's default store options.
 *   <li>{@code engine}: {@link Engine#ingest(LogEntry, IngestSource, long)} of the decoded,
 *       verified entry: mute check, chain check against the store, budget, apply. What ingestion
 *       adds to decoding and the signature check.
 *   <li>{@code raw-nowal}, {@code apply-node}, {@code engine-node}: the same without the WAL, and
 *       in a store opened as a node opens it (for an identity that is none of the authors, so every
 *       entry is written without the WAL).
 * </ul>
 *
 * <p>Entries: {@code identities} identities, each a delegation and posts of realistic size (mean
 * envelope about 380 bytes), interleaved one entry per identity in turn as they would arrive. Each
 * figure is CPU time of the writing thread (background flushes and compactions run on RocksDB's own
 * threads and are not in it), wall time, and CPU time of the whole process (with those flushes and
 * compactions, as far as they ran before the last write returned), per entry, in the last of {@code
 * rounds} rounds; each round writes into a new directory, the first rounds warm the JIT.
 *
 * <p>Usage: {@code java -cp benchmarks/target/benchmarks.jar
 * org.grapevine.benchmarks.StoreWriteHarness [entries=30000] [identities=50] [rounds=3]}; {@code
 * -Dstorewrite.modes=apply} runs some modes only (to profile one).
 */
public final class StoreWriteHarness {
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  /** The identity of the node whose store the {@code -node} modes write: none of the authors. */
  private static final Identity NODE = TestAuthors.person("storewrite-node").identity;

  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 30_000;
    int identities = args.length > 1 ? Integer.parseInt(args[1]) : 50;
    int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
    List<LogEntry> entries =
        interleaved(
            NodeBench.authors(
                "store", identities, (n + identities - 1) / identities - 1, 60_000, 7),
            n);
    long bytes = 0;
    for (LogEntry e : entries) {
      bytes += e.envelopeSize();
    }
    System.out.printf(
        Locale.ROOT,
        "%d entries from %d identities, mean envelope %d bytes; JDK %s, %s%n",
        entries.size(),
        identities,
        bytes / entries.size(),
        System.getProperty("java.version"),
        NodeBench.loadAverage());
    String[] modes =
        java.util.regex.Pattern.compile(",")
            .splitAsStream(
                System.getProperty(
                    "storewrite.modes", "raw,apply,engine,raw-nowal,apply-node,engine-node"))
            .filter(m -> !m.isEmpty())
            .toArray(String[]::new);
    double[][] figures = new double[modes.length][];
    for (int round = 1; round <= rounds; round++) {
      for (int m = 0; m < modes.length; m++) {
        figures[m] = run(modes[m], entries);
      }
    }
    double raw = modes[0].equals("raw") ? figures[0][0] : Double.NaN;
    System.out.printf(
        Locale.ROOT,
        "last of %d rounds, per entry (CPU of the writing thread, wall, CPU of the process):%n",
        rounds);
    for (int m = 0; m < modes.length; m++) {
      System.out.printf(
          Locale.ROOT,
          "  %-11s %6.1f us CPU  %6.1f us wall  %6.1f us process CPU%s%n",
          modes[m],
          figures[m][0],
          figures[m][1],
          figures[m][2],
          // Without the raw mode (storewrite.modes left it out) there is no baseline to divide by.
          Double.isNaN(raw)
              ? ""
              : String.format(Locale.ROOT, "  = %.2fx raw CPU", figures[m][0] / raw));
    }
    System.out.println("  " + NodeBench.loadAverage());
  }

  /**
   * Round-robin over the authors' logs, so that consecutive entries are of different authors, as on
   * the wire.
   */
  static List<LogEntry> interleaved(List<NodeBench.Author> authors, int n) {
    List<LogEntry> out = new ArrayList<>(n);
    for (int i = 0; out.size() < n; i++) {
      for (NodeBench.Author a : authors) {
        if (i < a.entries().size() && out.size() < n) {
          out.add(a.entries().get(i));
        }
      }
    }
    return out;
  }

  /** CPU and wall microseconds per entry of one mode, in a new directory. */
  static double[] run(String mode, List<LogEntry> entries) throws Exception {
    Path dir = Files.createTempDirectory("grapevine-storewrite");
    try {
      return switch (mode) {
        case "raw" -> raw(dir, entries, false);
        case "apply" -> apply(dir, entries, null);
        case "engine" -> engine(dir, entries, null);
        case "raw-nowal" -> raw(dir, entries, true);
        case "apply-node" -> apply(dir, entries, NODE);
        case "engine-node" -> engine(dir, entries, NODE);
        default -> throw new IllegalArgumentException(mode);
      };
    } finally {
      NodeBench.deleteTree(dir);
    }
  }

  /** Opening and closing the store are not timed: a node opens it once. */
  private static final class Clock {
    private final long cpu = THREADS.getCurrentThreadCpuTime();
    private final long wall = System.nanoTime();
    private final double process = NodeBench.processCpuSeconds();

    double[] perEntry(int n) {
      return new double[] {
        (THREADS.getCurrentThreadCpuTime() - cpu) / 1e3 / n,
        (System.nanoTime() - wall) / 1e3 / n,
        (NodeBench.processCpuSeconds() - process) * 1e6 / n
      };
    }
  }

  private static double[] raw(Path dir, List<LogEntry> entries, boolean noWal) throws Exception {
    try (Options options = new Options().setCreateIfMissing(true);
        RocksDB db = RocksDB.open(options, dir.toString());
        WriteOptions write = new WriteOptions().setDisableWAL(noWal)) {
      Clock clock = new Clock();
      for (LogEntry e : entries) {
        try (WriteBatch b = new WriteBatch()) {
          rawRows(b, e);
          db.write(write, b);
        }
      }
      return clock.perEntry(entries.size());
    }
  }

  /**
   * The rows the store writes for a post, with the same key and value sizes (see
   * node.storage.Keys).
   */
  private static void rawRows(WriteBatch b, LogEntry e) throws Exception {
    EntryHeader h = e.header();
    byte[] author = h.author().unsafeBytes();
    byte[] id = e.id().unsafeBytes();
    byte[] envelope = e.signed().toEnvelopeBytes();
    byte[] location = ByteBuffer.allocate(40).put(author).putLong(h.seq()).array();
    b.put(
        ByteBuffer.allocate(41).put((byte) 1).put(author).putLong(h.seq()).array(),
        ByteBuffer.allocate(32 + envelope.length).put(id).put(envelope).array());
    b.put(
        ByteBuffer.allocate(33).put((byte) 86).put(author).array(),
        ByteBuffer.allocate(40).putLong(h.seq()).put(id).array());
    b.put(
        ByteBuffer.allocate(65).put((byte) 2).put(h.contentHash().unsafeBytes()).put(id).array(),
        e.contentBytes().orElseThrow());
    b.put(ByteBuffer.allocate(33).put((byte) 88).put(id).array(), location);
    b.put(
        ByteBuffer.allocate(73)
            .put((byte) 89)
            .put(h.identity().root().unsafeBytes())
            .putLong(h.timestampMillis())
            .put(id)
            .array(),
        location);
  }

  private static double[] apply(Path dir, List<LogEntry> entries, Identity own) {
    try (RocksPostStore store =
        RocksPostStore.open(dir.resolve("store"), StoreConfig.DEFAULT, own)) {
      Clock clock = new Clock();
      for (LogEntry e : entries) {
        store.apply(e, false);
      }
      return clock.perEntry(entries.size());
    }
  }

  private static double[] engine(Path dir, List<LogEntry> entries, Identity own) {
    try (RocksPostStore store =
        RocksPostStore.open(dir.resolve("store"), StoreConfig.DEFAULT, own)) {
      Engine engine = new Engine(store, new EntryValidator(), new ChainChecker(), 256, 16_384);
      long now = TestAuthors.T0_MILLIS + 400L * 24 * 3600 * 1000;
      Clock clock = new Clock();
      for (LogEntry e : entries) {
        if (!(engine.ingest(e, IngestSource.SYNC, now) instanceof IngestOutcome.Stored)) {
          throw new AssertionError("not stored: " + e);
        }
      }
      return clock.perEntry(entries.size());
    }
  }
}
