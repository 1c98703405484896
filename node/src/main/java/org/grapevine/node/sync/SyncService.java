package org.grapevine.node.sync;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.grapevine.libp2p.host.Connection;
import org.grapevine.libp2p.host.Host;
import org.grapevine.libp2p.host.HostListener;
import org.grapevine.libp2p.mux.MuxedStream;
import org.grapevine.libp2p.peer.PeerId;
import org.grapevine.node.engine.Engine;
import org.grapevine.node.storage.PostStore;
import org.grapevine.protocol.sync.SyncEvent;
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
// Sessions are fired and forgotten: each one logs its own end (logEnd), success or failure.
@SuppressWarnings("FutureReturnValueIgnored")
public final class SyncService implements AutoCloseable {
  public static final String PROTOCOL_ID = "/grapevine/sync/1.0.0";
  /** Every this many sessions a peer fails by its own fault, its connection is closed. */
  public static final int MAX_PEER_FAULTS = 3;
  private static final Logger log = LoggerFactory.getLogger(SyncService.class);

  private final Host host;
  private final PostStore store;
  private final Engine engine;
  private final ScheduledExecutorService storage;
  private final SyncLimits limits;
  private final LongSupplier wallClockMillis;
  private final Map<PeerId, Long> peerFaults = new ConcurrentHashMap<>();
  private volatile Runnable sessionEndListener = () -> {};
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
          syncWith(connection);
        }
      }
    });
  }

  /**
   * Also syncs with every connected peer (one connection each) every {@code interval}, so that
   * what gossip missed arrives without a new connection or a detected gap. The task runs on the
   * storage executor and ends when it shuts down.
   */
  public void syncPeriodically(Duration interval) {
    long nanos = interval.toNanos();
    storage.scheduleWithFixedDelay(() -> {
      Set<PeerId> done = new HashSet<>();
      for (Connection c : host.connections()) {
        if (c.isOpen() && done.add(c.remotePeer())) {
          syncWith(c); // Logs its end itself.
        }
      }
    }, nanos, nanos, TimeUnit.NANOSECONDS);
  }

  /**
   * Runs one session with the peer of {@code connection}; completes with its statistics, or
   * exceptionally ({@link SyncFailedException} when the session failed).
   */
  public CompletableFuture<SyncStats> syncWith(Connection connection) {
    CompletableFuture<SyncStats> session = host.newStream(connection, List.of(PROTOCOL_ID)).thenCompose(ns -> run(ns.stream()));
    session.whenComplete((stats, e) -> logEnd(connection, stats, e));
    return session;
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

  /**
   * Called (on any thread; must be quick) after every session ends, served or dialed, whether it
   * succeeded or not: what the peer had is stored by then.
   */
  public void setSessionEndListener(Runnable listener) {
    this.sessionEndListener = java.util.Objects.requireNonNull(listener);
  }

  /**
   * Sessions each peer failed by its own fault (oversize or malformed frames, protocol
   * violations, invalid entries), since this service started. Any thread.
   */
  public Map<PeerId, Long> peerFaults() {
    return Map.copyOf(peerFaults);
  }

  private void logEnd(Connection c, SyncStats stats, Throwable e) {
    sessionEndListener.run();
    Throwable cause = e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e;
    if (cause instanceof SyncFailedException failed && failed.fault() == SyncEvent.Fault.PEER) {
      long faults = peerFaults.merge(c.remotePeer(), 1L, Long::sum);
      log.info("sync with {} failed by its fault ({} so far): {}", c.remotePeer(), faults, failed.getMessage());
      if (faults % MAX_PEER_FAULTS == 0) {
        // A peer that keeps breaking the protocol loses its connection (it may dial again).
        log.info("closing the connection to {}: {} sync sessions failed by its fault", c.remotePeer(), faults);
        c.close();
      }
    } else if (e != null) {
      log.info("sync with {} ended: {}", c.remotePeer(), e.getMessage());
    } else {
      log.debug("sync with {}: {} entries received, {} sent", c.remotePeer(), stats.entriesReceived(), stats.entriesSent());
    }
  }
}
