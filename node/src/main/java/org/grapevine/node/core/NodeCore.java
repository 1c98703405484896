package org.grapevine.node.core;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.random.RandomGenerator;
import org.grapevine.collect.SmallMap;
import org.grapevine.libp2p.gossipsub.Acceptance;
import org.grapevine.libp2p.gossipsub.Direction;
import org.grapevine.libp2p.gossipsub.DropReason;
import org.grapevine.libp2p.gossipsub.GossipEvent;
import org.grapevine.libp2p.gossipsub.GossipMetrics;
import org.grapevine.libp2p.gossipsub.GossipProtocol;
import org.grapevine.libp2p.gossipsub.GossipRouter;
import org.grapevine.libp2p.gossipsub.OutboundRpc;
import org.grapevine.libp2p.gossipsub.Rpc;
import org.grapevine.libp2p.peer.PeerId;
import org.grapevine.node.config.NodeConfig;
import org.grapevine.node.engine.Engine;
import org.grapevine.node.engine.IngestOutcome;
import org.grapevine.node.engine.IngestSource;
import org.grapevine.node.storage.PostStore;
import org.grapevine.node.sync.Delegations;
import org.grapevine.protocol.addressed.AddressedCodec;
import org.grapevine.protocol.addressed.Addressees;
import org.grapevine.protocol.entry.LogEntry;
import org.grapevine.protocol.identity.AuthorKey;
import org.grapevine.protocol.identity.Identity;
import org.grapevine.protocol.sync.EntryRef;
import org.grapevine.protocol.sync.SyncErrorCode;
import org.grapevine.protocol.sync.SyncLimits;
import org.grapevine.protocol.topic.Topics;
import org.grapevine.protocol.validation.RejectReason;
import org.grapevine.protocol.validation.Verification;

/**
 * One node's behaviour between the wire and the store, without I/O: its GossipSub router, what to
 * do with each entry that arrives (by gossip, by sync, or written here), whom to blame for a bad
 * one, when to sync and with whom, and the sync sessions themselves. The running node ({@code
 * Node}, over Netty and RocksDB) and the virtual-time simulator (over a modelled network and a
 * memory store) are two drivers of this one class, so a simulation result is a statement about the
 * node by construction (docs/ARCHITECTURE.md, "Node core").
 *
 * <p>Call order (quinn's endpoint): after every input, drain {@link #pollRpc} (gossip RPCs to
 * write), {@link #pollOutbound} (sync bytes to write), then {@link #pollCommand} (streams to open
 * or close, messages and batches to verify, peers to drop), then {@link #pollEvent}; then ask
 * {@link #pollTimeout} and call {@link #handleTimeout} at that time. Every input carries the time
 * in monotonic nanoseconds, non-decreasing; the core never reads a clock ({@link
 * CoreConfig#wallMillis} turns core time into the wall time the chain rules need) and its only
 * randomness is injected.
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
 *       subscriber of the new topic, or if none is known, with the first connected peer heard to
 *       subscribe to it later: a follow right after a dial comes before the peer's subscriptions);
 *       when the driver asks ({@link #handleSyncWanted}, any connected peer); when a stored repost
 *       or quote post names an original the store lacks ({@link WantedOriginals}: with the
 *       subscribers of the original's identity, else the peer that sent it; the session asks for it
 *       by reference, sync.proto step 5a); when an identity joins the extended circle ({@link
 *       #enableCircle}: with the subscribers of its topic, or if none is known, with the first
 *       connected peer heard to subscribe to it later, such as one the {@link Rendezvous} found).
 *       What a peer subscribes to is what our router heard it announce. A session offers ours (the
 *       follows and the circle's fetched members), syncs those both follow and asks the peer by
 *       name for the rest, which it serves if it holds them (sync.proto step 2a). At most one
 *       session runs per peer at a time: a sync wanted while one runs is run once more after it
 *       ({@link CoreEvent.SyncReason#AGAIN}).
 *   <li>Gossip messages are verified by the driver ({@link CoreCommand.VerifyGossip}) and judged
 *       here in the order they arrived. How many wait is the router's bound (its {@code
 *       maxPendingValidations}, per topic and in all): it drops and counts the rest.
 *   <li>Own entries are published on their identity's topic once stored, and those that address
 *       others (replies, mentions, reactions, reposts, follows) on each addressee's topic too, as
 *       {@code Addressed} messages; a follow subscribes to the identity's topic and its addressee
 *       topic, an unfollow leaves both. Messages on an addressee topic go to {@link
 *       Engine#ingestAddressed}, which may store them loose (docs/ARCHITECTURE.md, "Addressed
 *       entries").
 *   <li>Received sync batches are verified by the driver (a thread pool, a modelled delay) and
 *       stored here in arrival order; the session grants the peer more only after a batch is
 *       stored, so a slow store slows the peer (back-pressure end to end).
 * </ol>
 *
 * Not thread-safe: the node confines it to its storage thread, the simulator to its event loop.
 */
