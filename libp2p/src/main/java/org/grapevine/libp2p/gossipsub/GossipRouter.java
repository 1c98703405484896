package org.grapevine.libp2p.gossipsub;

import com.google.protobuf.ByteString;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.random.RandomGenerator;
import org.grapevine.collect.Fifo;
import org.grapevine.collect.SmallMap;
import org.grapevine.collect.SmallSet;
import org.grapevine.libp2p.MalformedFrameException;
import org.grapevine.libp2p.crypto.PrivKey;
import org.grapevine.libp2p.peer.PeerId;
import org.grapevine.libp2p.proto.ControlGraft;
import org.grapevine.libp2p.proto.ControlIDontWant;
import org.grapevine.libp2p.proto.ControlIHave;
import org.grapevine.libp2p.proto.ControlIWant;
import org.grapevine.libp2p.proto.ControlMessage;
import org.grapevine.libp2p.proto.ControlPrune;
import org.grapevine.libp2p.proto.Message;
import org.grapevine.libp2p.proto.PeerInfo;
import org.grapevine.libp2p.proto.RPC;

/**
 * GossipSub v1.2 router state for one node (libp2p/specs pubsub/gossipsub/gossipsub-v1.0.md,
 * -v1.1.md, -v1.2.md). Sans-I/O: no sockets, threads, clocks, futures or logging of payloads. Not
 * thread-safe: confine to one event loop (Netty) or to the simulator thread.
 *
 * <p>Method kinds (as in quinn-proto's Connection):
 *
 * <ul>
 *   <li>{@code handle*}: inputs from the network or the clock; always take {@code nowNanos};
 *   <li>commands from the application: {@link #subscribe}, {@link #unsubscribe}, {@link #publish},
 *       {@link #reportValidation}, {@link #setApplicationScore};
 *   <li>{@code poll*}: outputs. After any input or command, drain in this order: {@link
 *       #pollOutbound} until empty, then {@link #pollTimeout}, then {@link #pollEvent}.
 * </ul>
 *
 * Inputs must carry non-decreasing time. Commands without a time argument use the latest input's.
 *
 * <p>Rule 1: every decision lives here or in the small structures it owns ({@link MessageCache},
 * {@link SeenCache}, {@link Backoffs}, {@link GossipPromises}, {@link PeerScore}); adapters only
 * move bytes. Rule 2: each input's outbound traffic is batched into at most one RPC per peer.
 *
 * <p>Discrepancies and choices:
 *
 * <ul>
 *   <li>No floodsub peers and no direct (explicit) peers.
 *   <li>GRAFT for a topic we do not join is ignored (v1.1 spam protection), not answered.
 *   <li>PX is offered only to peers scoring at least 0 (the spec; go does the same) and used only
 *       from peers at or above the accept-PX threshold; signed peer records are not produced or
 *       checked, PX candidates reach the driver as {@link GossipEvent.PeerExchange} ids.
 *   <li>Validation has no timeout: a bounded number of messages may await a verdict; newer ones are
 *       dropped ({@link DropReason#VALIDATION_QUEUE_FULL}) and their ids stay seen.
 *   <li>Score decay runs at heartbeats, so a decay interval shorter than the heartbeat is rounded
 *       up.
 * </ul>
 */
public final class GossipRouter {
  private record Pending(Message message, PeerId source) {}

  private final GossipConfig config;
  private final PeerId self;
  private final ByteString selfBytes;
  private final PrivKey signingKey;
  private final RandomGenerator random;
  private final PeerScoreThresholds thresholds;

  // SmallMaps, as LinkedHashMaps iterate: at a million simulated routers their entries were the
  // largest part of the heap (see SmallMap).
  private final Map<PeerId, PeerState> peers = new SmallMap<>();

  /**
   * The known subscribers of each topic we have joined, in the order they subscribed (or connected,
   * for those that subscribed before we joined). Only joined topics are indexed: a router learns
   * every topic of every peer, a hundred or more where it joins a few, and the others are needed
   * rarely (a publish to a topic we have not joined, its fanout, a floodsub peer's message), so
   * {@link #peersOf} scans the peers for them instead. At a million simulated nodes the full index
   * was the largest single table of each router.
   */
  private final TopicPeers topicPeers = new TopicPeers();

  private final Map<String, Set<PeerId>> mesh = new SmallMap<>();
  private final Map<String, Set<PeerId>> fanout = new SmallMap<>();

  private final Map<String, Long> fanoutLastPublish = new SmallMap<>();

  private final TopicSets topicSets;

  /** See {@link #share}. */
  private Rpc lastAnnouncement;

  private final MessageCache mcache;
  private final SeenCache seen;
  private final Backoffs backoffs = new Backoffs();
  private final GossipPromises promises = new GossipPromises();
  private final PeerScore score;
  private final LinkedHashMap<MessageId, Pending> pending = new LinkedHashMap<>();

  /** Pending validations per topic, for {@link GossipConfig#maxPendingValidationsPerTopic()}. */
  private final Map<String, Integer> pendingPerTopic = new HashMap<>();

  private final Set<PeerId> dirty = new SmallSet<>();
  // Drained after every input, so empty nearly always (see Fifo).
  private final Fifo<OutboundRpc> outbound = new Fifo<>();
  private final Fifo<GossipEvent> events = new Fifo<>();

  private long now;
  private boolean started;
  private long nextHeartbeat;
  private long nextDecay;
  private long heartbeatTicks;

  /** Some peer may hold IDONTWANT ids (false: the heartbeat need not visit every peer). */
  private boolean dontWantHeld;

  private long nextSeqno;

  private long messagesIn;
  private long messagesOut;
  private long duplicates;
  private long ihaveIn;
  private long ihaveOut;
  private long iwantIn;
  private long iwantOut;
  private long iwantServed;
  private long graftIn;
  private long graftOut;
  private long pruneIn;
  private long pruneOut;
  private long idontwantIn;
  private long idontwantOut;

