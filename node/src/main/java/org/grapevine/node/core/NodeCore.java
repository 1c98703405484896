package org.grapevine.node.core;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.random.RandomGenerator;
import org.grapevine.libp2p.gossipsub.Acceptance;
import org.grapevine.libp2p.peer.PeerId;
import org.grapevine.node.engine.Engine;
import org.grapevine.node.engine.IngestOutcome;
import org.grapevine.node.engine.IngestSource;
import org.grapevine.node.storage.PostStore;
import org.grapevine.node.sync.StoreSyncSource;
import org.grapevine.protocol.entry.LogEntry;
import org.grapevine.protocol.identity.Identity;
import org.grapevine.protocol.sync.SyncErrorCode;
import org.grapevine.protocol.sync.SyncEvent;
import org.grapevine.protocol.sync.SyncLimits;
import org.grapevine.protocol.sync.SyncSession;
import org.grapevine.protocol.topic.Topics;
import org.grapevine.protocol.validation.RejectReason;
import org.grapevine.protocol.validation.Verification;

/**
 * One node's behaviour between the wire and the store, without I/O: what to do with each entry
 * that arrives (by gossip, by sync, or written here), whom to blame for a bad one, when to sync
 * and with whom, and the sync sessions themselves. The running node ({@code Node}, over Netty and
 * RocksDB) and the virtual-time simulator (over a modelled network and a memory store) are two
 * drivers of this one class, so a simulation result is a statement about the node by
 * construction (docs/ARCHITECTURE.md, "Node core").
 *
 * <p>Call order (quinn's endpoint): after every input, drain {@link #pollOutbound} (sync bytes to
 * write), then {@link #pollCommand} (streams to open or close, batches to verify, peers to drop),
 * then {@link #pollEvent}; then ask {@link #pollTimeout} and call {@link #handleTimeout} at that
 * time. Every input carries the time in monotonic nanoseconds, non-decreasing; the core never
 * reads a clock ({@link CoreConfig#wallMillis} turns core time into the wall time the chain rules
 * need) and its only randomness is injected.
 *
 * <p>Rules:
 * <ol>
 *   <li>Blame is the reason's: an entry refused for a reason whose
 *       {@link RejectReason#senderAtFault} is true makes gossip REJECT the message (the router
 *       lowers the sender's score) and fails the sync session as the peer's fault; any other
 *       outcome that is not stored is IGNOREd. Overload is never the sender's fault.
 *   <li>A peer whose sync sessions fail by its fault {@link CoreConfig#MAX_PEER_FAULTS} times
 *       (and every such multiple) loses its connection ({@link CoreCommand.Disconnect}).
 *   <li>Sync with a peer: when we dialled a new connection to it; in periodic rounds (peers that
 *       subscribe to a topic we follow, round-robin); on a gap (an entry ahead of its
 *       predecessors: with every connected subscriber of its topic, since any of them may hold
 *       the missing entries, not only the relay that had the later one); after a follow (with
 *       every connected subscriber of the new topic). A session offers only identities both
 *       sides follow, so a peer that subscribes to none of ours has nothing to exchange; what a
 *       peer subscribes to is what its gossip router announced. At most one session runs per
 *       peer at a time: a sync wanted while one runs is run once more after it
 *       ({@link CoreEvent.SyncReason#AGAIN}).
 *   <li>Received sync batches are verified by the driver (a thread pool, a modelled delay) and
 *       stored here in arrival order; the session grants the peer more only after a batch is
 *       stored, so a slow store slows the peer (back-pressure end to end).
 * </ol>
 * Not thread-safe: the node confines it to its storage thread, the simulator to its event loop.
 */