public final class NodeCore {
  private final PostStore store;
  private final GossipRouter router;
  private final PendingGossip pending = new PendingGossip();

  /** The identity of every topic the router subscribes to. */
  private final Map<String, Identity> owners = new SmallMap<>();

  /** The identity of every addressee topic the router subscribes to (issue 15). */
  private final Map<String, Identity> addressees = new SmallMap<>();

  /** Own addressed messages waiting for a peer of their addressee topic (issue 15). */
  private final AddressedOutbox outbox = new AddressedOutbox();

  /** Peers that forward more addressed entries than the limits let through (issue 15). */
  private final FloodGuard floods;

  /**
   * The root-log delegation of each device this node wrote with, for addressed messages; null until
   * the first (most nodes of a simulation never write one).
   */
  private Map<AuthorKey, LogEntry> delegations;

  private final Engine engine;
  private final CoreConfig config;
  private final CoreOutputs out = new CoreOutputs();
  private final SyncSessions sync;

  private final SyncPlanner planner;

  /** Originals of held reposts and quotes that the store lacks, fetched by sync (issue 15). */
  private final WantedOriginals originals;

  /** Null without a DHT (tests, a simulation with the topic-peer oracle). */
  private final Rendezvous rendezvous;

  private final String ownTopic;

  /**
   * The extended circle (issue 17), null until {@link #enableCircle} (and for a core without one:
   * the simulator's, tests').
   */
  private CircleState circle;

  private NodeConfig.Circle circleConfig = new NodeConfig.Circle(false, 0, 0, 0);

  /** When the circle is recomputed at the latest (held bytes, blocks and mutes change too). */
  private long nextCircleRefresh;

  /**
   * How old a revocation must be before a follower of the writer that forwards the revoked device's
   * addressed entries is blamed: gossip carries it in seconds, and the periodic sync (a minute
   * apart by default) brings it to a follower that missed it.
   */
  static final long REVOCATION_GRACE_MILLIS = 10 * 60 * 1000L;

  /**
   * @param engine the ingestion pipeline over {@code store}; the core is its only caller for
   *     received entries
   * @param router the node's GossipSub router, new (no peers, no subscriptions yet); from now on
   *     the core is its only user
   * @param random only for the phase of the first periodic round
   */
  public NodeCore(
      PostStore store,
      Engine engine,
      GossipRouter router,
      CoreConfig config,
      RandomGenerator random,
      long nowNanos) {
    this(store, engine, router, config, random, nowNanos, null);
  }

