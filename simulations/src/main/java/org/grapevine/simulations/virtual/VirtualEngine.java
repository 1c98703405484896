package org.grapevine.simulations.virtual;

import com.google.protobuf.CodedOutputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import org.grapevine.libp2p.gossipsub.Acceptance;
import org.grapevine.libp2p.gossipsub.Direction;
import org.grapevine.libp2p.gossipsub.GossipConfig;
import org.grapevine.libp2p.gossipsub.GossipEvent;
import org.grapevine.libp2p.gossipsub.GossipProtocol;
import org.grapevine.libp2p.gossipsub.GossipRouter;
import org.grapevine.libp2p.gossipsub.OutboundRpc;
import org.grapevine.libp2p.gossipsub.Rpc;
import org.grapevine.libp2p.peer.PeerId;
import org.grapevine.libp2p.proto.Message;
import org.grapevine.libp2p.proto.RPC;
import org.grapevine.node.engine.Engine;
import org.grapevine.node.engine.IngestOutcome;
import org.grapevine.protocol.entry.LogEntry;
import org.grapevine.protocol.identity.Identity;
import org.grapevine.protocol.validation.ChainChecker;
import org.grapevine.protocol.validation.EntryValidator;
import org.grapevine.simulations.metrics.DeliveryLog;
import org.grapevine.simulations.metrics.NodeCounters;
import org.grapevine.simulations.metrics.RouterTotals;
import org.grapevine.simulations.metrics.RunData;
import org.grapevine.simulations.network.FaultPlan;
import org.grapevine.simulations.network.FollowGraph;
import org.grapevine.simulations.network.Network;
import org.grapevine.simulations.network.Topology;
import org.grapevine.simulations.network.Workload;
import org.grapevine.simulations.scenario.RouterParams;
import org.grapevine.simulations.scenario.Scenario;

/**
 * The {@code virtual} engine: discrete events in one thread on a virtual clock. Each node runs
 * the real {@link GossipRouter} and the real ingestion {@link Engine} over a
 * {@link org.grapevine.node.storage.MemoryPostStore}; sync between neighbours runs the real
 * {@link org.grapevine.protocol.sync.SyncSession} on both sides. The network between them is
 * modelled ({@link Network}): per-message latency, per-node uplink and downlink serialisation,
 * per-link FIFO order, loss of gossip RPCs.
 *
 * <p>Rules:
 * <ol>
 *   <li>Everything random comes from streams split off the scenario seed, and every tie in time
 *       breaks by scheduling order: the same scenario and seed give the same run, event by event.
 *   <li>A node's outputs are drained right after each input, in the order the cores ask
 *       (outbound, timeout, events), and become events.
 *   <li>A message in flight belongs to one connection: if the link goes down (churn, partition)
 *       before it is delivered, it is dropped, as a reset TCP connection drops it.
 *   <li>Sync streams are reliable (they run over TCP); the {@code loss} rate drops gossip RPCs.
 * </ol>
 * Not thread-safe; {@link #run} once.
 */
public final class VirtualEngine {
  /** Told of progress every few thousand events; the caller reads the wall clock, not the engine. */
  @FunctionalInterface
  public interface Progress {
    void update(long simNanos, long durationNanos, long events);
  }

  private static final int PROGRESS_EVERY_EVENTS = 1 << 14;
  private static final int GAP_BUFFER_PER_AUTHOR = 256;
  private static final int GAP_BUFFER_TOTAL = 16_384;
  private static final int RPC_PUBLISH_FIELD = 2;

  private final Scenario scenario;
  private final FollowGraph follows;
  private final Topology topology;
  private final Network network;
  private final Workload workload;
  private final FaultPlan faults;
  private final PostCatalog catalog;
  private final GossipConfig gossipConfig;
  private final SimNode[] nodes;
  private final Map<PeerId, Integer> nodeOfPeer = new HashMap<>();
  private final SplittableRandom routerSeeds;
  private final SplittableRandom netRandom;
  private final EntryValidator validator = new EntryValidator();
  private final ChainChecker checker = new ChainChecker();
  private final PriorityQueue<SimEvent> queue = new PriorityQueue<>();
  private final int[] linkGen;
  private final long[] lastArrival;
  private final boolean[] splitActive;
  private final Map<Long, SyncLink> syncs = new HashMap<>();
  private final DeliveryLog log;
  private final NodeCounters counters;
  private final int[] meshChangesPerSecond;
  private final RouterTotals routerTotals = new RouterTotals();
  private final Map<Engine.Counter, Long> engineTotals = new java.util.EnumMap<>(Engine.Counter.class);
  private long seq;
  private long now;
  private long events;
  private long syncDeliveries;