public final class NodeCore {
  private final PostStore store;
  private final Engine engine;
  private final CoreConfig config;
  private final ArrayDeque<SyncBytes> outbound = new ArrayDeque<>();
  private final ArrayDeque<CoreCommand> commands = new ArrayDeque<>();
  private final ArrayDeque<CoreEvent> events = new ArrayDeque<>();
  /** Sessions by stream id, in id order (deterministic iteration for the simulator). */
  private final TreeMap<Long, SyncState> sessions = new TreeMap<>();
  /** Connected peers in the order they came, with their connection count; the periodic round walks this list. */
  private final List<PeerId> connected = new ArrayList<>();
  private final Map<PeerId, Integer> connections = new HashMap<>();
  /** Peers we asked the driver to open a sync stream to, not yet open. */
  private final Set<PeerId> opening = new HashSet<>();
  /** Peers to sync with once more when their running session ends. */
  private final Set<PeerId> again = new HashSet<>();
  private final Map<PeerId, Integer> runningPerPeer = new HashMap<>();
  private final Map<PeerId, Long> peerFaults = new HashMap<>();
  /** The topics each connected peer told the gossip router it subscribes to. */
  private final Map<PeerId, Set<String>> peerTopics = new HashMap<>();
  private long nextSyncId = 1;
  private long nextRound;
  private int roundCursor;

  /**
   * @param engine the ingestion pipeline over {@code store}; the core is its only caller for
   *     received entries
   * @param random only for the phase of the first periodic round
   */
  public NodeCore(PostStore store, Engine engine, CoreConfig config, RandomGenerator random, long nowNanos) {
    this.store = store;
    this.engine = engine;
    this.config = config;
    this.nextRound = nowNanos + 1 + random.nextLong(config.syncIntervalNanos());
  }

  // ------------------------------------------------------------------------------------ peers

  /** A connection to {@code peer} is up; {@code weDialled} when this node opened it. */
  public void handlePeerConnected(PeerId peer, boolean weDialled, long nowNanos) {
    if (connections.merge(peer, 1, Integer::sum) == 1) {
      connected.add(peer);
    }
    if (weDialled) {
      wantSync(peer, CoreEvent.SyncReason.CONNECTED);
    }
  }

  /** A connection to {@code peer} is down; with its last one, its sessions end. */
  public void handlePeerDisconnected(PeerId peer, long nowNanos) {
    Integer left = connections.computeIfPresent(peer, (p, n) -> n == 1 ? null : n - 1);
    if (left != null) {
      return;
    }
    connected.remove(peer);
    peerTopics.remove(peer);
    opening.remove(peer);
    again.remove(peer);
    for (SyncState s : new ArrayList<>(sessions.values())) {
      if (s.peer.equals(peer)) {
        s.session.cancel("connection closed", nowNanos);
        drain(s, nowNanos);
      }
    }
  }

  /**
   * {@code peer} subscribes to {@code topic} (the router heard its SUBSCRIBE): it follows that
   * identity, so it holds (and sync can exchange) that identity's logs.
   */
  public void handlePeerSubscribed(PeerId peer, String topic, long nowNanos) {
    if (connections.containsKey(peer)) {
      peerTopics.computeIfAbsent(peer, p -> new HashSet<>()).add(topic);
    }
  }

  public void handlePeerUnsubscribed(PeerId peer, String topic, long nowNanos) {
    Set<String> topics = peerTopics.get(peer);
    if (topics != null) {
      topics.remove(topic);
    }
  }

  // ----------------------------------------------------------------------------------- gossip

  /**
   * A gossip message on {@code topic} from {@code from} (the peer that forwarded it), after
   * stateless validation by the driver. Returns the router's verdict: ACCEPT forwards it, REJECT
   * costs {@code from} score, IGNORE drops it.
   */
  public Acceptance handleGossipMessage(PeerId from, String topic, Verification verification, long nowNanos) {
    Optional<Identity> owner = Topics.identityOf(topic);
    IngestOutcome outcome = owner.isEmpty()
        ? new IngestOutcome.Rejected(RejectReason.WRONG_TOPIC, "not a Grapevine identity topic: " + topic)
        : engine.ingest(verification, IngestSource.GOSSIP, owner.get(), wallMillis(nowNanos));
    stored(outcome, IngestSource.GOSSIP, from);
    if (outcome instanceof IngestOutcome.Buffered) {
      wantSyncWithSubscribers(topic, CoreEvent.SyncReason.GAP);
    }
    Acceptance verdict = acceptance(outcome);
    if (verdict == Acceptance.REJECT) {
      IngestOutcome.Rejected r = (IngestOutcome.Rejected) outcome;
      events.add(new CoreEvent.Blamed(from, r.reason(), null, r.detail()));
    }
    return verdict;
  }