  /**
   * A core that finds the peers of its topics through a DHT ({@link Rendezvous}); {@code dht} null
   * for none.
   */
  public NodeCore(
      PostStore store,
      Engine engine,
      GossipRouter router,
      CoreConfig config,
      RandomGenerator random,
      long nowNanos,
      RendezvousSetup dht) {
    this.store = store;
    this.engine = engine;
    this.router = router;
    this.config = config;
    SyncPeers syncPeers = new SyncPeers();
    this.planner =
        new SyncPlanner(
            router::subscribes,
            this::offered,
            config,
            out,
            syncPeers,
            nowNanos + 1 + random.nextLong(config.syncIntervalNanos()));
    this.originals = new WantedOriginals(store);
    this.sync =
        new SyncSessions(
            store,
            engine,
            config,
            out,
            planner::ended,
            planner::isConnected,
            originals::list,
            this::offered,
            syncPeers);
    out.onStored(
        stored -> {
          wantOriginals(stored);
          if (circle != null) {
            stored.entries().forEach(circle::stored);
          }
        });
    this.floods = new FloodGuard(engine.budgets().addressed());
    planner.setSessions(sync);
    this.ownTopic = dht == null ? null : Topics.forIdentity(dht.own());
    this.rendezvous =
        dht == null
            ? null
            : new Rendezvous(
                dht.dht(), dht.config(), Rendezvous.TopicView.of(router), out, nowNanos);
  }

  // ------------------------------------------------------------------------------------ peers

  /** A connection to {@code peer} is up; {@code weDialled} when this node opened it. */
  public void handlePeerConnected(PeerId peer, boolean weDialled, long nowNanos) {
    planner.connected(peer, weDialled);
  }

  /** A connection to {@code peer} is down; with its last one, its sessions end. */
  public void handlePeerDisconnected(PeerId peer, long nowNanos) {
    if (planner.disconnected(peer)) {
      sync.cancelAll(peer, nowNanos);
      floods.forget(peer);
      if (rendezvous != null) {
        rendezvous.handlePeerDisconnected(peer, nowNanos);
      }
    }
  }

  /**
   * The DHT and topic rendezvous, whose inputs the driver gives directly (identify, DHT requests
   * and answers); empty for a core without a DHT.
   */
  public Optional<Rendezvous> rendezvous() {
    return Optional.ofNullable(rendezvous);
  }

  /**
   * Keeps the extended circle ({@link Circle}; docs/ARCHITECTURE.md "Extended circle"): the logs of
   * identities that the followed identities follow, fetched by the same catch-up sync as followed
   * ones and kept within {@code config}'s budgets (the engine's {@link Engine.KeepPolicy}). Call
   * once, before {@link #handleStarted}; nothing when {@code config} is disabled.
   *
   * <p>Circle members are not subscribed to (neither their identity topic nor their addressee
   * topic): each subscription joins a GossipSub mesh whose traffic (every entry, IHAVE gossip, the
   * mesh upkeep) multiplies with hundreds of members, for logs that only feed a ranking. The
   * periodic sync brings their entries a sync interval late, from peers that follow them, which a
   * feed can afford. Those peers are the connected ones (who follow someone we follow, so likely
   * follow members too) and, for the first fetched members, peers found through the DHT: the {@link
   * Rendezvous} looks up the providers of their topics with a budget of its own and keeps one or
   * two per member connected (its rule 6); such a peer announces its subscription to the member's
   * topic, which makes the planner sync with it (reason {@link CoreEvent.SyncReason#CIRCLE}).
   */
  public void enableCircle(Identity own, NodeConfig.Circle config) {
    circleConfig = config;
    if (config.enabled()) {
      circle = new CircleState(store, own, config);
      engine.setKeepPolicy(circle);
    }
  }

  /** The extended circle now: members, bytes held, budgets, what was refused. */
  public CircleStatus circleStatus() {
    if (circle == null) {
      return new CircleStatus(circleConfig, List.of(), 0, 0, 0, 0, 0);
    }
    CircleStatus s = circle.status();
    return rendezvous == null
        ? s
        : s.withDht(rendezvous.circleTopics(), rendezvous.circleTopicPeers());
  }

  /** The connected peers that announced {@code identity}'s topic (a copy). */
  public java.util.Set<PeerId> subscribers(Identity identity) {
    return java.util.Set.copyOf(router.topicPeers(Topics.forIdentity(identity)));
  }

  /** Connected peers that announced {@code identity}'s topic (its GossipSub subscribers). */
  public int connectedSubscribers(Identity identity) {
    return router.topicPeers(Topics.forIdentity(identity)).size();
  }

  // ----------------------------------------------------------------------------------- gossip

