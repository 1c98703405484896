package org.grapevine.node.sync;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.LongSupplier;
import org.grapevine.libp2p.host.Connection;
import org.grapevine.libp2p.host.Host;
import org.grapevine.libp2p.host.HostListener;
import org.grapevine.libp2p.mux.MuxedStream;
import org.grapevine.node.engine.Engine;
import org.grapevine.node.storage.PostStore;
import org.grapevine.protocol.sync.SyncLimits;
import org.grapevine.protocol.sync.SyncSession;
import org.grapevine.protocol.sync.SyncStats;
import org.grapevine.protocol.validation.EntryValidator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Catch-up sync ({@code /grapevine/sync/1.0.0}, DESIGN.md "Catch-up sync") on a host: on every
 * connection we dialed, one session exchanges the heads of the identities both sides follow and
 * each side streams the other what it lacks; the peer's sessions are answered the same way. Works
 * with the author offline: followers serve each other. The storage executor is the single thread
 * that owns the store and the engine.
 */
public final class SyncService implements AutoCloseable {
  public static final String PROTOCOL_ID = "/grapevine/sync/1.0.0";
  private static final Logger log = LoggerFactory.getLogger(SyncService.class);

  private final Host host;
  private final PostStore store;
  private final Engine engine;
  private final ScheduledExecutorService storage;
  private final SyncLimits limits;
  private final LongSupplier wallClockMillis;
  private final BatchVerifier verifier =
      new BatchVerifier(new EntryValidator(), Runtime.getRuntime().availableProcessors());

  public SyncService(Host host, PostStore store, Engine engine, ScheduledExecutorService storage, SyncLimits limits,
      LongSupplier wallClockMillis) {
    this.host = host;
    this.store = store;
    this.engine = engine;
    this.storage = storage;
    this.limits = limits;
    this.wallClockMillis = wallClockMillis;
  }

  /** Serves the peers' sessions and opens one on every connection this host dials. */
  public void start() {
    host.setProtocolHandler(PROTOCOL_ID, (stream, conn) -> run(stream).whenComplete((stats, e) -> logEnd(conn, stats, e)));
    host.addListener(new HostListener() {
      @Override
      public void onConnected(Connection connection) {
        if (connection.direction() == Connection.Direction.OUTBOUND) {
          syncWith(connection).whenComplete((stats, e) -> logEnd(connection, stats, e));
        }
      }
    });
  }

  /** Runs one session with the peer of {@code connection}; completes with its statistics. */
  public CompletableFuture<SyncStats> syncWith(Connection connection) {
    return host.newStream(connection, List.of(PROTOCOL_ID)).thenCompose(ns -> run(ns.stream()));
  }

  private CompletableFuture<SyncStats> run(MuxedStream stream) {
    CompletableFuture<SyncStats> result = new CompletableFuture<>();
    storage.execute(() -> {
      SyncSession session = new SyncSession(store.follows(), new StoreSyncSource(store), limits, System.nanoTime());
      new SyncStreamRunner(stream, session, engine, storage, wallClockMillis, verifier).start().whenComplete((stats, e) -> {
        if (e != null) {
          result.completeExceptionally(e);
        } else {
          result.complete(stats);
        }
      });
    });
    return result;
  }

  /** Stops the verifier threads; call after the host is closed (no session runs any more). */
  @Override
  public void close() {
    verifier.close();
  }

  private static void logEnd(Connection c, SyncStats stats, Throwable e) {
    if (e != null) {
      log.info("sync with {} ended: {}", c.remotePeer(), e.getMessage());
    } else {
      log.debug("sync with {}: {} entries received, {} sent", c.remotePeer(), stats.entriesReceived(), stats.entriesSent());
    }
  }
}