  /** How gossip treats an outcome: only what could be stored is forwarded; blame as the reason says. */
  public static Acceptance acceptance(IngestOutcome outcome) {
    if (outcome instanceof IngestOutcome.Stored || outcome instanceof IngestOutcome.Buffered) {
      return Acceptance.ACCEPT;
    }
    if (outcome instanceof IngestOutcome.Rejected r && r.reason().senderAtFault()) {
      return Acceptance.REJECT;
    }
    return Acceptance.IGNORE;
  }

  // ----------------------------------------------------------------------------- own writes

  /**
   * An entry this node wrote (its device log, or its root log); stored durably before this
   * returns. The driver publishes it after a {@link IngestOutcome.Stored}.
   */
  public IngestOutcome handleOwnEntry(LogEntry entry, long nowNanos) {
    IngestOutcome outcome = engine.ingest(entry, IngestSource.OWN, wallMillis(nowNanos));
    stored(outcome, IngestSource.OWN, null);
    return outcome;
  }

  /** This node started following someone (its follow entry is stored): fetch their history. */
  public void handleFollowed(Identity followed, long nowNanos) {
    wantSyncWithSubscribers(Topics.forIdentity(followed), CoreEvent.SyncReason.FOLLOW);
  }

  /** The driver wants a sync with every connected peer (for example to spread a new delegation). */
  public void handleSyncWanted(long nowNanos) {
    wantSyncWithAll(CoreEvent.SyncReason.REQUESTED);
  }

  // ------------------------------------------------------------------------------------- sync

  /**
   * A sync stream with {@code peer} is open, either the one we asked for ({@link
   * CoreCommand.OpenSync}) or one the peer opened. Returns its id for the inputs below.
   */
  public long handleSyncStream(PeerId peer, long nowNanos) {
    opening.remove(peer);
    SyncSession session = new SyncSession(sessionFollows(), new StoreSyncSource(store), config.syncLimits(), nowNanos);
    SyncState s = new SyncState(nextSyncId++, peer, session);
    sessions.put(s.id, s);
    runningPerPeer.merge(peer, 1, Integer::sum);
    drain(s, nowNanos);
    return s.id;
  }

  /** The sync stream we asked for could not be opened (the peer refused, the connection went). */
  public void handleSyncOpenFailed(PeerId peer, long nowNanos) {
    opening.remove(peer);
    again.remove(peer);
  }

  /** One message from the peer on sync stream {@code sync}, without its length prefix. */
  public void handleSyncMessage(long sync, byte[] message, long nowNanos) {
    SyncState s = sessions.get(sync);
    if (s != null) {
      s.session.handleMessage(message, nowNanos);
      drain(s, nowNanos);
    }
  }

  /** The bytes on sync stream {@code sync} do not split into frames: the peer's fault. */
  public void handleSyncFramingError(long sync, SyncErrorCode code, String detail, long nowNanos) {
    SyncState s = sessions.get(sync);
    if (s != null) {
      s.session.handleFramingError(code, detail, nowNanos);
      drain(s, nowNanos);
    }
  }

  /** Sync stream {@code sync} was closed by the peer or reset, perhaps before the end. */
  public void handleSyncStreamClosed(long sync, boolean reset, long nowNanos) {
    SyncState s = sessions.get(sync);
    if (s != null) {
      s.session.cancel(reset ? "stream reset" : "the peer closed the stream before the end of the exchange", nowNanos);
      drain(s, nowNanos);
    }
  }

  /** The verifications of {@link CoreCommand.VerifyBatch} {@code batch} on stream {@code sync}, in its order. */
  public void handleSyncVerified(long sync, int batch, List<Verification> verifications, long nowNanos) {
    SyncState s = sessions.get(sync);
    if (s == null) {
      return; // The session failed meanwhile: nothing after a failure is stored.
    }
    s.verifiedAhead.put(batch, verifications);
    for (List<Verification> next = s.verifiedAhead.remove(s.applied); next != null;
        next = s.verifiedAhead.remove(s.applied)) {
      s.applied++;
      if (!s.failed) {
        store(s, next, nowNanos);
      }
    }
    drain(s, nowNanos);
  }