  /** Subscribes the router to the topic of every identity the store follows (at start). */
  public void handleStarted(long nowNanos) {
    for (Identity followed : store.follows()) {
      subscribe(followed, nowNanos);
      if (circle != null) {
        circle.followedAtStart(followed); // Walked a few at a time, at the coming timers.
      }
    }
    routerEvents(nowNanos);
    refreshCircle(nowNanos);
  }

  /**
   * {@code peer} is ready for pubsub (our stream to it is open, or it sent us an RPC first).
   *
   * @param colocationIp its IP address for the colocation penalty, or null
   */
  public void handleGossipPeerUp(
      PeerId peer,
      Direction direction,
      GossipProtocol protocol,
      String colocationIp,
      long nowNanos) {
    router.handlePeerConnected(peer, direction, protocol, colocationIp, nowNanos);
    routerEvents(nowNanos);
  }

  /** The last connection to a peer announced by {@link #handleGossipPeerUp} is gone. */
  public void handleGossipPeerDown(PeerId peer, long nowNanos) {
    router.handlePeerDisconnected(peer, nowNanos);
    routerEvents(nowNanos);
  }

  /** An RPC from {@code peer}, announced by {@link #handleGossipPeerUp} before. */
  public void handleRpc(PeerId peer, Rpc rpc, long nowNanos) {
    router.handleRpc(peer, rpc, nowNanos);
    routerEvents(nowNanos);
  }

  /** The verification {@link CoreCommand.VerifyGossip} {@code token} asked for. */
  public void handleGossipVerified(long token, Verification verification, long nowNanos) {
    pending.verified(token, verification);
    routerEvents(nowNanos);
  }

  /** The driver could not verify gossip message {@code token} (shutting down): it is ignored. */
  public void handleGossipVerifyFailed(long token, long nowNanos) {
    pending.verified(token, null);
    routerEvents(nowNanos);
  }

  /**
   * Judges one verified gossip message on {@code topic} from {@code from} (the peer that forwarded
   * it). Returns the router's verdict: ACCEPT forwards it, REJECT costs {@code from} score, IGNORE
   * drops it.
   */
  private Acceptance judge(PeerId from, String topic, Verification verification, long nowNanos) {
    // The router hands out messages of subscribed topics only, whose owners are known; parsing
    // the topic instead validates the key's point order, as costly as a signature check.
    Identity addressee = addressees.get(topic);
    Identity known = owners.get(topic);
    Optional<Identity> owner = known != null ? Optional.of(known) : Topics.identityOf(topic);
    IngestSource source = addressee != null ? IngestSource.ADDRESSED : IngestSource.GOSSIP;
    IngestOutcome outcome;
    if (addressee != null) {
      outcome = engine.ingestAddressed(verification, addressee, wallMillis(nowNanos));
      boolean flooding =
          verification instanceof Verification.Valid valid
              && floods.floods(from, valid.entry().header().identity(), addressee, nowNanos);
      if (flooding
          && outcome instanceof IngestOutcome.Ignored ignored
          && (ignored.cause() == Engine.Counter.IGNORED_WRITER_LIMIT
              || ignored.cause() == Engine.Counter.IGNORED_ADDRESSEE_LIMIT)) {
        outcome =
            new IngestOutcome.Rejected(
                RejectReason.FLOOD,
                from
                    + " forwarded more addressed entries than a node keeping the limits would ("
                    + ignored.why()
                    + ")");
      }
      outcome = revokedKnowingly(from, verification, outcome, wallMillis(nowNanos));
    } else if (owner.isEmpty()) {
      outcome =
          new IngestOutcome.Rejected(
              RejectReason.WRONG_TOPIC, "not a Grapevine identity topic: " + topic);
    } else {
      outcome = engine.ingest(verification, IngestSource.GOSSIP, owner.get(), wallMillis(nowNanos));
    }
    out.stored(outcome, source, from);
    if (outcome instanceof IngestOutcome.Buffered) {
      planner.wantWithSubscribers(topic, CoreEvent.SyncReason.GAP);
    }
    Acceptance verdict = Verdicts.acceptance(outcome);
    if (verdict == Acceptance.REJECT) {
      IngestOutcome.Rejected r = (IngestOutcome.Rejected) outcome;
      out.events.add(new CoreEvent.Blamed(from, r.reason(), null, r.detail()));
    }
    return verdict;
  }