  public VirtualEngine(Scenario scenario, FollowGraph follows, Topology topology, Network network, Workload workload,
      FaultPlan faults, SplittableRandom random) {
    this.scenario = scenario;
    this.follows = follows;
    this.topology = topology;
    this.network = network;
    this.workload = workload;
    this.faults = faults;
    this.routerSeeds = random.split();
    this.netRandom = random.split();
    int n = follows.nodeCount();
    this.catalog = new PostCatalog(scenario.seed(), n, workload);
    this.gossipConfig = RouterParams.config(scenario.protocol());
    this.nodes = new SimNode[n];
    this.linkGen = new int[topology.links()];
    this.lastArrival = new long[topology.links()];
    this.splitActive = new boolean[faults.splits().size()];
    this.log = new DeliveryLog(follows, workload);
    this.counters = new NodeCounters(n);
    this.meshChangesPerSecond = new int[(int) (scenario.durationNanos() / 1_000_000_000L) + 1];
  }

  /** Runs the scenario to its duration and returns what was measured. */
  public RunData run(Progress progress) {
    setUp();
    long duration = scenario.durationNanos();
    while (!queue.isEmpty() && queue.peek().time <= duration) {
      SimEvent e = queue.poll();
      now = e.time;
      handle(e);
      if (++events % PROGRESS_EVERY_EVENTS == 0) {
        progress.update(now, duration, events);
      }
    }
    now = duration;
    progress.update(now, duration, events);
    for (SimNode node : nodes) {
      if (node.online) {
        retire(node);
      } else {
        counters.offlineNanos[node.index] += now - node.offlineSince;
      }
    }
    return new RunData(scenario, follows, topology, network, workload, log, counters, meshChangesPerSecond,
        routerTotals.toMap(), Map.copyOf(engineTotals), events, syncDeliveries, catalog.realVerifications(),
        catalogEnvelopeBytes(), "virtual");
  }

  private int[] catalogEnvelopeBytes() {
    int[] out = new int[workload.posts()];
    for (int k = 0; k < out.length; k++) {
      out[k] = catalog.envelopeBytes(k);
    }
    return out;
  }

  // ---------------------------------------------------------------- set-up

  private void setUp() {
    int n = nodes.length;
    for (int i = 0; i < n; i++) {
      int[] followed = follows.follows(i);
      int[] topicNodes = new int[followed.length + 1];
      System.arraycopy(followed, 0, topicNodes, 0, followed.length);
      topicNodes[followed.length] = i;
      java.util.Arrays.sort(topicNodes);
      Set<Identity> keeps = new TreeSet<>();
      for (int x : topicNodes) {
        keeps.add(catalog.identity(x));
      }
      SimNode node = new SimNode(i, keeps, topicNodes);
      // As if synced before the run: the root logs (delegations) of every kept identity.
      for (int x : topicNodes) {
        node.store.apply(catalog.delegation(x));
        node.store.follow(catalog.identity(x));
      }
      nodes[i] = node;
      nodeOfPeer.put(catalog.peerId(i), i);
    }
    for (SimNode node : nodes) {
      start(node);
    }
    for (int a = 0; a < n; a++) {
      for (int link = topology.firstLink(a); link < topology.firstLink(a) + topology.degree(a); link++) {
        int b = topology.target(link);
        if (a < b) {
          connect(a, b, false);
        }
      }
    }
    for (int k = 0; k < workload.posts(); k++) {
      schedule(workload.timeNanos(k), SimEvent.Kind.PUBLISH, workload.author(k), k, -1, 0, null);
    }
    SplittableRandom phases = routerSeeds.split();
    for (SimNode node : nodes) {
      schedule(phases.nextLong(scenario.protocol().syncIntervalNanos()) + 1, SimEvent.Kind.SYNC_TICK, node.index, 0, -1, 0, null);
    }
    for (var o : faults.outages()) {
      schedule(o.leaveNanos(), SimEvent.Kind.LEAVE, o.node(), 0, -1, 0, null);
      schedule(o.returnNanos(), SimEvent.Kind.RETURN, o.node(), 0, -1, 0, null);
    }
    for (int p = 0; p < faults.splits().size(); p++) {
      schedule(faults.splits().get(p).atNanos(), SimEvent.Kind.SPLIT, 0, p, -1, 0, null);
      schedule(faults.splits().get(p).healNanos(), SimEvent.Kind.HEAL, 0, p, -1, 0, null);
    }
  }