  /** Null until the first drop (most routers of a large simulation drop nothing). */
  private Map<DropReason, Long> drops;

  /**
   * @param signingKey our identity key, required for {@link SignaturePolicy#STRICT_SIGN} (null
   *     otherwise); it must belong to {@code self}
   */
  public GossipRouter(
      GossipConfig config, PeerId self, PrivKey signingKey, RandomGenerator random) {
    this(config, self, signingKey, random, new TopicSets());
  }

  /**
   * @param topicSets where peers' topic lists are kept: one shared by many routers driven by one
   *     thread holds each list once for all of them (a simulation's routers)
   */
  public GossipRouter(
      GossipConfig config,
      PeerId self,
      PrivKey signingKey,
      RandomGenerator random,
      TopicSets topicSets) {
    this.config = config;
    this.topicSets = Objects.requireNonNull(topicSets, "topicSets");
    this.self = self;
    this.selfBytes = ByteString.copyFrom(self.toBytes());
    this.random = random;
    this.thresholds = config.scoreThresholds();
    if (config.signaturePolicy() == SignaturePolicy.STRICT_SIGN) {
      if (signingKey == null || !PeerId.fromPubKey(signingKey.publicKey()).equals(self)) {
        throw new IllegalArgumentException("STRICT_SIGN needs the signing key of " + self);
      }
    }
    this.signingKey = signingKey;
    this.mcache = new MessageCache(config.mcacheLen(), config.mcacheGossip());
    this.seen = new SeenCache(config.seenTtlNanos());
    this.score =
        new PeerScore(
            config.scoreParams(),
            config.seenTtlNanos(),
            p -> {
              PeerState ps = peers.get(p);
              return ps == null ? null : ps.stats;
            });
    this.nextSeqno = config.initialSeqno();
  }

  public GossipConfig config() {
    return config;
  }

  // ---------------------------------------------------------------- inputs

  /**
   * Same as {@link #handlePeerConnected(PeerId, Direction, GossipProtocol, String, long)} without
   * an IP (no P6).
   */
  public void handlePeerConnected(
      PeerId peer, Direction direction, GossipProtocol protocol, long nowNanos) {
    handlePeerConnected(peer, direction, protocol, null, nowNanos);
  }

  /**
   * A pubsub peer is ready: streams in both directions can carry RPCs. Sends it our subscriptions.
   *
   * @param ip the peer's IP address for P6 (IP colocation), or null when unknown
   */
  public void handlePeerConnected(
      PeerId peer, Direction direction, GossipProtocol protocol, String ip, long nowNanos) {
    advance(nowNanos);
    if (peers.containsKey(peer) || peer.equals(self)) {
      throw new IllegalStateException(peer + " is already connected or is us");
    }
    PeerState ps = new PeerState(direction, protocol, score.addPeer(peer, ip));
    peers.put(peer, ps);
    if (!mesh.isEmpty()) {
      RPC.Builder out = out(peer, ps);
      for (String topic : mesh.keySet()) {
        out.addSubscriptions(joining(topic)); // the whole RPC is shared when equal (share)
      }
    }
    flush();
  }

  public void handlePeerDisconnected(PeerId peer, long nowNanos) {
    advance(nowNanos);
    if (!peers.containsKey(peer)) {
      return;
    }
    score.removePeer(peer, now); // first: the score finds a connected peer's counters here
    PeerState ps = peers.remove(peer);
    for (int i = 0; i < ps.topics.size(); i++) {
      topicPeers.remove(ps.topics.get(i), peer);
    }
    mesh.values().forEach(m -> m.remove(peer));
    fanout.values().forEach(f -> f.remove(peer));
    dirty.remove(peer);
    outbound.removeIf(o -> o.to().equals(peer));
  }

  /** An RPC decoded from {@code from}'s stream. */
  public void handleRpc(PeerId from, Rpc rpc, long nowNanos) {
    advance(nowNanos);
    PeerState ps = peers.get(from);
    if (ps == null) {
      throw new IllegalStateException("RPC from " + from + ", which is not connected");
    }
    // Graylisted peers are ignored whole (gossipsub-v1.1.md "Score Thresholds").
    if (!atLeast(from, thresholds.graylistThreshold())) {
      drop(DropReason.GRAYLISTED);
      return;
    }
    RPC proto = rpc.proto();
    for (RPC.SubOpts sub : proto.getSubscriptionsList()) {
      onSubscription(from, ps, sub);
    }
    if (proto.getSubscriptionsCount() > 0) {
      ps.topics = topicSets.share(ps.topics);
    }
    for (Message m : proto.getPublishList()) {
      onMessage(from, m);
    }
    if (proto.hasControl() && ps.protocol.isMeshsub()) { // Floodsub has no control messages.
      ControlMessage c = proto.getControl();
      c.getIdontwantList().forEach(idw -> onIDontWant(ps, idw));
      c.getIhaveList().forEach(ih -> onIHave(from, ps, ih));
      c.getIwantList().forEach(iw -> onIWant(from, iw));
      c.getGraftList().forEach(g -> onGraft(from, ps, g));
      c.getPruneList().forEach(p -> onPrune(from, p));
    }
    flush();
  }

  /** Runs the heartbeat when due; call at (or after) {@link #pollTimeout()}'s deadline. */
  public void handleTimeout(long nowNanos) {
    advance(nowNanos);
    if (nowNanos - nextHeartbeat >= 0) {
      heartbeat();
      nextHeartbeat += config.heartbeatIntervalNanos();
      if (nextHeartbeat - nowNanos <= 0) {
        nextHeartbeat =
            nowNanos + config.heartbeatIntervalNanos(); // We fell behind: skip, do not burst.
      }
    }
    flush();
  }

  // ---------------------------------------------------------------- commands

