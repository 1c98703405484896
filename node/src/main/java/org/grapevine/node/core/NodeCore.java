package org.grapevine.node.core;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.random.RandomGenerator;
import org.grapevine.libp2p.gossipsub.Acceptance;
import org.grapevine.libp2p.peer.PeerId;
import org.grapevine.node.engine.Engine;
import org.grapevine.node.engine.IngestOutcome;
import org.grapevine.node.engine.IngestSource;
import org.grapevine.node.storage.PostStore;
import org.grapevine.protocol.entry.LogEntry;
import org.grapevine.protocol.identity.Identity;
import org.grapevine.protocol.sync.SyncErrorCode;
import org.grapevine.protocol.topic.Topics;
import org.grapevine.protocol.validation.RejectReason;
import org.grapevine.protocol.validation.Verification;

/**
 * One node's behaviour between the wire and the store, without I/O: what to do with each entry that
 * arrives (by gossip, by sync, or written here), whom to blame for a bad one, when to sync and with
 * whom, and the sync sessions themselves. The running node ({@code Node}, over Netty and RocksDB)
 * and the virtual-time simulator (over a modelled network and a memory store) are two drivers of
 * this one class, so a simulation result is a statement about the node by construction
 * (docs/ARCHITECTURE.md, "Node core").
 *
 * <p>Call order (quinn's endpoint): after every input, drain {@link #pollOutbound} (sync bytes to
 * write), then {@link #pollCommand} (streams to open or close, batches to verify, peers to drop),
 * then {@link #pollEvent}; then ask {@link #pollTimeout} and call {@link #handleTimeout} at that
 * time. Every input carries the time in monotonic nanoseconds, non-decreasing; the core never reads
 * a clock ({@link CoreConfig#wallMillis} turns core time into the wall time the chain rules need)
 * and its only randomness is injected.
 *
 * <p>Rules:
 *
 * <ol>
 *   <li>Blame is the reason's: an entry refused for a reason whose {@link
 *       RejectReason#senderAtFault} is true makes gossip REJECT the message (the router lowers the
 *       sender's score) and fails the sync session as the peer's fault; any other outcome that is
 *       not stored is IGNOREd. Overload is never the sender's fault.
 *   <li>A peer whose sync sessions fail by its fault {@link CoreConfig#MAX_PEER_FAULTS} times (and
 *       every such multiple) loses its connection ({@link CoreCommand.Disconnect}).
 *   <li>Sync with a peer: when we dialled a new connection to it; in periodic rounds (peers that
 *       subscribe to a topic we follow, round-robin); on a gap (an entry ahead of its predecessors:
 *       with every connected subscriber of its topic, since any of them may hold the missing
 *       entries, not only the relay that had the later one); after a follow (with every connected
 *       subscriber of the new topic). A session offers only identities both sides follow, so a peer
 *       that subscribes to none of ours has nothing to exchange; what a peer subscribes to is what
 *       its gossip router announced. At most one session runs per peer at a time: a sync wanted
 *       while one runs is run once more after it ({@link CoreEvent.SyncReason#AGAIN}).
 *   <li>Received sync batches are verified by the driver (a thread pool, a modelled delay) and
 *       stored here in arrival order; the session grants the peer more only after a batch is
 *       stored, so a slow store slows the peer (back-pressure end to end).
 * </ol>
 *
 * Not thread-safe: the node confines it to its storage thread, the simulator to its event loop.
 */
public final class NodeCore {
  private final PostStore store;
  private final Engine engine;
  private final CoreConfig config;
  private final CoreOutputs out = new CoreOutputs();
  private final SyncSessions sync;

  /**
   * Connected peers in the order they came, with their connection count; the periodic round walks
   * this list.
   */
  private final List<PeerId> connected = new ArrayList<>();

  private final Map<PeerId, Integer> connections = new HashMap<>();

  /** Peers we asked the driver to open a sync stream to, not yet open. */
  private final Set<PeerId> opening = new HashSet<>();

  /** Peers to sync with once more when their running session ends. */
  private final Set<PeerId> again = new HashSet<>();

  /** The topics each connected peer told the gossip router it subscribes to. */
  private final Map<PeerId, Set<String>> peerTopics = new HashMap<>();

  private long nextRound;
  private int roundCursor;

