package org.grapevine.node.core;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.SortedSet;
import java.util.function.BiPredicate;
import java.util.function.Consumer;
import java.util.function.IntFunction;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.grapevine.libp2p.peer.PeerId;
import org.grapevine.node.engine.Engine;
import org.grapevine.node.engine.IngestOutcome;
import org.grapevine.node.engine.IngestSource;
import org.grapevine.node.storage.PostStore;
import org.grapevine.node.sync.StoreSyncSource;
import org.grapevine.protocol.entry.ContentHash;
import org.grapevine.protocol.identity.Identity;
import org.grapevine.protocol.sync.EntryRef;
import org.grapevine.protocol.sync.FetchedContent;
import org.grapevine.protocol.sync.SyncErrorCode;
import org.grapevine.protocol.sync.SyncEvent;
import org.grapevine.protocol.sync.SyncLimits;
import org.grapevine.protocol.sync.SyncSession;
import org.grapevine.protocol.validation.RejectReason;
import org.grapevine.protocol.validation.Verification;

/**
 * The node core's sync streams: one {@link SyncSession} per stream, the received batches between
 * "verify this" and "stored", blame for the peer's faults, and the end of each session once what it
 * brought is stored. {@link NodeCore} decides when to open one; this class runs them. Same
 * confinement and call order as the core.
 */
final class SyncSessions {
  private final PostStore store;
  private final Engine engine;
  private final CoreConfig config;
  private final CoreOutputs out;

  /** Told (after the SyncEnded event) when a session ended, with its peer. */
  private final Consumer<PeerId> ended;

  /** Whether a peer is connected (a session may end after its connection did). */
  private final Predicate<PeerId> connected;

  /** The entries to ask for by reference, at most the given number (sync.proto step 5a). */
  private final IntFunction<List<EntryRef>> wanted;

  /** The identities a session offers: the follows and the circle's fetched members. */
  private final Supplier<SortedSet<Identity>> offered;

  /** By stream id, in id order (deterministic iteration for the simulator). */
  private final SyncStates sessions = new SyncStates();

  /** Null until a peer first fails a session by its fault (most never do). */
  private Map<PeerId, Long> peerFaults;

  private final BareServers bareServers = new BareServers();

  /** {@link BareServers#mayAsk}, one object for every session's source. */
  private final BiPredicate<PeerId, ContentHash> mayAsk = bareServers::mayAsk;

  /**
   * Per peer: its running sessions, and the names it holds nothing of (answered by name in a
   * session of its current connection, sync.proto step 2a: {@link SyncSession#skipNames}, at most
   * {@link SyncLimits#MAX_NAMES_PER_SESSION}; dropped when its connection ends).
   */
  private final SyncPeers peers;

  private long nextId = 1;

  /** The follows the last session was opened with, shared by the next ones while equal. */
  private Identity[] lastFollows = new Identity[0];

  /**
   * The earliest idle deadline of a running session ({@code Long.MAX_VALUE}: none), kept across
   * inputs: the core asks after every input of the node. An input to one session moves only that
   * session's deadline ({@link #moved}: the minimum is then kept up to date, or marked stale if it
   * was that session's and went later); inputs to many sessions mark it stale.
   */
  private long earliest;

  private boolean earliestStale = true;

  SyncSessions(
      PostStore store,
      Engine engine,
      CoreConfig config,
      CoreOutputs out,
      Consumer<PeerId> ended,
      Predicate<PeerId> connected,
      IntFunction<List<EntryRef>> wanted,
      Supplier<SortedSet<Identity>> offered,
      SyncPeers peers) {
    this.store = store;
    this.engine = engine;
    this.config = config;
    this.out = out;
    this.ended = ended;
    this.connected = connected;
    this.wanted = wanted;
    this.offered = offered;
    this.peers = peers;
  }

  boolean running(PeerId peer) {
    PeerSyncs p = peers.get(peer);
    return p != null && p.running > 0;
  }