  /**
   * Joins {@code topic} (gossipsub-v1.0.md "JOIN"): announces it to every peer and builds the mesh.
   */
  public void subscribe(String topic, long nowNanos) {
    advance(nowNanos);
    if (mesh.containsKey(topic)) {
      return;
    }
    Set<PeerId> m = new SmallSet<>(); // at most D_hi members, in the order they were grafted
    for (Map.Entry<PeerId, PeerState> e : peers.entrySet()) {
      if (e.getValue().topics.contains(topic)) {
        topicPeers.add(topic, e.getKey());
      }
    }
    mesh.put(topic, m);
    Set<PeerId> fromFanout = fanout.remove(topic);
    fanoutLastPublish.remove(topic);
    if (fromFanout != null) {
      for (PeerId p : fromFanout) {
        if (m.size() < config.d() && atLeast(p, 0) && !backoffs.isBackedOff(topic, p, now)) {
          graft(topic, p);
        }
      }
    }
    for (PeerId p : eligible(topic, m)) {
      if (m.size() >= config.d()) {
        break;
      }
      graft(topic, p);
    }
    RPC.SubOpts join = joining(topic); // one, shared by every peer's RPC
    for (PeerId p : peers.keySet()) {
      out(p).addSubscriptions(join);
    }
    flush();
  }

  /**
   * Leaves {@code topic} (gossipsub-v1.0.md "LEAVE"): PRUNEs the mesh with the unsubscribe backoff.
   */
  public void unsubscribe(String topic, long nowNanos) {
    advance(nowNanos);
    Set<PeerId> m = mesh.get(topic);
    if (m == null) {
      return;
    }
    for (PeerId p : new ArrayList<>(m)) {
      prune(topic, p, config.unsubscribeBackoffNanos(), false);
    }
    mesh.remove(topic);
    topicPeers.removeTopic(topic);
    for (PeerId p : peers.keySet()) {
      out(p).addSubscriptions(RPC.SubOpts.newBuilder().setSubscribe(false).setTopicid(topic));
    }
    flush();
  }

  /**
   * Publishes {@code data} to {@code topic} and returns the message id. With flood publishing (the
   * default) the message goes to every topic peer at or above the publish threshold; otherwise to
   * the mesh, or to the topic's fanout when we have not joined it.
   *
   * @throws IllegalStateException when the same message id was already seen (e.g. identical data
   *     with a content-based id function)
   */
  public MessageId publish(String topic, byte[] data, long nowNanos) {
    advance(nowNanos);
    Message.Builder b = Message.newBuilder().setTopic(topic).setData(ByteString.copyFrom(data));
    Message message;
    if (config.signaturePolicy() == SignaturePolicy.STRICT_SIGN) {
      b.setFrom(selfBytes).setSeqno(MessageSigning.seqnoBytes(nextSeqno++));
      message = MessageSigning.sign(b.build(), signingKey);
    } else {
      message = b.build();
    }
    MessageId id = config.messageIdFunction().apply(message);
    if (!seen.add(id, now)) {
      throw new IllegalStateException("message " + id + " was already published or received");
    }
    mcache.put(id, message);
    for (PeerId p : publishTargets(topic)) {
      sendMessage(p, message);
    }
    flush();
    return id;
  }

  private Collection<PeerId> publishTargets(String topic) {
    Set<PeerId> known = peersOf(topic);
    if (config.floodPublish()) {
      List<PeerId> targets = new ArrayList<>();
      for (PeerId p : known) {
        if (atLeast(p, thresholds.publishThreshold())) {
          targets.add(p);
        }
      }
      return targets;
    }
    Set<PeerId> targets = new LinkedHashSet<>();
    if (mesh.containsKey(topic)) {
      targets.addAll(mesh.get(topic));
    } else {
      Set<PeerId> f = fanout.computeIfAbsent(topic, t -> new SmallSet<>());
      fanoutLastPublish.put(topic, now);
      if (f.isEmpty()) {
        fillFanout(topic, f);
      }
      targets.addAll(f);
    }
    for (PeerId p : known) {
      PeerState ps = peers.get(p);
      if (!ps.protocol.isMeshsub() && atLeast(ps, thresholds.publishThreshold())) {
        targets.add(p);
      }
    }
    return targets;
  }

  /**
   * The application's verdict on a {@link GossipEvent.MessageReceived}. ACCEPT caches the message,
   * credits P2/P3 and forwards it to the mesh; REJECT penalises the sender and every peer that sent
   * a copy (P4); IGNORE drops it. Returns false when the id is not awaiting validation (unknown,
   * already reported, or dropped) or {@code source} is not the peer it came from.
   */
  public boolean reportValidation(MessageId id, PeerId source, Acceptance acceptance) {
    Pending p = pending.get(id);
    if (p == null || !p.source.equals(source)) {
      return false;
    }
    pending.remove(id);
    pendingPerTopic.computeIfPresent(p.message.getTopic(), (t, n) -> n > 1 ? n - 1 : null);
    switch (acceptance) {
      case ACCEPT -> {
        score.deliverMessage(id, now);
        mcache.put(id, p.message);
        forward(id, p.message, source);
      }
      case REJECT -> {
        score.rejectMessage(id);
        drop(DropReason.REJECTED);
        events.add(new GossipEvent.PeerMisbehaved(source, GossipErrorCode.INVALID_MESSAGE));
      }
      case IGNORE -> {
        score.ignoreMessage(id);
        drop(DropReason.IGNORED);
      }
    }
    flush();
    return true;
  }

  /** P5: the application's opinion of a connected peer (weighted by appSpecificWeight). */
  public void setApplicationScore(PeerId peer, double value) {
    score.setApplicationScore(peer, value);
  }

  // ---------------------------------------------------------------- outputs

  public Optional<OutboundRpc> pollOutbound() {
    OutboundRpc o = outbound.poll();
    if (o == null) {
      return Optional.empty();
    }
    PeerState ps = peers.get(o.to());
    if (ps != null) {
      ps.queuedMessages -= o.rpc().proto().getPublishCount();
    }
    return Optional.of(o);
  }

