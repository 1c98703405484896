package org.grapevine.benchmarks;

import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.grapevine.node.Node;
import org.grapevine.node.engine.Engine;
import org.grapevine.node.engine.IngestOutcome;
import org.grapevine.node.storage.RocksPostStore;
import org.grapevine.protocol.crypto.Ed25519;
import org.grapevine.protocol.entry.EntryCodec;
import org.grapevine.protocol.entry.LogEntry;
import org.grapevine.protocol.identity.AuthorKey;
import org.grapevine.protocol.testing.TestAuthors;
import org.grapevine.protocol.validation.ChainChecker;
import org.grapevine.protocol.validation.EntryValidator;
import org.grapevine.protocol.validation.Verification;

/**
 * Catch-up: a fresh node B syncs every entry of the identities it follows from one peer A, over
 * real nodes on 127.0.0.1 ({@code /grapevine/sync/1.0.0} over Noise and Yamux), against the time to
 * just verify the same envelopes (decode, stateless checks, signature) on one thread in the same
 * run.
 *
 * <p>Setup: {@code identities} identities, each a root log delegating one device and {@code
 * entriesEach - 1} posts of realistic size in the device log (deterministic keys and texts). A's
 * store is loaded through the engine (every entry verified and chain-checked) before A starts; both
 * stores follow the identities at store level ({@code PostStore.follow}) before the nodes start, as
 * a node restarted with its follows does: no follow entries, so B fetches exactly the generated
 * entries. The clock runs from B's dial until B holds every log up to its head. Each round uses a
 * new B; the first round also warms the JIT of the receiving path.
 *
 * <p>Usage: {@code java -cp benchmarks/target/benchmarks.jar
 * org.grapevine.benchmarks.CatchUpHarness [identities=200] [entriesEach=500] [rounds=2]}
 */
public final class CatchUpHarness {
  public static void main(String[] args) throws Exception {
    int identities = args.length > 0 ? Integer.parseInt(args[0]) : 200;
    int entriesEach = args.length > 1 ? Integer.parseInt(args[1]) : 500;
    int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 2;
    long t = System.nanoTime();
    List<NodeBench.Author> authors =
        NodeBench.authors("catchup", identities, entriesEach - 1, 60_000, 42);
    List<LogEntry> all = new ArrayList<>();
    authors.forEach(a -> all.addAll(a.entries()));
    List<byte[]> envelopes = new ArrayList<>(all.size());
    long bytes = 0;
    for (LogEntry e : all) {
      byte[] envelope = e.toEnvelopeBytes();
      envelopes.add(envelope);
      bytes += envelope.length;
    }
    System.out.printf(
        Locale.ROOT,
        "%d entries (%d identities x %d), mean envelope %d bytes, generated in %.1f s; JDK %s, %d cpus, %s%n",
        all.size(),
        identities,
        entriesEach,
        bytes / all.size(),
        (System.nanoTime() - t) / 1e9,
        System.getProperty("java.version"),
        Runtime.getRuntime().availableProcessors(),
        NodeBench.loadAverage());

    double verifySeconds = NodeBench.bestAfterWarmUp(() -> verifyAll(envelopes));
    double signatureSeconds = NodeBench.bestAfterWarmUp(() -> signaturesOnly(all));
    System.out.printf(
        Locale.ROOT,
        "baseline, decode + checks + signature, one thread: %7.2f s  (%,.0f /s)%n",
        verifySeconds,
        all.size() / verifySeconds);
    System.out.printf(
        Locale.ROOT,
        "baseline, Ed25519 verify alone, one thread:         %7.2f s  (%,.0f /s)%n",
        signatureSeconds,
        all.size() / signatureSeconds);

    Path dir = Files.createTempDirectory("grapevine-catchup");
    MultiThreadIoEventLoopGroup groupA =
        new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    MultiThreadIoEventLoopGroup groupB =
        new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    try {
      t = System.nanoTime();
      load(dir.resolve("a/store"), envelopes, authors);
      System.out.printf(
          Locale.ROOT,
          "A's store loaded through the engine in %.1f s%n",
          (System.nanoTime() - t) / 1e9);
      try (Node a =
          NodeBench.start(dir.resolve("a"), TestAuthors.person("catchup-node-a"), groupA)) {
        for (int round = 1; round <= rounds; round++) {
          Path bDir = dir.resolve("b" + round);
          follow(bDir.resolve("store"), authors);
          try (Node b = NodeBench.start(bDir, TestAuthors.person("catchup-node-b"), groupB)) {
            double cpu = NodeBench.processCpuSeconds();
            var threads = NodeBench.threadCpuSeconds();
            double seconds = catchUp(a, b, authors, all.size());
            cpu = NodeBench.processCpuSeconds() - cpu;
            String breakdown = NodeBench.cpuBreakdown(threads, NodeBench.threadCpuSeconds());
            System.out.printf(
                Locale.ROOT,
                "round %d: B holds all %d entries after %7.2f s  (%,.0f /s) = %.2fx decode+verify, %.2fx signature verify;"
                    + " CPU of both nodes %.1f s; %s%n",
                round,
                all.size(),
                seconds,
                all.size() / seconds,
                seconds / verifySeconds,
                seconds / signatureSeconds,
                cpu,
                NodeBench.loadAverage());
            System.out.println("  CPU by thread:" + breakdown);
          }
          NodeBench.deleteTree(bDir);
        }
      }
    } finally {
      groupA.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
      groupB.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
      NodeBench.deleteTree(dir);
    }
  }