  /** A fresh process on the node: router and engine, subscribed to its topics. */
  private void start(SimNode node) {
    node.online = true;
    node.incarnation++;
    node.router = new GossipRouter(gossipConfig, catalog.peerId(node.index), null, routerSeeds.split());
    node.engine = new Engine(node.store, validator, checker, GAP_BUFFER_PER_AUTHOR, GAP_BUFFER_TOTAL);
    node.timerAt = Long.MIN_VALUE;
    node.validatorFreeAt = now;
    node.upFreeAt = now;
    node.downFreeAt = now;
    for (int x : node.topicNodes) {
      node.router.subscribe(catalog.topic(x), now);
    }
    drain(node);
  }

  /** The node's process ends: its counters are kept, its router and engine dropped. */
  private void retire(SimNode node) {
    routerTotals.add(node.router.metrics());
    node.engine.counts().forEach((k, v) -> engineTotals.merge(k, v, Long::sum));
    node.router = null;
    node.engine = null;
  }

  // ---------------------------------------------------------------- dispatch

  private void handle(SimEvent e) {
    switch (e.kind) {
      case ARRIVE -> onArrive(e);
      case GOSSIP_RPC -> onGossipRpc(e);
      case SYNC_MESSAGE -> onSyncMessage(e);
      case ROUTER_TIMER -> onRouterTimer(e);
      case VALIDATED -> onValidated(e);
      case SYNC_VALIDATED -> onSyncValidated(e);
      case SYNC_TIMER -> onSyncTimer(e);
      case SYNC_TICK -> onSyncTick(e);
      case PUBLISH -> onPublish(e);
      case LEAVE -> onLeave(nodes[e.node]);
      case RETURN -> onReturn(nodes[e.node]);
      case SPLIT -> onSplit(e.arg);
      case HEAL -> onHeal(e.arg);
    }
  }

  private void schedule(long time, SimEvent.Kind kind, int node, int arg, int link, int gen, Object payload) {
    queue.add(new SimEvent(time, seq++, kind, node, arg, link, gen, payload, 0, null));
  }

  // ---------------------------------------------------------------- connections

  private boolean linkUp(int a, int b) {
    if (!nodes[a].online || !nodes[b].online) {
      return false;
    }
    for (int p = 0; p < splitActive.length; p++) {
      if (splitActive[p] && faults.splits().get(p).groupOf()[a] != faults.splits().get(p).groupOf()[b]) {
        return false;
      }
    }
    return true;
  }

  /** Both routers learn of the new connection (the lower node dialled); a sync follows unless at set-up. */
  private void connect(int a, int b, boolean sync) {
    int ab = topology.link(a, b);
    int ba = topology.link(b, a);
    linkGen[ab]++;
    linkGen[ba]++;
    nodes[a].router.handlePeerConnected(catalog.peerId(b), Direction.OUTBOUND, GossipProtocol.MESHSUB_V12, now);
    nodes[b].router.handlePeerConnected(catalog.peerId(a), Direction.INBOUND, GossipProtocol.MESHSUB_V12, now);
    drain(nodes[a]);
    drain(nodes[b]);
    if (sync) {
      startSync(a, b);
    }
  }

  private void disconnect(int a, int b) {
    linkGen[topology.link(a, b)]++;
    linkGen[topology.link(b, a)]++;
    for (int[] pair : new int[][] {{a, b}, {b, a}}) {
      SimNode x = nodes[pair[0]];
      if (x.online) {
        x.router.handlePeerDisconnected(catalog.peerId(pair[1]), now);
        drain(x);
      }
    }
    SyncLink s = syncs.remove(SyncLink.key(a, b));
    if (s != null) {
      s.atA.cancel("connection closed", now);
      s.atB.cancel("connection closed", now);
    }
  }