  /**
   * Sessions opened so far. A session offers every followed identity (and the extended circle's
   * fetched members, {@link CircleState}) or, beyond the protocol's cap per session, the next
   * window of them ({@link FollowWindow}), so that each is offered in turn; the same count moves
   * the window of names a session asks by name when there are too many.
   */
  private long windows;

  Map<PeerId, Long> peerFaults() {
    return peerFaults == null ? Map.of() : Map.copyOf(peerFaults);
  }

  long open(PeerId peer, SyncLimits limits, long nowNanos) {
    long round = windows++;
    SyncSession session =
        new SyncSession(
            follows(FollowWindow.of(offered.get(), SyncLimits.MAX_SESSION_IDENTITIES, round)),
            new StoreSyncSource(store, engine.budgets(), mayAsk, peer, wanted),
            limits,
            round,
            nowNanos);
    PeerSyncs p = peers.getOrAdd(peer);
    if (p.notHeld != null) {
      session.skipNames(Arrays.asList(p.notHeld));
    }
    p.running++;
    SyncState s = new SyncState(nextId++, peer, session);
    sessions.add(s);
    drain(s, nowNanos);
    moved(Long.MAX_VALUE, s.session.idleDeadline());
    return s.id;
  }

  /**
   * One session's idle deadline went from {@code before} to {@code after} (MAX_VALUE: none) and no
   * other session's changed (an input that reached others, even from inside this one's callbacks,
   * marked the earliest stale itself).
   */
  private void moved(long before, long after) {
    if (earliestStale || after == before) {
      return;
    }
    if (after < earliest) {
      earliest = after;
    } else if (before == earliest) {
      earliestStale = true; // it was the earliest and went later: the next one is unknown
    }
  }

  /**
   * The window's identities as the session keeps them, the same array as the previous session's
   * when equal: a node opens sessions on all its connections with the same follows.
   */
  private Identity[] follows(Set<Identity> window) {
    Identity[] sorted = SyncSession.sortedArray(window);
    if (!Arrays.equals(sorted, lastFollows)) {
      lastFollows = sorted;
    }
    return lastFollows;
  }

  void message(long sync, byte[] message, long nowNanos) {
    SyncState s = sessions.get(sync);
    if (s != null) {
      long before = s.session.idleDeadline();
      s.session.handleMessage(message, nowNanos);
      drain(s, nowNanos);
      moved(before, s.session.idleDeadline());
    }
  }

  void framingError(long sync, SyncErrorCode code, String detail, long nowNanos) {
    SyncState s = sessions.get(sync);
    if (s != null) {
      long before = s.session.idleDeadline();
      s.session.handleFramingError(code, detail, nowNanos);
      drain(s, nowNanos);
      moved(before, s.session.idleDeadline());
    }
  }

  void cancel(long sync, String detail, boolean local, long nowNanos) {
    SyncState s = sessions.get(sync);
    if (s != null) {
      long before = s.session.idleDeadline();
      s.failed |= local;
      s.session.cancel(detail, nowNanos);
      drain(s, nowNanos);
      moved(before, s.session.idleDeadline());
    }
  }

  /** Ends every session with {@code peer}: its connection is gone. */
  void cancelAll(PeerId peer, long nowNanos) {
    earliestStale = true;
    for (SyncState s : sessions.snapshot()) {
      if (s.peer.equals(peer)) {
        s.session.cancel("connection closed", nowNanos);
        drain(s, nowNanos);
      }
    }
    PeerSyncs p = peers.get(peer);
    if (p != null) {
      p.notHeld = null;
      peers.dropIfIdle(peer, p);
    }
  }

  void verified(long sync, int batch, List<Verification> verifications, long nowNanos) {
    SyncState s = sessions.get(sync);
    if (s == null) {
      return; // The session failed meanwhile: nothing after a failure is stored.
    }
    long before = s.session.idleDeadline();
    if (s.verifiedAhead == null) {
      s.verifiedAhead = new HashMap<>();
    }
    s.verifiedAhead.put(batch, verifications);
    for (List<Verification> next = s.verifiedAhead.remove(s.applied);
        next != null;
        next = s.verifiedAhead.remove(s.applied)) {
      s.applied++;
      if (!s.failed) {
        store(s, next, nowNanos);
      }
    }
    drain(s, nowNanos);
    moved(before, s.session.idleDeadline());
  }