  /** Seconds to decode and verify every envelope as the node does before any store access. */
  static double verifyAll(List<byte[]> envelopes) {
    EntryValidator validator = new EntryValidator();
    long start = System.nanoTime();
    for (byte[] e : envelopes) {
      if (!(validator.validate(e) instanceof Verification.Valid)) {
        throw new AssertionError("invalid entry in the generated stream");
      }
    }
    return (System.nanoTime() - start) / 1e9;
  }

  /** Seconds for the Ed25519 verifications alone, on pre-decoded entries. */
  static double signaturesOnly(List<LogEntry> entries) {
    Ed25519 ed = Ed25519.fastest();
    long start = System.nanoTime();
    for (LogEntry e : entries) {
      byte[] m = EntryCodec.signingMessage(e.signed().entryBytes());
      if (!ed.verify(e.header().author().unsafeBytes(), m, 0, m.length, e.signed().signature())) {
        throw new AssertionError("bad signature in the generated stream");
      }
    }
    return (System.nanoTime() - start) / 1e9;
  }

  private static void load(Path storeDir, List<byte[]> envelopes, List<NodeBench.Author> authors) {
    try (RocksPostStore store = RocksPostStore.open(storeDir)) {
      Engine engine = new Engine(store, new EntryValidator(), new ChainChecker(), 256, 16_384);
      long now = System.currentTimeMillis();
      for (byte[] e : envelopes) {
        if (!(engine.ingest(e, now) instanceof IngestOutcome.Stored)) {
          throw new AssertionError("not stored");
        }
      }
      authors.forEach(a -> store.follow(a.person().identity));
    }
  }

  private static void follow(Path storeDir, List<NodeBench.Author> authors) {
    try (RocksPostStore store = RocksPostStore.open(storeDir)) {
      authors.forEach(a -> store.follow(a.person().identity));
    }
  }

  /**
   * Dials A from B and waits until B holds every log to its head. Logs are checked in a fixed order
   * from the first incomplete one on, so a poll costs one or two point reads on B's store.
   */
  private static double catchUp(Node a, Node b, List<NodeBench.Author> authors, int total)
      throws Exception {
    List<AuthorKey> logs = new ArrayList<>();
    List<Long> heads = new ArrayList<>();
    for (NodeBench.Author au : authors) {
      logs.add(au.person().identity.root());
      heads.add(1L);
      logs.add(au.device().publicKey());
      heads.add((long) au.entries().size() - 1);
    }
    long start = System.nanoTime();
    b.connect(NodeBench.addr(a)).get(30, TimeUnit.SECONDS);
    long deadline = start + TimeUnit.MINUTES.toNanos(10);
    int complete = 0;
    while (complete < logs.size()) {
      if (b.store().contiguousHead(logs.get(complete)) >= heads.get(complete)) {
        complete++;
        continue;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "B holds " + complete + " of " + logs.size() + " logs after 10 minutes");
      }
      Thread.sleep(2);
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    long held = 0;
    for (AuthorKey log : logs) {
      held += b.store().contiguousHead(log);
    }
    if (held != total) {
      throw new IllegalStateException("B holds " + held + " entries, expected " + total);
    }
    return seconds;
  }
}
