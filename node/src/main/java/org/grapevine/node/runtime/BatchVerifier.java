package org.grapevine.node.runtime;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.grapevine.protocol.addressed.AddressedValidator;
import org.grapevine.protocol.validation.EntryValidator;
import org.grapevine.protocol.validation.Verification;

/**
 * Stateless verification (decode, checks, signature) of received sync batches and gossip messages
 * on a small pool of its own, so that a catch-up or a gossip burst uses every core for the
 * signatures while the storage thread chain-checks and stores what came before. Measured by {@code
 * CatchUpHarness}: on the storage thread alone, verification was 95% of the thread's time and the
 * sync ran at the single-core verify rate.
 *
 * <p>A batch is split in chunks of {@link #CHUNK_ENTRIES} verified in parallel; the result keeps
 * the batch's order. How many batches are in flight is bounded by the sync credit window, not here.
 * Thread-safe; {@link #close} stops the threads.
 */
final class BatchVerifier implements AutoCloseable {
  static final int CHUNK_ENTRIES = 32;

  private final EntryValidator validator;
  private final AddressedValidator addressedValidator;
  private final ExecutorService pool;

  BatchVerifier(EntryValidator validator, int threads) {
    if (threads < 1) {
      throw new IllegalArgumentException("threads " + threads);
    }
    this.validator = validator;
    this.addressedValidator = new AddressedValidator(validator);
    AtomicInteger n = new AtomicInteger();
    this.pool =
        Executors.newFixedThreadPool(
            threads,
            r -> {
              Thread t = new Thread(r, "grapevine-verify-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
  }

  /**
   * One verification per envelope, in the order given. Completes exceptionally (with {@link
   * RejectedExecutionException}) only when called after {@link #close}.
   */
  CompletableFuture<List<Verification>> verify(List<byte[]> envelopes) {
    List<CompletableFuture<Verification[]>> chunks = new ArrayList<>();
    try {
      for (int from = 0; from < envelopes.size(); from += CHUNK_ENTRIES) {
        List<byte[]> chunk =
            envelopes.subList(from, Math.min(envelopes.size(), from + CHUNK_ENTRIES));
        chunks.add(
            CompletableFuture.supplyAsync(
                () -> {
                  Verification[] out = new Verification[chunk.size()];
                  for (int i = 0; i < out.length; i++) {
                    out[i] = validator.validate(chunk.get(i));
                  }
                  return out;
                },
                pool));
      }
    } catch (RejectedExecutionException e) {
      return CompletableFuture.failedFuture(e);
    }
    return CompletableFuture.allOf(chunks.toArray(CompletableFuture[]::new))
        .thenApply(
            done -> {
              List<Verification> out = new ArrayList<>(envelopes.size());
              for (CompletableFuture<Verification[]> c : chunks) {
                out.addAll(List.of(c.join()));
              }
              return out;
            });
  }

  /**
   * The verification of one gossip message: an envelope, or with {@code addressed} an {@code
   * Addressed} message ({@link AddressedValidator}). Completes exceptionally (with {@link
   * RejectedExecutionException}) only when called after {@link #close}.
   */
  CompletableFuture<Verification> verify(byte[] message, boolean addressed) {
    try {
      return CompletableFuture.supplyAsync(
          () -> addressed ? addressedValidator.validate(message) : validator.validate(message),
          pool);
    } catch (RejectedExecutionException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /** Lets queued chunks finish (at most a credit window of batches), then stops the threads. */
  @Override
  public void close() {
    pool.shutdown();
    try {
      pool.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