  /** The driver could not verify or store a batch (shutting down, a store failure). */
  public void handleSyncLocalFailure(long sync, String detail, long nowNanos) {
    SyncState s = sessions.get(sync);
    if (s != null) {
      s.failed = true;
      s.session.cancel("local failure: " + detail, nowNanos);
      drain(s, nowNanos);
    }
  }

  /** Sessions each peer failed by its own fault so far. */
  public Map<PeerId, Long> peerFaults() {
    return Map.copyOf(peerFaults);
  }

  // ----------------------------------------------------------------------------------- timers

  /** The clock reached {@link #pollTimeout} (early calls do nothing). */
  public void handleTimeout(long nowNanos) {
    for (SyncState s : new ArrayList<>(sessions.values())) {
      OptionalLong deadline = s.session.pollTimeout();
      if (deadline.isPresent() && deadline.getAsLong() <= nowNanos) {
        s.session.handleTimeout(nowNanos);
        drain(s, nowNanos);
      }
    }
    if (nowNanos >= nextRound) {
      nextRound = nowNanos + config.syncIntervalNanos();
      periodicRound();
    }
  }

  /** When to call {@link #handleTimeout} next: the next periodic round or a session's idle deadline. */
  public long pollTimeout() {
    long next = nextRound;
    for (SyncState s : sessions.values()) {
      OptionalLong d = s.session.pollTimeout();
      if (d.isPresent()) {
        next = Math.min(next, d.getAsLong());
      }
    }
    return next;
  }

  // ---------------------------------------------------------------------------------- outputs

  public Optional<SyncBytes> pollOutbound() {
    return Optional.ofNullable(outbound.pollFirst());
  }

  public Optional<CoreCommand> pollCommand() {
    return Optional.ofNullable(commands.pollFirst());
  }

  public Optional<CoreEvent> pollEvent() {
    return Optional.ofNullable(events.pollFirst());
  }

  // ---------------------------------------------------------------------------------- private

  private long wallMillis(long nowNanos) {
    return config.wallMillis().applyAsLong(nowNanos);
  }

  private void stored(IngestOutcome outcome, IngestSource source, PeerId from) {
    if (outcome instanceof IngestOutcome.Stored s) {
      List<LogEntry> entries = new ArrayList<>(1 + s.unblocked().size());
      entries.add(s.entry());
      entries.addAll(s.unblocked());
      events.add(new CoreEvent.Stored(entries, source, from));
    }
  }

  /**
   * The identities a session offers: every followed one, up to the protocol's cap per session in
   * key order (a node that follows more syncs the first ones; the sync protocol has no way yet to
   * split them over sessions).
   */
  private Set<Identity> sessionFollows() {
    Set<Identity> follows = new TreeSet<>(store.follows());
    if (follows.size() <= SyncLimits.MAX_SESSION_IDENTITIES) {
      return follows;
    }
    Set<Identity> first = new TreeSet<>();
    for (Identity i : follows) {
      if (first.size() == SyncLimits.MAX_SESSION_IDENTITIES) {
        break;
      }
      first.add(i);
    }
    return first;
  }

  private void wantSyncWithAll(CoreEvent.SyncReason reason) {
    for (PeerId peer : connected) {
      wantSync(peer, reason);
    }
  }

  /** Only the peers that follow the topic's identity hold its logs (a session offers only common follows). */
  private void wantSyncWithSubscribers(String topic, CoreEvent.SyncReason reason) {
    for (PeerId peer : connected) {
      if (peerTopics.getOrDefault(peer, Set.of()).contains(topic)) {
        wantSync(peer, reason);
      }
    }
  }

  /** Whether {@code peer} subscribes to any of {@code ours}: only then has a session anything to exchange. */
  private boolean sharesTopic(PeerId peer, Set<String> ours) {
    for (String t : peerTopics.getOrDefault(peer, Set.of())) {
      if (ours.contains(t)) {
        return true;
      }
    }
    return false;
  }