  private void onLeave(SimNode node) {
    if (!node.online) {
      return;
    }
    for (int link = topology.firstLink(node.index); link < topology.firstLink(node.index) + topology.degree(node.index); link++) {
      int other = topology.target(link);
      if (linkUp(node.index, other)) {
        disconnect(node.index, other);
      }
    }
    retire(node);
    node.online = false;
    node.offlineSince = now;
    counters.outages[node.index]++;
  }

  private void onReturn(SimNode node) {
    if (node.online) {
      return;
    }
    counters.offlineNanos[node.index] += now - node.offlineSince;
    start(node);
    for (int link = topology.firstLink(node.index); link < topology.firstLink(node.index) + topology.degree(node.index); link++) {
      int other = topology.target(link);
      if (linkUp(node.index, other)) {
        connect(node.index, other, true);
      }
    }
  }

  private void onSplit(int p) {
    List<int[]> cut = new ArrayList<>();
    forEachEdge((a, b) -> {
      if (linkUp(a, b) && faults.splits().get(p).groupOf()[a] != faults.splits().get(p).groupOf()[b]) {
        cut.add(new int[] {a, b});
      }
    });
    splitActive[p] = true;
    for (int[] e : cut) {
      disconnect(e[0], e[1]);
    }
  }

  private void onHeal(int p) {
    if (!splitActive[p]) {
      return;
    }
    List<int[]> mend = new ArrayList<>();
    forEachEdge((a, b) -> {
      if (!linkUp(a, b) && faults.splits().get(p).groupOf()[a] != faults.splits().get(p).groupOf()[b]) {
        mend.add(new int[] {a, b});
      }
    });
    splitActive[p] = false;
    for (int[] e : mend) {
      if (linkUp(e[0], e[1])) {
        connect(e[0], e[1], true);
      }
    }
  }

  private void forEachEdge(java.util.function.BiConsumer<Integer, Integer> f) {
    for (int a = 0; a < nodes.length; a++) {
      for (int link = topology.firstLink(a); link < topology.firstLink(a) + topology.degree(a); link++) {
        int b = topology.target(link);
        if (a < b) {
          f.accept(a, b);
        }
      }
    }
  }

  // ---------------------------------------------------------------- the modelled network

  /**
   * Sends {@code bytes} from {@code from} to {@code to}: the sender's uplink (FIFO at its upload
   * rate), the link's latency and jitter (FIFO per link, like TCP), then at arrival the
   * receiver's downlink (FIFO at its download rate).
   */
  private void transmit(int from, int to, int bytes, SimEvent.Kind kind, Object payload, long extraDelayNanos, boolean lost) {
    SimNode sender = nodes[from];
    int link = topology.link(from, to);
    long start = Math.max(now + extraDelayNanos, sender.upFreeAt);
    long sent = start + network.uploadNanos(from, bytes);
    sender.upFreeAt = sent;
    if (lost) {
      return;
    }
    long arrive = Math.max(sent + network.baseLatencyNanos(link) + network.jitterNanos(netRandom), lastArrival[link]);
    lastArrival[link] = arrive;
    queue.add(new SimEvent(arrive, seq++, SimEvent.Kind.ARRIVE, to, from, link, linkGen[link], payload, bytes, kind));
  }

  private void onArrive(SimEvent e) {
    if (linkGen[e.link] != e.gen) {
      return;
    }
    SimNode receiver = nodes[e.node];
    long done = Math.max(now, receiver.downFreeAt) + network.downloadNanos(e.node, e.bytes);
    receiver.downFreeAt = done;
    queue.add(new SimEvent(done, seq++, e.next, e.node, e.arg, e.link, e.gen, e.payload, e.bytes, null));
  }

  // ---------------------------------------------------------------- gossip

  private void drain(SimNode node) {
    GossipRouter router = node.router;
    for (OutboundRpc out = router.pollOutbound().orElse(null); out != null; out = router.pollOutbound().orElse(null)) {
      Integer to = nodeOfPeer.get(out.to());
      if (to != null) {
        send(node, to, out.rpc());
      }
    }
    long deadline = router.pollTimeout().orElse(Long.MIN_VALUE);
    if (deadline != Long.MIN_VALUE && deadline != node.timerAt) {
      node.timerAt = deadline;
      schedule(Math.max(deadline, now), SimEvent.Kind.ROUTER_TIMER, node.index, node.incarnation, -1, 0, deadline);
    }
    for (GossipEvent ev = router.pollEvent().orElse(null); ev != null; ev = router.pollEvent().orElse(null)) {
      if (ev instanceof GossipEvent.MessageReceived m) {
        long done = Math.max(now, node.validatorFreeAt) + network.validationDelayNanos(node.index);
        node.validatorFreeAt = done;
        schedule(done, SimEvent.Kind.VALIDATED, node.index, node.incarnation, -1, 0, m);
      } else if (ev instanceof GossipEvent.Grafted || ev instanceof GossipEvent.Pruned) {
        meshChangesPerSecond[(int) Math.min(meshChangesPerSecond.length - 1, now / 1_000_000_000L)]++;
      }
    }
  }

