package org.grapevine.benchmarks;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.grapevine.node.engine.Engine;
import org.grapevine.node.engine.IngestOutcome;
import org.grapevine.node.storage.RocksPostStore;
import org.grapevine.node.storage.StoreConfig;
import org.grapevine.protocol.crypto.Ed25519;
import org.grapevine.protocol.crypto.SigningKey;
import org.grapevine.protocol.entry.EntryCodec;
import org.grapevine.protocol.entry.LogEntry;
import org.grapevine.protocol.identity.Identity;
import org.grapevine.protocol.log.LogWriter;
import org.grapevine.protocol.testing.TestAuthors;
import org.grapevine.protocol.validation.ChainChecker;
import org.grapevine.protocol.validation.EntryValidator;

/**
 * Node ingestion: verified and stored entries per second (decode, checks, signature, chain check
 * against RocksDB, one WriteBatch with every index) from a pre-generated stream of posts by 50
 * identities, against the raw Ed25519 verify rate of the same entries in the same run.
 *
 * <p>Usage: {@code java -cp benchmarks/target/benchmarks.jar
 * org.grapevine.benchmarks.IngestionHarness [entries]}
 */
public final class IngestionHarness {
  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 50_000;
    List<byte[]> envelopes = new ArrayList<>(n);
    List<LogEntry> entries = new ArrayList<>(n);
    int identities = 50;
    List<LogWriter> writers = new ArrayList<>();
    for (int i = 0; i < identities; i++) {
      TestAuthors.Person p = TestAuthors.person("bench-" + i);
      SigningKey device = p.deviceKey("d");
      LogEntry delegation = p.delegate(device, TestAuthors.T0_MILLIS);
      entries.add(delegation);
      writers.add(p.deviceLog(device));
    }
    for (int i = entries.size(); i < n; i++) {
      entries.add(
          writers
              .get(i % identities)
              .append(
                  TestAuthors.post("post " + i + " with a few words of text in it"),
                  TestAuthors.T0_MILLIS + i));
    }
    for (LogEntry e : entries) {
      envelopes.add(e.toEnvelopeBytes());
    }
    System.out.printf(
        Locale.ROOT,
        "%d entries from %d identities, JDK %s%n",
        n,
        identities,
        System.getProperty("java.version"));
    int rounds = Integer.getInteger("ingest.rounds", 5);
    double[] ratios = new double[rounds];
    double[] loggedRatios = new double[rounds];
    // The node's store logs only its own identity's entries; this one is none of the authors.
    Identity own = TestAuthors.person("bench-own").identity;
    for (int round = -1; round < rounds; round++) { // Round -1 warms the JIT.
      double raw = rawVerify(entries);
      double stored = ingest(envelopes, own);
      double logged = ingest(envelopes, null);
      if (round >= 0) {
        ratios[round] = stored / raw;
        loggedRatios[round] = logged / raw;
        System.out.printf(
            Locale.ROOT,
            "round %d: raw verify %6.0f /s, verified and stored %6.0f /s = %.3f"
                + " (every write logged: %6.0f /s = %.3f)%n",
            round + 1,
            raw,
            stored,
            stored / raw,
            logged,
            logged / raw);
      }
    }
    System.out.printf(
        Locale.ROOT,
        "verified and stored, median of %d rounds: %s of raw verify%n",
        rounds,
        median(ratios));
    System.out.printf(
        Locale.ROOT,
        "the same, every write logged (as before 2026-12-02): %s%n",
        median(loggedRatios));
  }

  private static String median(double[] values) {
    double[] v = values.clone();
    java.util.Arrays.sort(v);
    return String.format(
        Locale.ROOT, "%.3f (min %.3f, max %.3f)", v[v.length / 2], v[0], v[v.length - 1]);
  }

  static double rawVerify(List<LogEntry> entries) {
    Ed25519 ed = Ed25519.fastest();
    long start = System.nanoTime();
    for (LogEntry e : entries) {
      byte[] m = EntryCodec.signingMessage(e.signed().entryBytes());
      if (!ed.verify(e.header().author().unsafeBytes(), m, 0, m.length, e.signed().signature())) {
        throw new AssertionError();
      }
    }
    return entries.size() / ((System.nanoTime() - start) / 1e9);
  }

  /** Ingests into a new store of a node whose identity is {@code own} (null: everything logged). */
  static double ingest(List<byte[]> envelopes, Identity own) throws Exception {
    Path dir = Files.createTempDirectory("grapevine-ingest");
    try (RocksPostStore store =
        RocksPostStore.open(dir.resolve("store"), StoreConfig.DEFAULT, own)) {
      Engine engine = new Engine(store, new EntryValidator(), new ChainChecker(), 256, 16_384);
      long now = TestAuthors.T0_MILLIS + envelopes.size() + 60_000;
      long start = System.nanoTime();
      for (byte[] e : envelopes) {
        if (!(engine.ingest(e, now) instanceof IngestOutcome.Stored)) {
          throw new AssertionError("not stored");
        }
      }
      return envelopes.size() / ((System.nanoTime() - start) / 1e9);
    } finally {
      try (var walk = Files.walk(dir)) {
        walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }
}