  /**
   * @param engine the ingestion pipeline over {@code store}; the core is its only caller for
   *     received entries
   * @param random only for the phase of the first periodic round
   */
  public NodeCore(
      PostStore store, Engine engine, CoreConfig config, RandomGenerator random, long nowNanos) {
    this.store = store;
    this.engine = engine;
    this.config = config;
    this.sync = new SyncSessions(store, engine, config, out, this::syncEnded);
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
    sync.cancelAll(peer, nowNanos);
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
  public Acceptance handleGossipMessage(
      PeerId from, String topic, Verification verification, long nowNanos) {
    Optional<Identity> owner = Topics.identityOf(topic);
    IngestOutcome outcome =
        owner.isEmpty()
            ? new IngestOutcome.Rejected(
                RejectReason.WRONG_TOPIC, "not a Grapevine identity topic: " + topic)
            : engine.ingest(verification, IngestSource.GOSSIP, owner.get(), wallMillis(nowNanos));
    out.stored(outcome, IngestSource.GOSSIP, from);
    if (outcome instanceof IngestOutcome.Buffered) {
      wantSyncWithSubscribers(topic, CoreEvent.SyncReason.GAP);
    }
    Acceptance verdict = acceptance(outcome);
    if (verdict == Acceptance.REJECT) {
      IngestOutcome.Rejected r = (IngestOutcome.Rejected) outcome;
      out.events.add(new CoreEvent.Blamed(from, r.reason(), null, r.detail()));
    }
    return verdict;
  }

  /**
   * How gossip treats an outcome: only what could be stored is forwarded; blame as the reason says.
   */
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
   * An entry this node wrote (its device log, or its root log); stored durably before this returns.
   * The driver publishes it after a {@link IngestOutcome.Stored}.
   */
  public IngestOutcome handleOwnEntry(LogEntry entry, long nowNanos) {
    IngestOutcome outcome = engine.ingest(entry, IngestSource.OWN, wallMillis(nowNanos));
    out.stored(outcome, IngestSource.OWN, null);
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
    return sync.open(peer, nowNanos);
  }

  /** The sync stream we asked for could not be opened (the peer refused, the connection went). */
  public void handleSyncOpenFailed(PeerId peer, long nowNanos) {
    opening.remove(peer);
    again.remove(peer);
  }

  /** One message from the peer on sync stream {@code sync}, without its length prefix. */
  public void handleSyncMessage(long stream, byte[] message, long nowNanos) {
    sync.message(stream, message, nowNanos);
  }

  /** The bytes on sync stream {@code sync} do not split into frames: the peer's fault. */
  public void handleSyncFramingError(
      long stream, SyncErrorCode code, String detail, long nowNanos) {
    sync.framingError(stream, code, detail, nowNanos);
  }

  /** Sync stream {@code stream} was closed by the peer or reset, perhaps before the end. */
  public void handleSyncStreamClosed(long stream, boolean reset, long nowNanos) {
    sync.cancel(
        stream,
        reset ? "stream reset" : "the peer closed the stream before the end of the exchange",
        false,
        nowNanos);
  }

  /**
   * The verifications of {@link CoreCommand.VerifyBatch} {@code batch} on {@code stream}, in its
   * order.
   */
  public void handleSyncVerified(
      long stream, int batch, List<Verification> verifications, long nowNanos) {
    sync.verified(stream, batch, verifications, nowNanos);
  }

  /** The driver could not verify or store a batch (shutting down, a store failure). */
  public void handleSyncLocalFailure(long stream, String detail, long nowNanos) {
    sync.cancel(stream, "local failure: " + detail, true, nowNanos);
  }

  /** Sessions each peer failed by its own fault so far. */
  public Map<PeerId, Long> peerFaults() {
    return sync.peerFaults();
  }

  // ----------------------------------------------------------------------------------- timers

  /** The clock reached {@link #pollTimeout} (early calls do nothing). */
  public void handleTimeout(long nowNanos) {
    sync.timeout(nowNanos);
    if (nowNanos >= nextRound) {
      nextRound = nowNanos + config.syncIntervalNanos();
      periodicRound();
    }
  }

  /**
   * When to call {@link #handleTimeout} next: the next periodic round or a session's idle deadline.
   */
  public long pollTimeout() {
    return sync.nextDeadline(nextRound);
  }

  // ---------------------------------------------------------------------------------- outputs

  public Optional<SyncBytes> pollOutbound() {
    return Optional.ofNullable(out.outbound.pollFirst());
  }

  public Optional<CoreCommand> pollCommand() {
    return Optional.ofNullable(out.commands.pollFirst());
  }

  public Optional<CoreEvent> pollEvent() {
    return Optional.ofNullable(out.events.pollFirst());
  }

  // ---------------------------------------------------------------------------------- private

  private long wallMillis(long nowNanos) {
    return config.wallMillis().applyAsLong(nowNanos);
  }

  private void wantSyncWithAll(CoreEvent.SyncReason reason) {
    for (PeerId peer : connected) {
      wantSync(peer, reason);
    }
  }

  /**
   * Only the peers that follow the topic's identity hold its logs (a session offers only common
   * follows).
   */
  private void wantSyncWithSubscribers(String topic, CoreEvent.SyncReason reason) {
    for (PeerId peer : connected) {
      if (peerTopics.getOrDefault(peer, Set.of()).contains(topic)) {
        wantSync(peer, reason);
      }
    }
  }

  /**
   * Whether {@code peer} subscribes to any of {@code ours}: only then has a session anything to
   * exchange.
   */
  private boolean sharesTopic(PeerId peer, Set<String> ours) {
    for (String t : peerTopics.getOrDefault(peer, Set.of())) {
      if (ours.contains(t)) {
        return true;
      }
    }
    return false;
  }

  private void wantSync(PeerId peer, CoreEvent.SyncReason reason) {
    if (opening.contains(peer) || sync.running(peer)) {
      again.add(peer);
      return;
    }
    opening.add(peer);
    out.events.add(new CoreEvent.SyncDecided(peer, reason));
    out.commands.add(new CoreCommand.OpenSync(peer));
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
      if (!opening.contains(peer) && !sync.running(peer) && sharesTopic(peer, ours)) {
        wantSync(peer, CoreEvent.SyncReason.PERIODIC);
        started++;
      }
    }
    roundCursor = n == 0 ? 0 : (roundCursor + tried) % n;
  }

  /** A session with {@code peer} ended: run the one that was wanted meanwhile. */
  private void syncEnded(PeerId peer) {
    if (again.remove(peer) && connections.containsKey(peer) && !sync.running(peer)) {
      wantSync(peer, CoreEvent.SyncReason.AGAIN);
    }
  }
}