  /** The next heartbeat deadline; empty before the first input. */
  public OptionalLong pollTimeout() {
    return started ? OptionalLong.of(nextHeartbeat) : OptionalLong.empty();
  }

  public Optional<GossipEvent> pollEvent() {
    return Optional.ofNullable(events.poll());
  }

  // ---------------------------------------------------------------- queries

  public Set<PeerId> meshPeers(String topic) {
    return Set.copyOf(mesh.getOrDefault(topic, Set.of()));
  }

  public Set<PeerId> fanoutPeers(String topic) {
    return Set.copyOf(fanout.getOrDefault(topic, Set.of()));
  }

  /** Peers whose score counters the score holds itself (tests: connected ones are held here). */
  int scoreHeld() {
    return score.held();
  }

  /** A connected peer's topic list as held (tests: which copy is shared); null if not connected. */
  TopicList topicsOf(PeerId peer) {
    PeerState ps = peers.get(peer);
    return ps == null ? null : ps.topics;
  }

  public Set<PeerId> topicPeers(String topic) {
    return Set.copyOf(peersOf(topic));
  }

  /**
   * The connected peers known to subscribe to {@code topic}: from the index when we have joined it,
   * else by scanning the peers (in the order they connected); do not modify.
   */
  private Set<PeerId> peersOf(String topic) {
    if (mesh.containsKey(topic)) {
      return topicPeers.get(topic);
    }
    Set<PeerId> found = null;
    for (Map.Entry<PeerId, PeerState> e : peers.entrySet()) {
      if (e.getValue().topics.contains(topic)) {
        if (found == null) {
          found = new SmallSet<>();
        }
        found.add(e.getKey());
      }
    }
    return found == null ? Set.of() : found;
  }

  /** Messages and RPCs dropped so far, by reason (a copy; cheaper than {@link #metrics}). */
  public Map<DropReason, Long> drops() {
    return drops == null ? new EnumMap<>(DropReason.class) : new EnumMap<>(drops);
  }

  /** Whether connected {@code peer} announced a subscription to {@code topic} (no copy). */
  public boolean subscribes(PeerId peer, String topic) {
    PeerState ps = peers.get(peer);
    return ps != null && ps.topics.contains(topic);
  }

  public Set<String> subscriptions() {
    return Set.copyOf(mesh.keySet());
  }

  /** The peer's current score (0 for unknown peers). */
  public double peerScore(PeerId peer) {
    return score(peer);
  }

  public GossipMetrics metrics() {
    Map<String, Integer> meshSizes = new LinkedHashMap<>();
    mesh.forEach((t, m) -> meshSizes.put(t, m.size()));
    double[] scores = peers.keySet().stream().mapToDouble(this::score).sorted().toArray();
    GossipMetrics.ScoreSummary summary =
        scores.length == 0
            ? new GossipMetrics.ScoreSummary(0, 0, 0)
            : new GossipMetrics.ScoreSummary(
                scores[0], scores[scores.length / 2], scores[scores.length - 1]);
    return new GossipMetrics(
        messagesIn,
        messagesOut,
        duplicates,
        ihaveIn,
        ihaveOut,
        iwantIn,
        iwantOut,
        iwantServed,
        graftIn,
        graftOut,
        pruneIn,
        pruneOut,
        idontwantIn,
        idontwantOut,
        drops == null ? Map.of() : Map.copyOf(drops),
        meshSizes,
        pending.size(),
        summary);
  }

  // ---------------------------------------------------------------- inbound handling

  private void onSubscription(PeerId from, PeerState ps, RPC.SubOpts sub) {
    String topic = sub.getTopicid();
    if (sub.getSubscribe()) {
      if (ps.topics.contains(topic)) {
        return;
      }
      if (ps.topics.size() >= config.maxTopicsPerPeer()) {
        drop(DropReason.TOPIC_LIMIT);
        return;
      }
      ps.topics = ps.topics.with(topic);
      if (mesh.containsKey(topic)) {
        topicPeers.add(topic, from);
      }
      events.add(new GossipEvent.Subscribed(from, topic));
    } else if (ps.topics.contains(topic)) {
      ps.topics = ps.topics.without(topic);
      topicPeers.remove(topic, from);
      Set<PeerId> m = mesh.get(topic);
      if (m != null && m.remove(from)) {
        score.prune(from, topic, now);
        events.add(new GossipEvent.Pruned(from, topic));
      }
      Set<PeerId> f = fanout.get(topic);
      if (f != null) {
        f.remove(from);
      }
      events.add(new GossipEvent.Unsubscribed(from, topic));
    }
  }

  private void onMessage(PeerId from, Message message) {
    messagesIn++;
    String topic = message.getTopic();
    if (!mesh.containsKey(topic)) {
      drop(DropReason.NOT_SUBSCRIBED);
      return;
    }
    // 1. Signature policy, before the id is marked seen: a forged copy must not shadow the real
    // one.
    Optional<GossipErrorCode> bad = MessageSigning.check(message, config.signaturePolicy());
    if (bad.isPresent()) {
      score.invalidMessage(from, topic);
      drop(DropReason.SIGNATURE_POLICY);
      events.add(new GossipEvent.PeerMisbehaved(from, bad.get()));
      return;
    }
    // 2. Duplicates feed P3 (near-first mesh deliveries) and P4 (copies of invalid messages).
    MessageId id = config.messageIdFunction().apply(message);
    if (!seen.add(id, now)) {
      duplicates++;
      score.duplicateMessage(from, id, now);
      return;
    }
    promises.fulfil(id);
    score.validateMessage(from, id, topic, now);
    // 3. v1.2: tell the mesh at once, before validation, that we have it.
    if (message.getSerializedSize() >= config.idontwantSizeThreshold()) {
      sendIDontWant(id, message, from);
    }
    // 4. Hand it to the application; it is forwarded on ACCEPT.
    if (pending.size() >= config.maxPendingValidations()) {
      score.ignoreMessage(id);
      drop(DropReason.VALIDATION_QUEUE_FULL);
      return;
    }
    if (pendingPerTopic.getOrDefault(topic, 0) >= config.maxPendingValidationsPerTopic()) {
      score.ignoreMessage(id);
      drop(DropReason.TOPIC_VALIDATION_QUEUE_FULL);
      return;
    }
    pending.put(id, new Pending(message, from));
    pendingPerTopic.merge(topic, 1, Integer::sum);
    events.add(
        new GossipEvent.MessageReceived(
            id,
            from,
            topic,
            message.getData().toByteArray(),
            origin(message),
            message.hasSeqno()
                ? OptionalLong.of(MessageSigning.seqnoValue(message.getSeqno()))
                : OptionalLong.empty()));
  }