  /**
   * Takes in what the router heard (messages to verify, subscriptions) and judges the messages
   * whose verification is back, until the router has nothing more to tell.
   */
  private void routerEvents(long nowNanos) {
    boolean more = true;
    while (more) {
      for (GossipEvent e = router.pollEvent().orElse(null);
          e != null;
          e = router.pollEvent().orElse(null)) {
        if (e instanceof GossipEvent.MessageReceived m) {
          verify(m);
        } else if (e instanceof GossipEvent.Subscribed s) {
          planner.subscribed(s.peer(), s.topic());
          if (outbox.waitsFor(s.topic())) {
            sendWaiting(s.topic(), nowNanos);
          }
        } else if (!(e instanceof GossipEvent.Unsubscribed)) {
          out.events.add(new CoreEvent.Gossip(e));
        }
      }
      int before = pending.size();
      pending.drainReady(
          (m, v) -> {
            Acceptance verdict =
                v == null ? Acceptance.IGNORE : judge(m.source(), m.topic(), v, nowNanos);
            out.events.add(new CoreEvent.GossipJudged(m.id(), m.source(), m.topic(), verdict));
            router.reportValidation(m.id(), m.source(), verdict);
          });
      more = pending.size() != before; // Forwarding may have made events.
    }
  }

  private void verify(GossipEvent.MessageReceived m) {
    out.commands.add(
        new CoreCommand.VerifyGossip(
            pending.add(m), m.id(), m.data(), addressees.containsKey(m.topic())));
  }

  // ----------------------------------------------------------------------------- own writes

  /**
   * An entry this node wrote (its device log, or its root log); stored durably before this returns,
   * then published on its identity's topic.
   */
  public IngestOutcome handleOwnEntry(LogEntry entry, long nowNanos) {
    IngestOutcome outcome = engine.ingest(entry, IngestSource.OWN, wallMillis(nowNanos));
    out.stored(outcome, IngestSource.OWN, null);
    if (outcome instanceof IngestOutcome.Stored) {
      publish(entry, nowNanos);
      publishAddressed(entry, nowNanos);
    }
    return outcome;
  }

  /**
   * This node started following someone (the store follows them): subscribe to their topic and
   * fetch their history.
   */
  public void handleFollowed(Identity followed, long nowNanos) {
    subscribe(followed, nowNanos);
    routerEvents(nowNanos);
    planner.followed(Topics.forIdentity(followed));
    if (circle != null) {
      circle.followed(followed);
      refreshCircle(nowNanos);
    }
  }

  /** This node stopped following someone: leave their topic. */
  public void handleUnfollowed(Identity unfollowed, long nowNanos) {
    String topic = Topics.forIdentity(unfollowed);
    owners.remove(topic);
    String to = Topics.forAddressee(unfollowed);
    addressees.remove(to);
    router.unsubscribe(to, nowNanos);
    planner.unfollowed(topic);
    router.unsubscribe(topic, nowNanos);
    if (rendezvous != null) {
      rendezvous.unsubscribed(topic, nowNanos);
    }
    routerEvents(nowNanos);
    if (circle != null) {
      // Its follows may leave the circle: they are not fetched any more, and what is held of them
      // stays, as an unfollow leaves the unfollowed identity's entries.
      circle.unfollowed(unfollowed);
      refreshCircle(nowNanos);
    }
  }

  /**
   * This device's delegation was written (stored by the driver): publish it, and sync with every
   * connected peer so that they hold it before the device's first entry reaches them.
   */
  public void handleDelegated(LogEntry delegation, long nowNanos) {
    publish(delegation, nowNanos);
    planner.wantWithAll(CoreEvent.SyncReason.DELEGATED);
  }

  // ------------------------------------------------------------------------------------- sync