  void timeout(long nowNanos) {
    if (nextDeadline(Long.MAX_VALUE) > nowNanos) {
      return; // none due: the scan below would find nothing
    }
    earliestStale = true;
    for (SyncState s : sessions.snapshot()) {
      OptionalLong deadline = s.session.pollTimeout();
      if (deadline.isPresent() && deadline.getAsLong() <= nowNanos) {
        s.session.handleTimeout(nowNanos);
        drain(s, nowNanos);
      }
    }
  }

  /** The earliest idle deadline of a running session, or {@code orElse}. */
  long nextDeadline(long orElse) {
    if (earliestStale) {
      earliest = scanDeadlines();
      earliestStale = false;
    }
    // Tests run with assertions on: every test that drives sync checks the kept minimum.
    assert earliest == scanDeadlines() : "kept " + earliest + ", sessions " + scanDeadlines();
    return Math.min(orElse, earliest);
  }

  private long scanDeadlines() {
    long next = Long.MAX_VALUE;
    for (int i = 0; i < sessions.size(); i++) {
      next = Math.min(next, sessions.at(i).session.idleDeadline());
    }
    return next;
  }

  /** Stores one verified batch; the first entry the peer is to blame for fails the session. */
  private void store(SyncState s, List<Verification> batch, long nowNanos) {
    long wall = config.wallMillis().applyAsLong(nowNanos);
    for (Verification v : batch) {
      if (v instanceof Verification.Valid valid && !valid.entry().hasContent()) {
        // Whether it lacks the content or withholds it, this peer is not asked for it.
        bareServers.servedBare(s.peer, valid.entry().header().contentHash());
      }
      IngestOutcome outcome;
      try {
        outcome = engine.ingest(v, IngestSource.SYNC, null, wall);
      } catch (RuntimeException storeFailed) {
        // Our store failed, not the peer: end the session before anything more is applied.
        s.failed = true;
        s.session.cancel("local failure while storing received entries: " + storeFailed, nowNanos);
        return;
      }
      out.stored(outcome, IngestSource.SYNC, s.peer);
      if (outcome instanceof IngestOutcome.Rejected r && r.reason().senderAtFault()) {
        // Also when the session completed already (the peer's Done can arrive while the last
        // batches are verified): then the peer is not told, but later batches are dropped.
        s.failed = true;
        s.session.rejectEntries(r.reason() + ": " + r.detail(), nowNanos);
        if (s.failure == null) {
          blame(s.peer, r.reason(), SyncErrorCode.INVALID_ENTRY, r.detail());
        }
        return;
      }
    }
    s.session.acknowledge(
        batch.size(), nowNanos); // Allowed after the end too; it then grants nothing.
  }

  /**
   * Drains one session's outputs into the core's, and ends it once everything it brought is stored.
   */
  private void drain(SyncState s, long nowNanos) {
    for (byte[] b = s.session.pollOutbound().orElse(null);
        b != null;
        b = s.session.pollOutbound().orElse(null)) {
      if (!s.closed) {
        out.outbound.add(new SyncBytes(s.id, b));
      }
    }
    for (SyncEvent e = s.session.pollEvent().orElse(null);
        e != null;
        e = s.session.pollEvent().orElse(null)) {
      if (e instanceof SyncEvent.EntriesReceived received) {
        if (!s.failed) {
          out.commands.add(new CoreCommand.VerifyBatch(s.id, s.issued++, received.envelopes()));
        }
      } else if (e instanceof SyncEvent.ContentReceived received) {
        if (!s.failed) {
          fill(s, received, nowNanos);
        }
      } else if (e instanceof SyncEvent.EntriesByRefReceived received) {
        if (!s.failed) {
          byRef(s, received, nowNanos);
        }
      } else if (e instanceof SyncEvent.Completed completed) {
        s.stats = completed.stats();
      } else if (e instanceof SyncEvent.Failed failed) {
        boolean blamedAlready = s.failed && failed.code() == SyncErrorCode.INVALID_ENTRY;
        s.failed = true;
        s.failure = failed;
        if (failed.fault() == SyncEvent.Fault.PEER && !blamedAlready) {
          blame(s.peer, null, failed.code(), failed.detail());
        }
      }
    }
    if (s.session.isOver() && !s.closed) {
      s.closed = true;
      out.commands.add(new CoreCommand.CloseSync(s.id));
    }
    if (s.finished() && sessions.remove(s.id)) {
      end(s);
    }
  }