  private void sendIDontWant(MessageId id, Message message, PeerId source) {
    for (PeerId p : mesh.get(message.getTopic())) {
      PeerState ps = peers.get(p);
      if (!p.equals(source) && !isOrigin(p, message) && ps.protocol.supportsIDontWant()) {
        out(p, ps);
        ps.outIDontWant().add(id.toByteString());
        idontwantOut++;
      }
    }
  }

  private void onIDontWant(PeerState ps, ControlIDontWant idw) {
    if (!ps.protocol.supportsIDontWant()) {
      return;
    }
    for (ByteString raw : idw.getMessageIDsList()) {
      idontwantIn++;
      if ((ps.dontWant == null ? 0 : ps.dontWant.size()) >= config.maxIDontWantIdsPerPeer()) {
        drop(DropReason.IDONTWANT_LIMIT);
        return;
      }
      if (ps.dontWant == null) {
        ps.dontWant = new HashMap<>();
        dontWantHeld = true;
      }
      ps.dontWant.put(MessageId.of(raw), heartbeatTicks);
    }
  }

  private void onIHave(PeerId from, PeerState ps, ControlIHave ihave) {
    ihaveIn++;
    String topic = ihave.getTopicID();
    ps.countsFor(heartbeatTicks);
    if (!atLeast(from, thresholds.gossipThreshold())
        || ++ps.ihavesThisHeartbeat > config.maxIHaveMessages()
        || ps.idsAskedThisHeartbeat >= config.maxIHaveLength()) {
      drop(DropReason.IHAVE_LIMIT);
      return;
    }
    if (!mesh.containsKey(topic)) {
      return;
    }
    List<ByteString> wanted = new ArrayList<>();
    Set<MessageId> distinct = new HashSet<>();
    for (ByteString raw : ihave.getMessageIDsList()) {
      MessageId id = MessageId.of(raw);
      if (!seen.contains(id, now) && distinct.add(id)) {
        wanted.add(raw);
      }
    }
    if (wanted.isEmpty()) {
      return;
    }
    shuffle(wanted);
    int budget = config.maxIHaveLength() - ps.idsAskedThisHeartbeat;
    List<ByteString> ask = wanted.subList(0, Math.min(budget, wanted.size()));
    ps.idsAskedThisHeartbeat += ask.size();
    out(from, ps);
    ps.outIWant().addAll(ask);
    iwantOut++;
    // One random id stands for the whole request (gossipsub-v1.1.md "Spam Protection Measures").
    MessageId promised = MessageId.of(ask.get(random.nextInt(ask.size())));
    promises.add(from, promised, now + config.iwantFollowupNanos());
  }

  private void onIWant(PeerId from, ControlIWant iwant) {
    iwantIn++;
    if (!atLeast(from, thresholds.gossipThreshold())) {
      return;
    }
    for (ByteString raw : iwant.getMessageIDsList()) {
      Optional<Message> m =
          mcache.getForPeer(MessageId.of(raw), from, config.gossipRetransmission());
      if (m.isPresent()) {
        iwantServed++;
        sendMessage(from, m.get());
      }
    }
  }

  private void onGraft(PeerId from, PeerState ps, ControlGraft graft) {
    graftIn++;
    String topic = graft.getTopicID();
    Set<PeerId> m = mesh.get(topic);
    if (m == null || m.contains(from)) {
      return; // Not joined: ignored, not answered (v1.1 spam protection).
    }
    Long backoffUntil = backoffs.expiry(topic, from);
    if (backoffUntil != null && backoffUntil - now > 0) {
      // P7 once, twice when it follows our PRUNE within the flood threshold.
      int penalty =
          now - (backoffUntil - config.pruneBackoffNanos() + config.graftFloodThresholdNanos()) < 0
              ? 2
              : 1;
      score.addPenalty(from, penalty);
      events.add(new GossipEvent.PeerMisbehaved(from, GossipErrorCode.GRAFT_DURING_BACKOFF));
      sendPrune(topic, from, config.pruneBackoffNanos(), false);
      return;
    }
    if (!atLeast(from, 0)) {
      sendPrune(topic, from, config.pruneBackoffNanos(), false);
      return;
    }
    if (m.size() >= config.dHi() && ps.direction != Direction.OUTBOUND) {
      sendPrune(topic, from, config.pruneBackoffNanos(), true);
      return;
    }
    m.add(from);
    score.graft(from, topic, now);
    events.add(new GossipEvent.Grafted(from, topic));
  }