  private void wantSync(PeerId peer, CoreEvent.SyncReason reason) {
    if (opening.contains(peer) || runningPerPeer.getOrDefault(peer, 0) > 0) {
      again.add(peer);
      return;
    }
    opening.add(peer);
    events.add(new CoreEvent.SyncDecided(peer, reason));
    commands.add(new CoreCommand.OpenSync(peer));
  }

  /**
   * Up to {@link CoreConfig#syncPeersPerRound} idle peers that follow someone we follow,
   * round-robin over the connected ones.
   */
  private void periodicRound() {
    if (config.syncPeersPerRound() == 0 || connected.isEmpty()) {
      return;
    }
    Set<String> ours = new HashSet<>();
    for (Identity i : store.follows()) {
      ours.add(Topics.forIdentity(i));
    }
    int started = 0;
    int n = connected.size();
    int tried = 0;
    while (tried < n && started < config.syncPeersPerRound()) {
      PeerId peer = connected.get((roundCursor + tried) % n);
      tried++;
      if (!opening.contains(peer) && runningPerPeer.getOrDefault(peer, 0) == 0 && sharesTopic(peer, ours)) {
        wantSync(peer, CoreEvent.SyncReason.PERIODIC);
        started++;
      }
    }
    roundCursor = n == 0 ? 0 : (roundCursor + tried) % n;
  }

  /** Stores one verified batch; the first entry the peer is to blame for fails the session. */
  private void store(SyncState s, List<Verification> batch, long nowNanos) {
    long wall = wallMillis(nowNanos);
    for (Verification v : batch) {
      IngestOutcome outcome;
      try {
        outcome = engine.ingest(v, IngestSource.SYNC, null, wall);
      } catch (RuntimeException storeFailed) {
        // Our store failed, not the peer: end the session before anything more is applied.
        s.failed = true;
        s.session.cancel("local failure while storing received entries: " + storeFailed, nowNanos);
        return;
      }
      stored(outcome, IngestSource.SYNC, s.peer);
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
    s.session.acknowledge(batch.size(), nowNanos); // Allowed after the end too; it then grants nothing.
  }

  /** Drains one session's outputs into the core's, and ends it once everything it brought is stored. */
  private void drain(SyncState s, long nowNanos) {
    for (byte[] out = s.session.pollOutbound().orElse(null); out != null; out = s.session.pollOutbound().orElse(null)) {
      if (!s.closed) {
        outbound.add(new SyncBytes(s.id, out));
      }
    }
    for (SyncEvent e = s.session.pollEvent().orElse(null); e != null; e = s.session.pollEvent().orElse(null)) {
      if (e instanceof SyncEvent.EntriesReceived received) {
        if (!s.failed) {
          commands.add(new CoreCommand.VerifyBatch(s.id, s.issued++, received.envelopes()));
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
      commands.add(new CoreCommand.CloseSync(s.id));
    }
    if (s.finished() && sessions.remove(s.id) != null) {
      end(s);
    }
  }

  private void blame(PeerId peer, RejectReason reason, SyncErrorCode code, String detail) {
    events.add(new CoreEvent.Blamed(peer, reason, code, detail));
  }

  private void end(SyncState s) {
    runningPerPeer.computeIfPresent(s.peer, (p, n) -> n == 1 ? null : n - 1);
    SyncEvent.Failed f = s.failure;
    events.add(f == null
        ? new CoreEvent.SyncEnded(s.id, s.peer, s.stats, null, null, null)
        : new CoreEvent.SyncEnded(s.id, s.peer, null, f.code(), f.fault(), f.detail()));
    if (f != null && f.fault() == SyncEvent.Fault.PEER) {
      long faults = peerFaults.merge(s.peer, 1L, Long::sum);
      if (faults % CoreConfig.MAX_PEER_FAULTS == 0) {
        // A peer that keeps breaking the protocol loses its connection (it may dial again).
        commands.add(new CoreCommand.Disconnect(s.peer, faults + " sync sessions failed by its fault"));
      }
    }
    if (again.remove(s.peer) && connections.containsKey(s.peer) && runningPerPeer.getOrDefault(s.peer, 0) == 0) {
      wantSync(s.peer, CoreEvent.SyncReason.AGAIN);
    }
  }
}