  /**
   * Fills in the entries that lack the content the peer answered (hash checked by the session);
   * each is checked against its signed entry by the engine. Content that hashes right but breaks
   * its kind's rules is the author's doing, not the peer's: it is counted, nobody is blamed.
   */
  private void fill(SyncState s, SyncEvent.ContentReceived received, long nowNanos) {
    for (FetchedContent c : received.contents()) {
      try {
        engine.fillFetched(c.identity(), c.hash(), c.bytes(), IngestSource.SYNC);
      } catch (RuntimeException storeFailed) {
        s.failed = true;
        s.session.cancel("local failure while storing fetched content: " + storeFailed, nowNanos);
        return;
      }
    }
  }

  /**
   * Stores the entries the peer answered by reference (sync.proto step 5a; the session checked each
   * is one asked for). The engine verifies each as an {@code Addressed} message; one invalid by the
   * peer's fault (a bad signature or delegation) fails the session and blames the peer, as an
   * invalid entry of a batch does.
   */
  private void byRef(SyncState s, SyncEvent.EntriesByRefReceived received, long nowNanos) {
    long wall = config.wallMillis().applyAsLong(nowNanos);
    for (byte[] item : received.items()) {
      IngestOutcome outcome;
      try {
        outcome = engine.ingestByRef(item, wall);
      } catch (RuntimeException storeFailed) {
        s.failed = true;
        s.session.cancel(
            "local failure while storing entries by reference: " + storeFailed, nowNanos);
        return;
      }
      out.stored(outcome, IngestSource.BY_REF, s.peer);
      if (outcome instanceof IngestOutcome.Rejected r && r.reason().senderAtFault()) {
        s.failed = true;
        s.session.rejectEntries(r.reason() + ": " + r.detail(), nowNanos);
        blame(s.peer, r.reason(), SyncErrorCode.INVALID_ENTRY, r.detail());
        return;
      }
    }
  }

  private void blame(PeerId peer, RejectReason reason, SyncErrorCode code, String detail) {
    out.events.add(new CoreEvent.Blamed(peer, reason, code, detail));
  }

  private void end(SyncState s) {
    PeerSyncs p = peers.get(s.peer);
    if (p != null) {
      p.running--;
    }
    SyncEvent.Failed f = s.failure;
    if (f == null && !s.session.notHeldByPeer().isEmpty() && connected.test(s.peer)) {
      if (p == null) {
        p = peers.getOrAdd(s.peer);
      }
      peers.addNotHeld(p, s.session.notHeldByPeer());
    }
    if (p != null) {
      peers.dropIfIdle(s.peer, p);
    }
    out.events.add(
        f == null
            ? new CoreEvent.SyncEnded(s.id, s.peer, s.stats, null, null, null)
            : new CoreEvent.SyncEnded(s.id, s.peer, null, f.code(), f.fault(), f.detail()));
    if (f != null && f.fault() == SyncEvent.Fault.PEER) {
      if (peerFaults == null) {
        peerFaults = new HashMap<>();
      }
      long faults = peerFaults.merge(s.peer, 1L, Long::sum);
      if (faults % CoreConfig.MAX_PEER_FAULTS == 0) {
        // A peer that keeps breaking the protocol loses its connection (it may dial again).
        out.commands.add(
            new CoreCommand.Disconnect(s.peer, faults + " sync sessions failed by its fault"));
      }
    }
    ended.accept(s.peer);
  }
}