  private void onPrune(PeerId from, ControlPrune prune) {
    pruneIn++;
    String topic = prune.getTopicID();
    Set<PeerId> m = mesh.get(topic);
    if (m != null && m.remove(from)) {
      score.prune(from, topic, now);
      events.add(new GossipEvent.Pruned(from, topic));
    }
    // Their backoff (capped at a day against overflow), plus a heartbeat of slack before we
    // re-graft.
    long backoffNanos =
        prune.hasBackoff()
            ? Math.min(prune.getBackoff(), 86_400L) * 1_000_000_000L
            : config.pruneBackoffNanos();
    backoffs.set(topic, from, now + backoffNanos + config.heartbeatIntervalNanos());
    if (prune.getPeersCount() > 0 && atLeast(from, thresholds.acceptPxThreshold())) {
      List<PeerId> candidates = new ArrayList<>();
      for (PeerInfo info : prune.getPeersList()) {
        try {
          PeerId p = PeerId.fromBytes(info.getPeerID().toByteArray());
          if (!p.equals(self) && !peers.containsKey(p) && candidates.size() < config.prunePeers()) {
            candidates.add(p);
          }
        } catch (MalformedFrameException e) {
          // An unreadable record is skipped; PX is advisory.
        }
      }
      if (!candidates.isEmpty()) {
        events.add(new GossipEvent.PeerExchange(from, topic, List.copyOf(candidates)));
      }
    }
  }

  // ---------------------------------------------------------------- heartbeat

  private void heartbeat() {
    heartbeatTicks++;
    if (dontWantHeld) {
      dontWantHeld = false;
      for (PeerState ps : peers.values()) {
        if (ps.dontWant != null) {
          ps.dontWant
              .values()
              .removeIf(tick -> heartbeatTicks - tick >= config.idontwantRetentionHeartbeats());
          if (ps.dontWant.isEmpty()) {
            ps.dontWant = null; // Only looked up and counted: a fresh map later changes nothing.
          } else {
            dontWantHeld = true;
          }
        }
      }
    }
    backoffs.prune(now);
    if (now - nextDecay >= 0) {
      score.decay();
      long interval = config.scoreParams().decayIntervalNanos();
      nextDecay = now - nextDecay >= interval ? now + interval : nextDecay + interval;
    }
    score.refresh(now);
    for (Map.Entry<PeerId, Integer> broken : promises.collectBroken(now).entrySet()) {
      score.addPenalty(broken.getKey(), broken.getValue());
      if (peers.containsKey(broken.getKey())) {
        events.add(new GossipEvent.PeerMisbehaved(broken.getKey(), GossipErrorCode.BROKEN_PROMISE));
      }
    }
    for (String topic : mesh.keySet()) {
      maintainMesh(topic);
    }
    maintainFanout();
    for (Map.Entry<String, Set<PeerId>> e : mesh.entrySet()) {
      emitGossip(e.getKey(), e.getValue());
    }
    for (Map.Entry<String, Set<PeerId>> e : fanout.entrySet()) {
      emitGossip(e.getKey(), e.getValue());
    }
    mcache.shift();
    seen.prune(now);
  }

  private void maintainMesh(String topic) {
    Set<PeerId> m = mesh.get(topic);
    // 1. Negative scores leave, without PX. (Pruning one peer changes no other's score, so all
    // are scored first; a list only when some leave.)
    List<PeerId> negative = null;
    for (PeerId p : m) {
      if (!atLeast(p, 0)) {
        if (negative == null) {
          negative = new ArrayList<>();
        }
        negative.add(p);
      }
    }
    if (negative != null) {
      for (PeerId p : negative) {
        prune(topic, p, config.pruneBackoffNanos(), false);
      }
    }
    // 2. Too few: graft up to D.
    if (m.size() < config.dLo()) {
      int need = config.d() - m.size();
      for (PeerId p : eligible(topic, m)) {
        if (need-- <= 0) {
          break;
        }
        graft(topic, p);
      }
    }
    // 3. Too many: keep the best D_score, fill to D at random, keep D_out outbound peers.
    if (m.size() > config.dHi()) {
      List<PeerId> keep = selectSurvivors(m);
      for (PeerId p : new ArrayList<>(m)) {
        if (!keep.contains(p)) {
          prune(topic, p, config.pruneBackoffNanos(), true);
        }
      }
    }
    // 4. Enough peers but too few outbound ones: graft outbound peers.
    if (m.size() >= config.dLo()) {
      int outboundCount = 0;
      for (PeerId p : m) { // a loop, not a stream: this runs per topic at every heartbeat
        if (isOutbound(p)) {
          outboundCount++;
        }
      }
      int need = config.dOut() - outboundCount;
      if (need <= 0) {
        // Nothing to graft (the usual case), but draw what eligible's shuffle would have drawn,
        // so that a seeded run takes the same random choices as it always has (the simulator's
        // regression guard holds runs to that); counting is far cheaper than the list.
        skipShuffle(countEligible(topic, m));
      } else {
        for (PeerId p : eligible(topic, m)) {
          if (need <= 0) {
            break;
          }
          if (isOutbound(p)) {
            graft(topic, p);
            need--;
          }
        }
      }
    }
    // 5. Opportunistic grafting when the mesh's median score is poor.
    if (config.opportunisticGraftTicks() > 0
        && heartbeatTicks % config.opportunisticGraftTicks() == 0
        && m.size() > 1) {
      opportunisticGraft(topic, m);
    }
  }

  private List<PeerId> selectSurvivors(Set<PeerId> m) {
    List<PeerId> byScore = new ArrayList<>(m);
    shuffle(byScore); // Ties are broken at random, then the sort is stable.
    byScore.sort(Comparator.comparingDouble(this::score).reversed());
    List<PeerId> keep =
        new ArrayList<>(byScore.subList(0, Math.min(config.dScore(), byScore.size())));
    List<PeerId> rest = new ArrayList<>(byScore.subList(keep.size(), byScore.size()));
    shuffle(rest);
    while (keep.size() < config.d() && !rest.isEmpty()) {
      keep.add(rest.remove(rest.size() - 1));
    }
    int outboundKept = (int) keep.stream().filter(this::isOutbound).count();
    for (PeerId candidate : rest) {
      if (outboundKept >= config.dOut()) {
        break;
      }
      if (!isOutbound(candidate)) {
        continue;
      }
      // Swap out the last kept inbound peer that is not among the D_score best.
      for (int i = keep.size() - 1; i >= config.dScore(); i--) {
        if (!isOutbound(keep.get(i))) {
          keep.set(i, candidate);
          outboundKept++;
          break;
        }
      }
    }
    return keep;
  }