  private void send(SimNode node, int to, Rpc rpc) {
    RPC proto = rpc.proto();
    long extra = 0;
    if (faults.isBadForwarder(node.index) && proto.getPublishCount() > 0 && forwardsOthers(node.index, proto)) {
      if (scenario.faults().badForwarders().mode() == Scenario.BadMode.DROP) {
        RPC.Builder b = proto.toBuilder().clearPublish();
        for (Message m : proto.getPublishList()) {
          int k = catalog.postOfData(m.getData());
          if (k >= 0 && workload.author(k) == node.index) {
            b.addPublish(m);
          }
        }
        proto = b.build();
        rpc = Rpc.of(proto);
        if (rpc.isEmpty()) {
          return;
        }
      } else {
        extra = scenario.faults().badForwarders().delayNanos();
      }
    }
    int total = proto.getSerializedSize();
    int payload = 0;
    for (Message m : proto.getPublishList()) {
      payload += CodedOutputStream.computeMessageSize(RPC_PUBLISH_FIELD, m);
    }
    int framed = total + CodedOutputStream.computeUInt32SizeNoTag(total);
    counters.payloadSent[node.index] += payload;
    counters.controlSent[node.index] += framed - payload;
    counters.rpcsSent[node.index]++;
    boolean lost = network.loss(netRandom);
    if (lost) {
      counters.rpcsLost[node.index]++;
    }
    transmit(node.index, to, framed, SimEvent.Kind.GOSSIP_RPC, rpc, extra, lost);
  }

  private boolean forwardsOthers(int node, RPC proto) {
    for (Message m : proto.getPublishList()) {
      int k = catalog.postOfData(m.getData());
      if (k < 0 || workload.author(k) != node) {
        return true;
      }
    }
    return false;
  }

  private void onGossipRpc(SimEvent e) {
    if (linkGen[e.link] != e.gen) {
      return;
    }
    SimNode node = nodes[e.node];
    Rpc rpc = (Rpc) e.payload;
    RPC proto = rpc.proto();
    int payload = 0;
    for (Message m : proto.getPublishList()) {
      payload += CodedOutputStream.computeMessageSize(RPC_PUBLISH_FIELD, m);
      int k = catalog.postOfData(m.getData());
      if (k >= 0) {
        log.copy(k, node.index);
      }
    }
    counters.payloadReceived[node.index] += payload;
    counters.controlReceived[node.index] += e.bytes - payload;
    node.router.handleRpc(catalog.peerId(e.arg), rpc, now);
    drain(node);
  }

  private void onRouterTimer(SimEvent e) {
    SimNode node = nodes[e.node];
    if (!node.online || node.incarnation != e.arg || node.timerAt != (Long) e.payload) {
      return; // A timer of an earlier process, or one the router has since moved.
    }
    node.timerAt = Long.MIN_VALUE;
    node.router.handleTimeout(now);
    drain(node);
  }

  private void onValidated(SimEvent e) {
    SimNode node = nodes[e.node];
    if (!node.online || node.incarnation != e.arg) {
      return; // The process that was validating is gone.
    }
    GossipEvent.MessageReceived m = (GossipEvent.MessageReceived) e.payload;
    int owner = catalog.nodeOfTopic(m.topic());
    Integer source = nodeOfPeer.get(m.source());
    Acceptance verdict;
    if (owner < 0) {
      verdict = Acceptance.REJECT; // Not an identity topic of this run.
    } else {
      LogEntry entry = catalog.verify(m.id(), m.data());
      IngestOutcome outcome;
      if (entry == null) {
        outcome = node.engine.ingest(m.data(), catalog.identity(owner), nowMillis()); // The real path says why.
      } else if (!entry.header().identity().equals(catalog.identity(owner))) {
        outcome = new IngestOutcome.Rejected(org.grapevine.protocol.validation.RejectReason.WRONG_TOPIC, "entry on another identity's topic");
      } else {
        outcome = node.engine.ingest(entry, false, nowMillis());
      }
      recordStored(node, outcome, source == null ? -1 : source, false);
      verdict = Engine.acceptance(outcome);
      if (outcome instanceof IngestOutcome.Buffered && source != null) {
        startSync(node.index, source); // A gap: fetch it from the peer that has the later entry.
      }
    }
    node.router.reportValidation(m.id(), m.source(), verdict);
    drain(node);
  }