  /**
   * A sync stream with {@code peer} is open, either the one we asked for ({@link
   * CoreCommand.OpenSync}) or one the peer opened. Returns its id for the inputs below.
   */
  public long handleSyncStream(PeerId peer, long nowNanos) {
    return handleSyncStream(peer, false, nowNanos);
  }

  /**
   * {@link #handleSyncStream(PeerId, long)} on a connection that is {@code limited} (through a
   * relay, which cuts it after a few hundred KiB): the session serves and asks for small batches
   * ({@link SyncLimits#LIMITED}).
   */
  public long handleSyncStream(PeerId peer, boolean limited, long nowNanos) {
    planner.opened(peer);
    return sync.open(peer, limited ? SyncLimits.LIMITED : config.syncLimits(), nowNanos);
  }

  /**
   * Sync with {@code peer} even if it subscribes to no topic of ours: the session asks it by name.
   * False, deciding nothing, if it is not connected (dial it: a connection we dial syncs by
   * itself). No driver calls it yet; providers found through the DHT need not (see {@link
   * CoreEvent.SyncReason#REQUESTED}).
   */
  public boolean handleSyncWanted(PeerId peer, long nowNanos) {
    return planner.wantRequested(peer);
  }

  /** The sync stream we asked for could not be opened (the peer refused, the connection went). */
  public void handleSyncOpenFailed(PeerId peer, long nowNanos) {
    planner.openFailed(peer);
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

  /** Originals wanted by reference now, and those dropped so far because too many were wanted. */
  public long[] wantedOriginals() {
    return new long[] {originals.size(), originals.dropped()};
  }

  /** The router's counters (drops by reason, mesh sizes, peer scores). */
  public GossipMetrics gossipMetrics() {
    return router.metrics();
  }

  /** What the router dropped so far, by reason. */
  public Map<DropReason, Long> gossipDrops() {
    return router.drops();
  }

  /** What became of own addressed messages that had to wait for a peer (issue 15). */
  public OutboxCounts addressedOutbox() {
    return new OutboxCounts(
        outbox.held(), outbox.sentLate(), outbox.expired(), outbox.droppedFull(), outbox.size());
  }

  /** The router's score of {@code peer} (0 for a peer it does not know). */
  public double gossipScore(PeerId peer) {
    return router.peerScore(peer);
  }

  /** Sessions each peer failed by its own fault so far. */
  public Map<PeerId, Long> peerFaults() {
    return sync.peerFaults();
  }

  // ----------------------------------------------------------------------------------- timers

  /** The clock reached {@link #pollTimeout} (early calls do nothing). */
  public void handleTimeout(long nowNanos) {
    router.handleTimeout(nowNanos);
    routerEvents(nowNanos);
    for (String emptied : outbox.expire(nowNanos)) {
      if (rendezvous != null) {
        rendezvous.reached(emptied, nowNanos);
      }
    }
    sync.timeout(nowNanos);
    if (circle != null && (circle.dirty() || nowNanos - nextCircleRefresh >= 0)) {
      refreshCircle(nowNanos);
    }
    planner.timeout(nowNanos);
    if (rendezvous != null) {
      rendezvous.timeout(nowNanos);
    }
  }

  /**
   * When to call {@link #handleTimeout} next: the router's heartbeat, the next periodic round or a
   * session's idle deadline.
   */
  public long pollTimeout() {
    long next = sync.nextDeadline(planner.nextRound());
    OptionalLong heartbeat = router.pollTimeout();
    if (heartbeat.isPresent() && heartbeat.getAsLong() - next < 0) {
      next = heartbeat.getAsLong();
    }
    if (rendezvous != null) {
      long dht = rendezvous.nextDeadline(); // once: drivers call this after every input
      if (dht - next < 0) {
        next = dht;
      }
    }
    if (circle != null && nextCircleRefresh - next < 0) {
      next = nextCircleRefresh;
    }
    long expiry = outbox.nextExpiry();
    if (expiry != Long.MAX_VALUE && expiry - next < 0) {
      next = expiry;
    }
    return next;
  }

  // ---------------------------------------------------------------------------------- outputs

  /** The next gossip RPC to write to its peer. */
  public Optional<OutboundRpc> pollRpc() {
    return router.pollOutbound();
  }

  public Optional<SyncBytes> pollOutbound() {
    return Optional.ofNullable(out.outbound.poll());
  }

  public Optional<CoreCommand> pollCommand() {
    return Optional.ofNullable(out.commands.poll());
  }

  public Optional<CoreEvent> pollEvent() {
    return Optional.ofNullable(out.events.poll());
  }

  // ---------------------------------------------------------------------------------- private

  /**
   * Joins the identity's topic and its addressee topic (issue 15): what others address to someone
   * we follow reaches us too, so their threads show the replies of people we do not follow. The
   * node follows itself, so it hears what is addressed to it.
   */
  private void subscribe(Identity identity, long nowNanos) {
    String topic = Topics.forIdentity(identity);
    owners.put(topic, identity);
    router.subscribe(topic, nowNanos);
    String to = Topics.forAddressee(identity);
    addressees.put(to, identity);
    router.subscribe(to, nowNanos);
    if (rendezvous != null) {
      rendezvous.subscribed(topic, topic.equals(ownTopic), nowNanos);
    }
  }

  private void publish(LogEntry entry, long nowNanos) {
    try {
      router.publish(
          Topics.forIdentity(entry.header().identity()), entry.toEnvelopeBytes(), nowNanos);
    } catch (IllegalStateException seen) {
      // The router has seen this entry already (it came back to us before we published it): its
      // peers have it or will get it from the cache; nothing to send again.
    }
    routerEvents(nowNanos);
  }

  /**
   * Publishes an own entry that addresses others ({@link Addressees}) on each addressee's topic as
   * an {@code Addressed} message, with the delegation of the device that wrote it. GossipSub sends
   * it to the topic's mesh if we are in it (we follow the addressee), else to its fanout (peers
   * heard to subscribe). With no connected subscriber it waits in the {@link AddressedOutbox} while
   * the {@link Rendezvous} looks for the addressee's peers (docs/ARCHITECTURE.md, "Reaching the
   * addressee"). Our own identity is left out (our followers have the entry on our topic).
   */
  private void publishAddressed(LogEntry entry, long nowNanos) {
    if (entry.header().inRootLog() || entry.content().isEmpty()) {
      return;
    }
    Set<Identity> to = new LinkedHashSet<>(Addressees.of(entry.content().get()));
    to.remove(entry.header().identity());
    if (to.isEmpty()) {
      return;
    }
    LogEntry delegation = delegation(entry.header().identity(), entry.header().author());
    if (delegation == null) {
      return; // Cannot be: the store took the entry, so it holds the delegation.
    }
    byte[] message = AddressedCodec.encode(entry, delegation);
    for (Identity addressee : to) {
      String topic = Topics.forAddressee(addressee);
      if (!router.topicPeers(topic).isEmpty()) {
        publishOn(topic, message, nowNanos);
      } else if (outbox.hold(topic, message, nowNanos)
          && rendezvous != null
          && !addressees.containsKey(topic)) {
        // A topic we follow is looked up by the rendezvous already; its subscribers will come.
        rendezvous.reach(Topics.forIdentity(addressee), topic, nowNanos);
      }
    }
    routerEvents(nowNanos);
  }

  /** A peer subscribed to addressee topic {@code to}: what waited for it goes now. */
  private void sendWaiting(String to, long nowNanos) {
    for (byte[] message : outbox.take(to)) {
      publishOn(to, message, nowNanos);
    }
    if (rendezvous != null) {
      rendezvous.reached(to, nowNanos);
    }
  }

  private void publishOn(String topic, byte[] message, long nowNanos) {
    try {
      router.publish(topic, message, nowNanos);
    } catch (IllegalStateException seen) {
      // Published before (the same bytes): nothing to send again.
    }
  }

  /**
   * A revoked device's addressed entry is refused ({@link RejectReason#REVOKED_DEVICE}) without
   * blaming the forwarder, since a relay that does not hold the writer's root log cannot know of
   * the revocation. A forwarder subscribed to the writer's identity topic holds that log (it
   * follows the writer; the writer's own node subscribes so too): once the revocation is older than
   * {@link #REVOCATION_GRACE_MILLIS}, long enough to have reached it by gossip or a periodic sync,
   * forwarding the entry is its fault ({@link RejectReason#REVOKED_KNOWN}).
   */
  private IngestOutcome revokedKnowingly(
      PeerId from, Verification verification, IngestOutcome outcome, long nowMillis) {
    if (!(outcome instanceof IngestOutcome.Rejected r)
        || r.reason() != RejectReason.REVOKED_DEVICE
        || !(verification instanceof Verification.Valid valid)) {
      return outcome;
    }
    Identity writer = valid.entry().header().identity();
    if (!router.subscribes(from, Topics.forIdentity(writer))) {
      return outcome;
    }
    LogEntry revocation =
        Delegations.revocation(store, writer, valid.entry().header().author()).orElse(null);
    long age = revocation == null ? 0 : nowMillis - revocation.header().timestampMillis();
    if (revocation == null || age < REVOCATION_GRACE_MILLIS) {
      return outcome;
    }
    return new IngestOutcome.Rejected(
        RejectReason.REVOKED_KNOWN,
        from
            + " follows "
            + writer
            + " and forwarded an entry of a device revoked "
            + age / 1000
            + " s ago ("
            + r.detail()
            + ")");
  }

  /** The held root-log entry of {@code identity} that delegated {@code device}; null if none. */
  private LogEntry delegation(Identity identity, AuthorKey device) {
    LogEntry cached = delegations == null ? null : delegations.get(device);
    if (cached != null) {
      return cached;
    }
    LogEntry found = Delegations.find(store, identity, device).orElse(null);
    if (found != null) {
      if (delegations == null) {
        delegations = new HashMap<>();
      }
      delegations.put(device, found);
    }
    return found;
  }

  /**
   * Records the originals that stored reposts and quote posts refer to and the store lacks, and
   * syncs for the new ones ({@link SyncPlanner#wantOriginals}); the sessions ask for them by
   * reference (sync.proto step 5a). An original fetched so is not followed further (the API shows
   * one level).
   */
  private void wantOriginals(CoreEvent.Stored stored) {
    List<EntryRef> added =
        originals.stored(stored.entries(), stored.source() != IngestSource.BY_REF);
    if (!added.isEmpty()) {
      planner.wantOriginals(added, stored.from());
    }
  }

  /** What a sync session offers: the follows and the circle's fetched members, in key order. */
  private SortedSet<Identity> offered() {
    SortedSet<Identity> out = new TreeSet<>(store.follows());
    if (circle != null) {
      out.addAll(circle.fetched());
    }
    return out;
  }

  /**
   * Recomputes the circle; members fetched now that were not are synced for with the peers that
   * subscribe to their topics (they follow them, so hold their logs), as a follow is, or without
   * one connected, with the first connected peer heard to subscribe later (one the rendezvous
   * found, say); the periodic round and the sessions' names bring them too. The rendezvous is told
   * the fetched members whenever they change (in circle order: it looks up the first ones).
   */
  private void refreshCircle(long nowNanos) {
    if (circle == null) {
      return;
    }
    nextCircleRefresh = nowNanos + config.syncIntervalNanos();
    List<Identity> before = circle.fetchedInOrder();
    for (Identity joined : circle.refresh()) {
      planner.circleJoined(Topics.forIdentity(joined));
    }
    List<Identity> now = circle.fetchedInOrder();
    if (!now.equals(before)) {
      List<String> topics = new ArrayList<>(now.size());
      now.forEach(i -> topics.add(Topics.forIdentity(i)));
      planner.circleFetched(topics);
      if (rendezvous != null) {
        rendezvous.circle(topics, nowNanos);
      }
    }
  }

  private long wallMillis(long nowNanos) {
    return config.wallMillis().applyAsLong(nowNanos);
  }
}