  private void opportunisticGraft(String topic, Set<PeerId> m) {
    double[] scores = m.stream().mapToDouble(this::score).sorted().toArray();
    double median = scores[scores.length / 2];
    if (median >= thresholds.opportunisticGraftThreshold()) {
      return;
    }
    int grafted = 0;
    for (PeerId p : eligible(topic, m)) {
      if (grafted >= config.opportunisticGraftPeers()) {
        break;
      }
      if (score(p) > median) {
        graft(topic, p);
        grafted++;
      }
    }
  }

  private void maintainFanout() {
    for (String topic : new ArrayList<>(fanout.keySet())) {
      if (now - fanoutLastPublish.getOrDefault(topic, now) > config.fanoutTtlNanos()) {
        fanout.remove(topic);
        fanoutLastPublish.remove(topic);
        continue;
      }
      Set<PeerId> f = fanout.get(topic);
      Set<PeerId> known = peersOf(topic);
      f.removeIf(p -> !known.contains(p) || !atLeast(p, thresholds.publishThreshold()));
      if (f.size() < config.d()) {
        fillFanout(topic, f);
      }
    }
  }

  private void fillFanout(String topic, Set<PeerId> f) {
    List<PeerId> candidates = new ArrayList<>();
    for (PeerId p : peersOf(topic)) {
      if (!f.contains(p) && isMeshsubScoring(p, thresholds.publishThreshold())) {
        candidates.add(p);
      }
    }
    shuffle(candidates);
    for (PeerId p : candidates) {
      if (f.size() >= config.d()) {
        break;
      }
      f.add(p);
    }
  }

  /** IHAVE to D_lazy (or gossipFactor of the candidates, if more) peers outside {@code exclude}. */
  private void emitGossip(String topic, Set<PeerId> exclude) {
    List<MessageId> ids = mcache.gossipIds(topic);
    if (ids.isEmpty()) {
      return;
    }
    List<PeerId> candidates = new ArrayList<>();
    for (PeerId p : peersOf(topic)) {
      if (!exclude.contains(p) && isMeshsubScoring(p, thresholds.gossipThreshold())) {
        candidates.add(p);
      }
    }
    shuffle(candidates);
    int target = Math.max(config.dLazy(), (int) (config.gossipFactor() * candidates.size()));
    for (PeerId p : candidates.subList(0, Math.min(target, candidates.size()))) {
      List<MessageId> mine = new ArrayList<>(ids);
      if (mine.size() > config.maxIHaveLength()) {
        shuffle(mine);
        mine = mine.subList(0, config.maxIHaveLength());
      }
      ControlIHave.Builder ih = ControlIHave.newBuilder().setTopicID(topic);
      mine.forEach(id -> ih.addMessageIDs(id.toByteString()));
      out(p).getControlBuilder().addIhave(ih);
      ihaveOut++;
    }
  }

  // ---------------------------------------------------------------- mesh changes and sending

  /**
   * Peers of {@code topic} we may graft: not in {@code exclude}, not backed off, score >= 0;
   * shuffled.
   */
  private List<PeerId> eligible(String topic, Set<PeerId> exclude) {
    List<PeerId> out = new ArrayList<>();
    for (PeerId p : peersOf(topic)) {
      if (isEligible(topic, exclude, p)) {
        out.add(p);
      }
    }
    shuffle(out);
    return out;
  }

  private int countEligible(String topic, Set<PeerId> exclude) {
    int n = 0;
    for (PeerId p : peersOf(topic)) {
      if (isEligible(topic, exclude, p)) {
        n++;
      }
    }
    return n;
  }

  private boolean isEligible(String topic, Set<PeerId> exclude, PeerId p) {
    if (exclude.contains(p)) {
      return false;
    }
    PeerState ps = peers.get(p);
    return ps.protocol.isMeshsub() && !backoffs.isBackedOff(topic, p, now) && atLeast(ps, 0);
  }

  /** A connected peer speaks meshsub and scores at least {@code threshold}. */
  private boolean isMeshsubScoring(PeerId p, double threshold) {
    PeerState ps = peers.get(p);
    return ps.protocol.isMeshsub() && atLeast(ps, threshold);
  }

  private void graft(String topic, PeerId p) {
    mesh.get(topic).add(p);
    score.graft(p, topic, now);
    out(p).getControlBuilder().addGraft(ControlGraft.newBuilder().setTopicID(topic));
    graftOut++;
    events.add(new GossipEvent.Grafted(p, topic));
  }

  private void prune(String topic, PeerId p, long backoffNanos, boolean peerExchange) {
    mesh.get(topic).remove(p);
    score.prune(p, topic, now);
    sendPrune(topic, p, backoffNanos, peerExchange);
    events.add(new GossipEvent.Pruned(p, topic));
  }

  /** Sends PRUNE and records our backoff for the peer (so that an early GRAFT is penalised). */
  private void sendPrune(String topic, PeerId p, long backoffNanos, boolean peerExchange) {
    backoffs.set(topic, p, now + backoffNanos);
    PeerState ps = peers.get(p);
    ControlPrune.Builder prune = ControlPrune.newBuilder().setTopicID(topic);
    if (ps.protocol.supportsBackoff()) {
      prune.setBackoff(backoffNanos / 1_000_000_000L);
      if (peerExchange && config.doPeerExchange() && atLeast(p, 0)) {
        List<PeerId> offer = new ArrayList<>();
        for (PeerId q : peersOf(topic)) {
          if (!q.equals(p) && atLeast(q, 0)) {
            offer.add(q);
          }
        }
        shuffle(offer);
        offer.stream()
            .limit(config.prunePeers())
            .forEach(
                q ->
                    prune.addPeers(
                        PeerInfo.newBuilder().setPeerID(ByteString.copyFrom(q.toBytes()))));
      }
    }
    out(p, ps).getControlBuilder().addPrune(prune);
    pruneOut++;
  }

