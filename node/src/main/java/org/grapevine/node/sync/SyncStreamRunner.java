package org.grapevine.node.sync;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.grapevine.libp2p.MalformedFrameException;
import org.grapevine.libp2p.encoding.DelimitedReader;
import org.grapevine.libp2p.mux.MuxedStream;
import org.grapevine.libp2p.mux.StreamReader;
import org.grapevine.node.engine.Engine;
import org.grapevine.node.engine.IngestOutcome;
import org.grapevine.node.engine.IngestSource;
import org.grapevine.protocol.sync.SyncErrorCode;
import org.grapevine.protocol.sync.SyncEvent;
import org.grapevine.protocol.sync.SyncLimits;
import org.grapevine.protocol.sync.SyncSession;
import org.grapevine.protocol.sync.SyncStats;
import org.grapevine.protocol.validation.RejectReason;
import org.grapevine.protocol.validation.Verification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one {@link SyncSession} over one stream: the thin adapter. Frames (varint length, at most
 * {@link SyncLimits#MAX_MESSAGE_BYTES}) are split on the stream's event loop; the session, the
 * store it reads and the engine that ingests what arrives all live on the storage executor, so
 * credit is granted only after entries are stored (back-pressure end to end). Signatures of a
 * received batch are checked on the {@link BatchVerifier}'s threads meanwhile; batches are still
 * stored one after the other in the order they arrived.
 */
final class SyncStreamRunner implements StreamReader {
  private static final Logger log = LoggerFactory.getLogger(SyncStreamRunner.class);

  private final MuxedStream stream;
  private final SyncSession session;
  private final Engine engine;
  private final ScheduledExecutorService storage;
  private final LongSupplier wallClockMillis;
  private final BatchVerifier verifier;
  /** The last received batch's store step; the next batch is stored after it. */
  private CompletableFuture<Void> applied = CompletableFuture.completedFuture(null);
  private final DelimitedReader frames = new DelimitedReader(ByteBufAllocator.DEFAULT, SyncLimits.MAX_MESSAGE_BYTES);
  private final CompletableFuture<SyncStats> done = new CompletableFuture<>();
  private ScheduledFuture<?> timer;
  private boolean closed;
  private boolean framesClosed;
  /** The session failed or a batch held an invalid entry: batches still being verified are dropped. */
  private boolean failed;

  SyncStreamRunner(MuxedStream stream, SyncSession session, Engine engine, ScheduledExecutorService storage,
      LongSupplier wallClockMillis, BatchVerifier verifier) {
    this.stream = stream;
    this.session = session;
    this.engine = engine;
    this.storage = storage;
    this.wallClockMillis = wallClockMillis;
    this.verifier = verifier;
  }

  /** Starts the exchange; the future completes when the session is over. */
  CompletableFuture<SyncStats> start() {
    stream.setReader(this);
    onStorage(this::drain); // Our Heads go out at once.
    return done;
  }

  // --- Stream side (event loop) ------------------------------------------------------------------

  @Override
  public void onData(MuxedStream s, ByteBuf data) {
    if (framesClosed) {
      data.release();
      return;
    }
    try {
      List<byte[]> messages = frames.feed(data);
      for (byte[] m : messages) {
        onStorage(() -> {
          session.handleMessage(m, System.nanoTime());
          drain();
        });
      }
    } catch (MalformedFrameException e) {
      closeFrames();
      // The peer's fault, like a message that does not decode: counted against it.
      SyncErrorCode code = e.getMessage().contains("exceeds the limit") ? SyncErrorCode.MESSAGE_TOO_LARGE
          : SyncErrorCode.MALFORMED_MESSAGE;
      onStorage(() -> {
        session.handleFramingError(code, "frame: " + e.getMessage(), System.nanoTime());
        drain();
      });
    }
  }

  @Override
  public void onRemoteClosed(MuxedStream s) {
    closeFrames();
    onStorage(() -> {
      if (!session.isOver()) {
        session.cancel("the peer closed the stream before the end of the exchange", System.nanoTime());
      }
      drain();
    });
  }

  @Override
  public void onReset(MuxedStream s) {
    closeFrames();
    onStorage(() -> {
      if (!session.isOver()) {
        session.cancel("stream reset", System.nanoTime());
        drain();
      }
    });
  }

  /**
   * Runs {@code task} on the storage executor. After the node's close has shut that executor down,
   * a stream reset or close still arrives from the event loop: the session simply ends then
   * (nothing to store any more), instead of a RejectedExecutionException in the log.
   */
  private void onStorage(Runnable task) {
    try {
      storage.execute(task);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      closeFrames();
      done.completeExceptionally(new java.util.concurrent.CancellationException("the node is shutting down"));
    }
  }

  private void closeFrames() {
    if (!framesClosed) {
      framesClosed = true;
      frames.close();
    }
  }

  // --- Session side (storage executor) ----------------------------------------------------------

  @SuppressWarnings("FutureReturnValueIgnored") // `applied` never fails: ingest() turns failures into onLocalFailure
  private void drain() {
    for (byte[] out = session.pollOutbound().orElse(null); out != null; out = session.pollOutbound().orElse(null)) {
      if (!closed) {
        stream.write(DelimitedReader.frame(ByteBufAllocator.DEFAULT, out));
      }
    }
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
    session.pollTimeout().ifPresent(deadline -> timer = storage.schedule(() -> {
      session.handleTimeout(System.nanoTime());
      drain();
    }, Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS));
    for (SyncEvent e = session.pollEvent().orElse(null); e != null; e = session.pollEvent().orElse(null)) {
      if (e instanceof SyncEvent.EntriesReceived received) {
        ingest(received.envelopes());
      } else if (e instanceof SyncEvent.Completed completed) {
        // The session completes when the last batch has arrived; the future, once it is stored.
        applied.thenRun(() -> done.complete(completed.stats()));
      } else if (e instanceof SyncEvent.Failed failed) {
        this.failed = true;
        log.info("sync failed ({}, {}): {}", failed.code(), failed.fault(), failed.detail());
        done.completeExceptionally(new SyncFailedException(failed.code(), failed.fault(), failed.detail()));
      }
    }
    if (session.isOver() && !closed) {
      closed = true;
      if (timer != null) {
        timer.cancel(false);
      }
      stream.closeWrite();
      // Whatever the peer still sends is read and dropped, not decoded: a peer that broke the
      // protocol cannot keep us busy on this stream.
      stream.executor().execute(this::closeFrames);
    }
  }

  /**
   * Verifies the batch on the verifier pool while earlier batches are stored, then chain-checks
   * and stores it here, in arrival order: each batch waits for the one before ({@link #applied}).
   */
  private void ingest(List<byte[]> envelopes) {
    CompletableFuture<List<Verification>> verified = verifier.verify(envelopes);
    applied = applied.<List<Verification>, Void>thenCombineAsync(verified, (previous, verifications) -> {
      apply(envelopes, verifications);
      return null;
    }, storage).exceptionally(e -> {
      onLocalFailure(e);
      return null;
    });
  }

  /** A store failure or a closing verifier: end the session (on the storage thread) before anything more is applied. */
  private void onLocalFailure(Throwable e) {
    try {
      storage.execute(() -> {
        failed = true;
        if (!session.isOver()) {
          session.cancel("local failure while storing received entries: " + e.getMessage(), System.nanoTime());
          drain();
        } else if (!done.isDone()) {
          done.completeExceptionally(e);
        }
      });
    } catch (RejectedExecutionException closing) {
      // The node is shutting down; the stream closes with the host.
    }
  }

  private void apply(List<byte[]> envelopes, List<Verification> verifications) {
    if (failed) {
      return; // Failed while this batch was being verified: nothing after the failure is stored.
    }
    long now = wallClockMillis.getAsLong();
    for (int i = 0; i < envelopes.size(); i++) {
      // A valid entry goes on as engine.ingest(envelope) would take it after its own validation;
      // an invalid one goes through that path, which counts and reports it the same way.
      IngestOutcome outcome = verifications.get(i) instanceof Verification.Valid valid
          ? engine.ingest(valid.entry(), IngestSource.SYNC, now)
          : engine.ingest(envelopes.get(i), IngestSource.SYNC, null, now);
      if (outcome instanceof IngestOutcome.Rejected r && peerFault(r.reason())) {
        // Set here too: the session may have completed already (the peer's Done can arrive
        // while the last batches are verified); then the peer is not told, but the batches
        // after this one are still dropped.
        failed = true;
        session.rejectEntries(r.reason() + ": " + r.detail(), System.nanoTime());
        drain();
        return;
      }
    }
    session.acknowledge(envelopes.size(), System.nanoTime());
    drain();
  }

  /**
   * Whether a rejection blames the peer. Not for reasons that can be our own staleness (a root log
   * or clock behind), nor for entries of a device revoked after the peer stored them.
   */
  private static boolean peerFault(RejectReason reason) {
    return reason != RejectReason.UNDELEGATED_DEVICE && reason != RejectReason.TIMESTAMP_IN_FUTURE
        && reason != RejectReason.REVOKED_DEVICE;
  }
}