  private void recordStored(SimNode node, IngestOutcome outcome, int from, boolean bySync) {
    if (!(outcome instanceof IngestOutcome.Stored stored)) {
      return;
    }
    deliver(node, stored.entry(), from, bySync);
    for (LogEntry e : stored.unblocked()) {
      deliver(node, e, from, bySync);
    }
  }

  private void deliver(SimNode node, LogEntry entry, int from, boolean bySync) {
    int k = catalog.postOfId(org.grapevine.libp2p.gossipsub.MessageId.of(entry.id().toBytes()));
    if (k < 0) {
      return;
    }
    int senderHops = from < 0 ? -1 : log.hopsAt(k, from);
    log.delivered(k, node.index, now, senderHops < 0 ? -1 : senderHops + 1, bySync);
    if (bySync) {
      syncDeliveries++;
    }
  }

  private void onPublish(SimEvent e) {
    int k = e.arg;
    SimNode node = nodes[e.node];
    LogEntry entry = catalog.post(k);
    log.published(k, now);
    if (!node.online) {
      // Written offline: stored now, spread by sync once the node is back.
      node.store.apply(entry, true);
      return;
    }
    IngestOutcome o = node.engine.ingest(entry, true, nowMillis());
    if (!(o instanceof IngestOutcome.Stored)) {
      throw new IllegalStateException("own post " + k + " not stored: " + o);
    }
    node.router.publish(catalog.topic(node.index), catalog.envelope(k), now);
    drain(node);
  }

  private long nowMillis() {
    return PostCatalog.EPOCH_MILLIS + now / 1_000_000L;
  }

  // ---------------------------------------------------------------- sync

  private void onSyncTick(SimEvent e) {
    SimNode node = nodes[e.node];
    schedule(now + scenario.protocol().syncIntervalNanos(), SimEvent.Kind.SYNC_TICK, node.index, 0, -1, 0, null);
    if (!node.online) {
      return;
    }
    int degree = topology.degree(node.index);
    int started = 0;
    for (int tried = 0; tried < degree && started < scenario.protocol().syncPeersPerRound(); tried++) {
      int other = topology.target(topology.firstLink(node.index) + (node.syncCursor++ % degree));
      if (startSync(node.index, other)) {
        started++;
      }
    }
  }

  /** Opens a sync exchange on the link unless one runs there, the link is down, or the two keep no identity in common. */
  private boolean startSync(int a, int b) {
    if (!linkUp(a, b) || syncs.containsKey(SyncLink.key(a, b)) || !sharesTopic(nodes[a], nodes[b])) {
      return false;
    }
    boolean dropMode = scenario.faults().badForwarders().mode() == Scenario.BadMode.DROP;
    if (dropMode && (faults.isBadForwarder(a) || faults.isBadForwarder(b))) {
      return false; // A dropping forwarder serves nothing, and we do not count on it.
    }
    var limits = org.grapevine.protocol.sync.SyncLimits.DEFAULT;
    SyncLink s = new SyncLink(a, b, linkGen[topology.link(a, b)],
        new org.grapevine.protocol.sync.SyncSession(nodes[a].keeps, new org.grapevine.node.sync.StoreSyncSource(nodes[a].store), limits, now),
        new org.grapevine.protocol.sync.SyncSession(nodes[b].keeps, new org.grapevine.node.sync.StoreSyncSource(nodes[b].store), limits, now));
    syncs.put(SyncLink.key(a, b), s);
    counters.syncSessions[a]++;
    counters.syncSessions[b]++;
    drainSync(s, a);
    drainSync(s, b);
    return true;
  }