  private void forward(MessageId id, Message message, PeerId source) {
    for (PeerId p : mesh.getOrDefault(message.getTopic(), Set.of())) {
      if (!p.equals(source) && !isOrigin(p, message) && !peers.get(p).doesNotWant(id)) {
        sendMessage(p, message);
      }
    }
    forwardToFloodsub(message, source);
  }

  /** Floodsub peers are in no mesh: they get every message of their topics. */
  private void forwardToFloodsub(Message message, PeerId source) {
    for (PeerId p : peersOf(message.getTopic())) {
      PeerState ps = peers.get(p);
      if (!ps.protocol.isMeshsub()
          && !p.equals(source)
          && !isOrigin(p, message)
          && atLeast(ps, thresholds.publishThreshold())) {
        sendMessage(p, message);
      }
    }
  }

  private void sendMessage(PeerId p, Message message) {
    PeerState ps = peers.get(p);
    if (ps.queuedMessages + ps.outMessages() >= config.maxOutboundQueuePerPeer()) {
      drop(DropReason.QUEUE_FULL);
      return;
    }
    out(p, ps).addPublish(message);
    ps.batch.messages++;
    messagesOut++;
  }

  private RPC.Builder out(PeerId p) {
    return out(p, peers.get(p));
  }

  private RPC.Builder out(PeerId p, PeerState ps) {
    dirty.add(p);
    return ps.out();
  }

  /** Ends an input: each touched peer's batch becomes one OutboundRpc. */
  private void flush() {
    for (PeerId p : dirty) {
      PeerState ps = peers.get(p);
      PeerState.Batch batch = ps.batch;
      RPC.Builder b = batch.rpc;
      if (batch.iwant != null && !batch.iwant.isEmpty()) {
        b.getControlBuilder().addIwant(ControlIWant.newBuilder().addAllMessageIDs(batch.iwant));
      }
      if (batch.idontwant != null && !batch.idontwant.isEmpty()) {
        b.getControlBuilder()
            .addIdontwant(ControlIDontWant.newBuilder().addAllMessageIDs(batch.idontwant));
      }
      RPC rpc = b.build();
      if (rpc.getSubscriptionsCount() > 0 || rpc.getPublishCount() > 0 || rpc.hasControl()) {
        outbound.add(new OutboundRpc(p, share(rpc)));
        ps.queuedMessages += rpc.getPublishCount();
      }
      ps.batch = null;
    }
    dirty.clear();
  }

  // ---------------------------------------------------------------- helpers

  private static RPC.SubOpts joining(String topic) {
    return RPC.SubOpts.newBuilder().setSubscribe(true).setTopicid(topic).build();
  }

  /**
   * {@code rpc}, or the last subscriptions-only RPC sent when equal to it: every peer that connects
   * is sent the same announcement of our topics, and at 100,000 simulated nodes millions of equal
   * copies would otherwise be in flight at once. Immutable, so sharing is safe. Kept only while the
   * time stands still ({@link #advance}): peers mostly connect in bursts (a node's start), and a
   * router holding its announcement for good cost 800 bytes per simulated node.
   */
  private Rpc share(RPC rpc) {
    if (rpc.getPublishCount() > 0 || rpc.hasControl()) {
      return Rpc.of(rpc);
    }
    if (lastAnnouncement == null || !lastAnnouncement.proto().equals(rpc)) {
      lastAnnouncement = Rpc.of(rpc);
    }
    return lastAnnouncement;
  }

  private void advance(long nowNanos) {
    if (started && nowNanos - now < 0) {
      throw new IllegalArgumentException("time went backwards: " + nowNanos + " < " + now);
    }
    if (nowNanos != now) {
      lastAnnouncement = null;
    }
    now = nowNanos;
    if (!started) {
      started = true;
      nextHeartbeat = nowNanos + config.heartbeatInitialDelayNanos();
      nextDecay = nowNanos + config.scoreParams().decayIntervalNanos();
    }
  }

  private double score(PeerId p) {
    return score.score(p, now);
  }

  /** Whether a peer's score is at least {@code threshold} (PeerScore.atLeast: often not summed). */
  private boolean atLeast(PeerId p, double threshold) {
    return score.atLeast(p, threshold, now);
  }

  /** The same for a connected peer, without looking its counters up again. */
  private boolean atLeast(PeerState ps, double threshold) {
    return score.atLeast(ps.stats, threshold, now);
  }

  private boolean isOutbound(PeerId p) {
    PeerState ps = peers.get(p);
    return ps != null && ps.direction == Direction.OUTBOUND;
  }

  private static boolean isOrigin(PeerId p, Message message) {
    return message.hasFrom() && message.getFrom().equals(ByteString.copyFrom(p.toBytes()));
  }

  private static Optional<PeerId> origin(Message message) {
    if (!message.hasFrom()) {
      return Optional.empty();
    }
    try {
      return Optional.of(PeerId.fromBytes(message.getFrom().toByteArray()));
    } catch (MalformedFrameException e) {
      return Optional.empty(); // Only reachable under STRICT_NO_SIGN, which rejects from anyway.
    }
  }

  private void drop(DropReason reason) {
    if (drops == null) {
      drops = new EnumMap<>(DropReason.class);
    }
    drops.merge(reason, 1L, Long::sum);
  }

  /** Draws exactly what {@link #shuffle} draws for a list of {@code size}, moving nothing. */
  private void skipShuffle(int size) {
    for (int i = size - 1; i > 0; i--) {
      random.nextInt(i + 1);
    }
  }

  private <T> void shuffle(List<T> list) {
    for (int i = list.size() - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      T t = list.get(i);
      list.set(i, list.get(j));
      list.set(j, t);
    }
  }
}
