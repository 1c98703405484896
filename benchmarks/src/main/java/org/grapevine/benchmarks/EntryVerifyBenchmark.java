package org.grapevine.benchmarks;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.grapevine.protocol.crypto.Ed25519;
import org.grapevine.protocol.crypto.SigningKey;
import org.grapevine.protocol.entry.EntryCodec;
import org.grapevine.protocol.entry.LogEntry;
import org.grapevine.protocol.log.LogWriter;
import org.grapevine.protocol.testing.TestAuthors;
import org.grapevine.protocol.validation.ChainChecker;
import org.grapevine.protocol.validation.ChainOutcome;
import org.grapevine.protocol.validation.EntryValidator;
import org.grapevine.protocol.validation.MemoryLogView;
import org.grapevine.protocol.validation.Verification;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Entries verified per second, whole pipeline (decode envelope, canonical check, hash, content hash
 * and rules, signature, chain check, append to an in-memory log), against the raw signature-verify
 * rate of the same library on the same entries, in the same run.
 *
 * <p>Report: {@code entryPipeline / rawVerify} and {@code entryPipeline / rawLibraryVerify}; the
 * target is at least 0.90 (our overhead beyond the raw verify at most 10%).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 6, time = 2)
@Measurement(iterations = 10, time = 2)
@Fork(1)
public class EntryVerifyBenchmark {
  /**
   * More than one 2-second iteration consumes at ~13k/s, so the chain restarts only between
   * iterations.
   */
  private static final int CHAIN_LENGTH = 60_000;

  private final EntryValidator validator = new EntryValidator();
  private final ChainChecker checker = new ChainChecker();
  private final Ed25519 ed25519 = Ed25519.fastest();
  private final MemoryLogView view = new MemoryLogView();
  private LogEntry delegation;
  private byte[][] envelopes;
  private byte[][] messages;
  private byte[][] signatures;
  private byte[] publicKey;
  private int next;
  private long now;

  @Setup(Level.Trial)
  public void writeChain() {
    TestAuthors.Person alice = TestAuthors.person("alice");
    SigningKey laptop = alice.deviceKey("laptop");
    publicKey = laptop.publicKey().toBytes();
    delegation = alice.delegate(laptop, TestAuthors.T0_MILLIS);
    LogWriter log = alice.deviceLog(laptop);
    List<LogEntry> chain = new ArrayList<>(CHAIN_LENGTH);
    for (int i = 0; i < CHAIN_LENGTH; i++) {
      chain.add(
          log.append(
              TestAuthors.post("post number " + i + ", of a typical length for a short note"),
              TestAuthors.T0_MILLIS + i));
    }
    envelopes = new byte[CHAIN_LENGTH][];
    messages = new byte[CHAIN_LENGTH][];
    signatures = new byte[CHAIN_LENGTH][];
    for (int i = 0; i < CHAIN_LENGTH; i++) {
      envelopes[i] = chain.get(i).toEnvelopeBytes();
      messages[i] = EntryCodec.signingMessage(chain.get(i).signed().entryBytes());
      signatures[i] = chain.get(i).signed().signature();
    }
    now = TestAuthors.T0_MILLIS + CHAIN_LENGTH;
  }

  /** Every iteration starts from an empty log, so no restart falls inside a measurement. */
  @Setup(Level.Iteration)
  public void restart() {
    view.clear();
    view.append(delegation);
    next = 0;
  }

  /**
   * Baseline: the verify the pipeline uses (our interface, with its key cache) of the exact signed
   * message, nothing else.
   */
  @Benchmark
  public boolean rawVerify() {
    int i = next;
    next = i + 1 == CHAIN_LENGTH ? 0 : i + 1;
    if (!ed25519.verify(publicKey, messages[i], 0, messages[i].length, signatures[i])) {
      throw new IllegalStateException("entry " + i + " did not verify");
    }
    return true;
  }

  /** Baseline without our key cache: BouncyCastle's own byte[] API, as the library ships it. */
  @Benchmark
  public boolean rawLibraryVerify() {
    int i = next;
    next = i + 1 == CHAIN_LENGTH ? 0 : i + 1;
    if (!org.bouncycastle.math.ec.rfc8032.Ed25519.verify(
        signatures[i], 0, publicKey, 0, messages[i], 0, messages[i].length)) {
      throw new IllegalStateException("entry " + i + " did not verify");
    }
    return true;
  }

  /** The node's per-entry work: bytes in, entry appended to the log. */
  @Benchmark
  public LogEntry entryPipeline() {
    if (next == CHAIN_LENGTH) {
      restart();
    }
    Verification v = validator.validate(envelopes[next]);
    if (!(v instanceof Verification.Valid valid)) {
      throw new IllegalStateException("entry " + next + " rejected: " + v);
    }
    ChainOutcome outcome = checker.check(valid.entry(), view, now);
    if (!(outcome instanceof ChainOutcome.Append)) {
      throw new IllegalStateException("entry " + next + " did not append: " + outcome);
    }
    view.append(valid.entry());
    next++;
    return valid.entry();
  }
}