  private static boolean sharesTopic(SimNode x, SimNode y) {
    int i = 0;
    int j = 0;
    while (i < x.topicNodes.length && j < y.topicNodes.length) {
      int c = Integer.compare(x.topicNodes[i], y.topicNodes[j]);
      if (c == 0) {
        return true;
      }
      if (c < 0) {
        i++;
      } else {
        j++;
      }
    }
    return false;
  }

  private void drainSync(SyncLink s, int at) {
    var session = s.at(at);
    int other = s.other(at);
    long extra = faults.isBadForwarder(at) ? scenario.faults().badForwarders().delayNanos() : 0;
    for (byte[] out = session.pollOutbound().orElse(null); out != null; out = session.pollOutbound().orElse(null)) {
      int framed = out.length + CodedOutputStream.computeUInt32SizeNoTag(out.length);
      counters.syncSent[at] += framed;
      transmit(at, other, framed, SimEvent.Kind.SYNC_MESSAGE, new Object[] {s, out}, extra, false);
    }
    long deadline = session.pollTimeout().orElse(Long.MIN_VALUE);
    long scheduled = at == s.a ? s.timerA : s.timerB;
    if (deadline != Long.MIN_VALUE && deadline != scheduled) {
      if (at == s.a) {
        s.timerA = deadline;
      } else {
        s.timerB = deadline;
      }
      schedule(Math.max(now, deadline), SimEvent.Kind.SYNC_TIMER, at, 0, -1, 0, s);
    }
    for (var ev = session.pollEvent().orElse(null); ev != null; ev = session.pollEvent().orElse(null)) {
      if (ev instanceof org.grapevine.protocol.sync.SyncEvent.EntriesReceived r) {
        SimNode node = nodes[at];
        long done = Math.max(now, node.validatorFreeAt) + r.envelopes().size() * network.validationDelayNanos(at);
        node.validatorFreeAt = done;
        schedule(done, SimEvent.Kind.SYNC_VALIDATED, at, node.incarnation, -1, 0, new Object[] {s, r.envelopes()});
      }
    }
    if (s.over() && syncs.get(SyncLink.key(s.a, s.b)) == s) {
      syncs.remove(SyncLink.key(s.a, s.b));
    }
  }

  private void onSyncMessage(SimEvent e) {
    Object[] p = (Object[]) e.payload;
    SyncLink s = (SyncLink) p[0];
    if (linkGen[e.link] != e.gen || syncs.get(SyncLink.key(s.a, s.b)) != s) {
      return;
    }
    byte[] message = (byte[]) p[1];
    counters.syncReceived[e.node] += e.bytes;
    s.at(e.node).handleMessage(message, now);
    drainSync(s, e.node);
  }

  private void onSyncTimer(SimEvent e) {
    SyncLink s = (SyncLink) e.payload;
    if (syncs.get(SyncLink.key(s.a, s.b)) != s) {
      return;
    }
    s.at(e.node).handleTimeout(now);
    drainSync(s, e.node);
  }

  @SuppressWarnings("unchecked")
  private void onSyncValidated(SimEvent e) {
    SimNode node = nodes[e.node];
    if (!node.online || node.incarnation != e.arg) {
      return;
    }
    Object[] p = (Object[]) e.payload;
    SyncLink s = (SyncLink) p[0];
    List<byte[]> envelopes = (List<byte[]>) p[1];
    int from = s.other(e.node);
    for (byte[] envelope : envelopes) {
      var id = PostCatalog.idOfEnvelope(envelope);
      LogEntry entry = id == null ? null : catalog.verify(id, envelope);
      IngestOutcome o = entry == null ? node.engine.ingest(envelope, nowMillis()) : node.engine.ingest(entry, false, nowMillis());
      int k = id == null ? -1 : catalog.postOfId(id);
      if (k >= 0) {
        log.copy(k, node.index);
      }
      recordStored(node, o, from, true);
      if (o instanceof IngestOutcome.Rejected r && r.reason() != org.grapevine.protocol.validation.RejectReason.UNDELEGATED_DEVICE
          && r.reason() != org.grapevine.protocol.validation.RejectReason.TIMESTAMP_IN_FUTURE) {
        s.at(e.node).rejectEntries(r.reason() + ": " + r.detail(), now);
        drainSync(s, e.node);
        return;
      }
    }
    s.at(e.node).acknowledge(envelopes.size(), now); // Allowed after the end too; it then grants nothing.
    if (syncs.get(SyncLink.key(s.a, s.b)) == s) {
      drainSync(s, e.node);
    }
  }
}
