package org.grapevine.simulations.virtual;

import com.google.protobuf.CodedOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.grapevine.libp2p.gossipsub.Direction;
import org.grapevine.libp2p.gossipsub.GossipConfig;
import org.grapevine.libp2p.gossipsub.GossipEvent;
import org.grapevine.libp2p.gossipsub.GossipProtocol;
import org.grapevine.libp2p.gossipsub.GossipRouter;
import org.grapevine.libp2p.gossipsub.MessageId;
import org.grapevine.libp2p.gossipsub.OutboundRpc;
import org.grapevine.libp2p.gossipsub.TopicSets;
import org.grapevine.libp2p.peer.PeerId;
import org.grapevine.libp2p.proto.Message;
import org.grapevine.node.core.CoreCommand;
import org.grapevine.node.core.CoreConfig;
import org.grapevine.node.core.CoreEvent;
import org.grapevine.node.core.NodeCore;
import org.grapevine.node.core.SyncBytes;
import org.grapevine.node.engine.Engine;
import org.grapevine.node.engine.IngestOutcome;
import org.grapevine.node.engine.IngestSource;
import org.grapevine.protocol.entry.LogEntry;
import org.grapevine.protocol.validation.ChainChecker;
import org.grapevine.protocol.validation.EntryValidator;
import org.grapevine.protocol.validation.Verification;
import org.grapevine.simulations.metrics.AddressedLog;
import org.grapevine.simulations.metrics.DeliveryLog;
import org.grapevine.simulations.metrics.NodeCounters;
import org.grapevine.simulations.metrics.RouterTotals;
import org.grapevine.simulations.network.FaultPlan;
import org.grapevine.simulations.network.Workload;
import org.grapevine.simulations.scenario.Scenario;

/**
 * The virtual engine's driver of every node's {@link NodeCore} (and so of its {@link
 * GossipRouter}): the role {@code CoreDriver} plays in the running node, over the modelled {@link
 * Wire} instead of sockets. It decides nothing about the protocol: each input goes to the core with
 * the virtual time, and the core's outputs are drained right after, in the order the core asks
 * (gossip RPCs, sync bytes, commands, events, timeout), and become events.
 *
 * <p>What is modelled here and not in the node: validation takes the node class's delay (one
 * validator per node, FIFO), and a real verification runs only for an envelope not seen before
 * ({@link PostCatalog}); bad forwarders drop or delay what they forward; sync streams are reliable
 * (the loss rate drops gossip RPCs only).
 */
final class SimDrivers {
  private static final int GAP_BUFFER_PER_AUTHOR = 256;
  private static final int GAP_BUFFER_TOTAL = 16_384;
  private static final int RPC_PUBLISH_FIELD = 2;

  private final VirtualEngine engine;
  private final SimNode[] nodes;
  private final Map<PeerId, Integer> nodeOfPeer;
  private final PostCatalog catalog;
  private final Wire wire;
  private final EventQueue queue;
  private final Scenario scenario;
  private final FaultPlan faults;
  private final DeliveryLog log;
  private final AddressedLog addressed;
  private final NodeCounters counters;
  private final GossipConfig gossipConfig;
  private final CoreConfig coreConfig;
  private final Outbox outbox;
  private final SplittableRandom seeds;
  private final SimDht dht;
  private final EntryValidator validator = new EntryValidator();
  private final ChainChecker checker = new ChainChecker();

  /** Every router's peers' topic lists, held once: the routers run on this one thread. */
  private final TopicSets topicSets = new TopicSets();

  final int[] meshChangesPerSecond;
  final RouterTotals routerTotals = new RouterTotals();
  final Map<Engine.Counter, Long> engineTotals = new java.util.EnumMap<>(Engine.Counter.class);
  long syncDeliveries;

  /**
   * Test hook ({@link VirtualEngine#onCoreEvent}): told of every core event with its node's number;
   * null when unused.
   */
  java.util.function.BiConsumer<Integer, CoreEvent> coreEventHook;

  SimDrivers(
      VirtualEngine engine,
      SimNode[] nodes,
      Map<PeerId, Integer> nodeOfPeer,
      PostCatalog catalog,
      Wire wire,
      EventQueue queue,
      Scenario scenario,
      FaultPlan faults,
      Workload workload,
      DeliveryLog log,
      AddressedLog addressed,
      NodeCounters counters,
      GossipConfig gossipConfig,
      SplittableRandom seeds,
      SplittableRandom dhtRandom) {
    this.engine = engine;
    this.nodes = nodes;
    this.nodeOfPeer = nodeOfPeer;
    this.catalog = catalog;
    this.wire = wire;
    this.queue = queue;
    this.scenario = scenario;
    this.faults = faults;
    this.log = log;
    this.addressed = addressed;
    this.counters = counters;
    this.gossipConfig = gossipConfig;
    this.seeds = seeds;
    this.coreConfig =
        new CoreConfig(
            scenario.protocol().syncIntervalNanos(),
            scenario.protocol().syncPeersPerRound(),
            org.grapevine.protocol.sync.SyncLimits.DEFAULT,
            nanos -> PostCatalog.EPOCH_MILLIS + nanos / 1_000_000L);
    this.outbox = new Outbox(wire, counters, faults, scenario, catalog, workload);
    this.meshChangesPerSecond = new int[(int) (scenario.durationNanos() / 1_000_000_000L) + 1];
    this.dht =
        new SimDht(
            scenario.dht(),
            engine,
            nodes,
            nodeOfPeer,
            catalog,
            wire,
            queue,
            counters,
            this,
            dhtRandom);
  }

  SimDht dht() {
    return dht;
  }

  // ------------------------------------------------------------------------- processes

  /** A fresh process on the node: router, engine and core, subscribed to its topics. */
  void start(SimNode node) {
    long now = queue.now();
    node.online = true;
    node.incarnation++;
    GossipRouter router =
        new GossipRouter(gossipConfig, catalog.peerId(node.index), null, seeds.split(), topicSets);
    node.engine =
        new Engine(node.store, validator, checker, GAP_BUFFER_PER_AUTHOR, GAP_BUFFER_TOTAL);
    node.core =
        new NodeCore(
            node.store,
            node.engine,
            router,
            coreConfig,
            seeds.split(),
            now,
            dht.enabled() ? dht.setup(node.index, seeds.split(), now) : null);
    dht.started(node);
    node.streams.clear();
    node.coreTimerAt = Long.MIN_VALUE;
    node.validatorFreeAt = now;
    wire.resetNode(node.index);
    node.core.handleStarted(now); // Subscribes to the topics of the identities it keeps.
    drain(node);
  }

  /** The node's process ends: its counters are kept, its cores dropped. */
  void retire(SimNode node) {
    routerTotals.add(node.core.gossipMetrics());
    node.engine.counts().forEach((k, v) -> engineTotals.merge(k, v, Long::sum));
    addressed.addOutbox(node.core.addressedOutbox());
    node.engine = null;
    node.core = null;
    node.streams.clear();
  }

  /** Both sides learn of the new connection; {@code a} dialled it. */
  void connect(int a, int b) {
    long now = queue.now();
    nodes[a].core.handleGossipPeerUp(
        catalog.peerId(b), Direction.OUTBOUND, GossipProtocol.MESHSUB_V12, null, now);
    nodes[b].core.handleGossipPeerUp(
        catalog.peerId(a), Direction.INBOUND, GossipProtocol.MESHSUB_V12, null, now);
    nodes[a].core.handlePeerConnected(catalog.peerId(b), true, now);
    nodes[b].core.handlePeerConnected(catalog.peerId(a), false, now);
    if (dht.enabled()) { // Identify, which runs on every new connection.
      dht.identified(a, b);
      dht.identified(b, a);
    }
    drain(nodes[a]);
    drain(nodes[b]);
  }

  /** The connection between {@code a} and {@code b} is gone: each online side hears of it. */
  void disconnect(int a, int b) {
    for (int[] pair : new int[][] {{a, b}, {b, a}}) {
      SimNode x = nodes[pair[0]];
      if (x.online) {
        x.streams.removeIf(s -> s.other(x.index) == pair[1]);
        x.core.handleGossipPeerDown(catalog.peerId(pair[1]), queue.now());
        x.core.handlePeerDisconnected(catalog.peerId(pair[1]), queue.now());
        drain(x);
      }
    }
  }

  // ---------------------------------------------------------------------------- inputs

  void onGossipRpc(SimEvent.GossipRpcIn e) {
    if (!wire.current(e)) {
      return;
    }
    SimNode node = nodes[e.node];
    int payload = 0;
    for (Message m : e.rpc.proto().getPublishList()) {
      payload += CodedOutputStream.computeMessageSize(RPC_PUBLISH_FIELD, m);
      int k = catalog.postOfData(m.getData());
      if (k >= 0) {
        log.copy(k, node.index);
      }
    }
    counters.payloadReceived[node.index] += payload;
    counters.controlReceived[node.index] += e.bytes - payload;
    node.core.handleRpc(catalog.peerId(e.from), e.rpc, queue.now());
    drain(node);
  }

  void onCoreTimer(SimEvent.CoreTimer e) {
    SimNode node = nodes[e.node];
    if (!current(node, e) || node.coreTimerAt != e.deadline) {
      return; // A timer of an earlier process, or one the core has since moved.
    }
    node.coreTimerAt = Long.MIN_VALUE;
    node.core.handleTimeout(queue.now());
    drain(node);
  }

  void onValidated(SimEvent.Validated e) {
    SimNode node = nodes[e.node];
    if (!current(node, e)) {
      return; // The process that was validating is gone.
    }
    CoreCommand.VerifyGossip v = e.verify;
    node.core.handleGossipVerified(
        v.token(), catalog.verification(v.id(), v.envelope(), v.addressed()), queue.now());
    drain(node);
  }

  void onSyncVerified(SimEvent.SyncVerified e) {
    SimNode node = nodes[e.node];
    if (!current(node, e)) {
      return;
    }
    List<Verification> verifications = new ArrayList<>(e.envelopes.size());
    for (byte[] envelope : e.envelopes) {
      MessageId id = PostCatalog.idOfEnvelope(envelope);
      verifications.add(catalog.verification(id, envelope));
      int k = id == null ? -1 : catalog.postOfId(id);
      if (k >= 0) {
        log.copy(k, node.index);
      }
    }
    node.core.handleSyncVerified(e.sync, e.batch, verifications, queue.now());
    drain(node);
  }

  void onSyncIn(SimEvent.SyncIn e) {
    SimNode node = nodes[e.node];
    long id = e.stream.idAt(e.node);
    if (!wire.current(e) || !node.online || node.streams.get(id) != e.stream) {
      return;
    }
    counters.syncReceived[e.node] += e.bytes;
    if (e.message == null) {
      node.core.handleSyncStreamClosed(id, false, queue.now());
    } else {
      node.core.handleSyncMessage(id, e.message, queue.now());
    }
    drain(node);
  }

  void onPublish(SimEvent.Publish e) {
    int k = e.post;
    SimNode node = nodes[e.node];
    LogEntry entry = catalog.post(k);
    log.published(k, queue.now());
    if (!node.online) {
      node.store.apply(
          entry, true); // Written offline: stored now, spread by sync once the node is back.
      return;
    }
    IngestOutcome o = node.core.handleOwnEntry(entry, queue.now()); // Also publishes it.
    if (!(o instanceof IngestOutcome.Stored)) {
      throw new IllegalStateException("own post " + k + " not stored: " + o);
    }
    drain(node);
  }

  /**
   * Test hook ({@link VirtualEngine#injectGossip}): {@code e.from} sends {@code e.node} an RPC of
   * the test's making over the modelled link, as if its router had sent it (no loss, no
   * bad-forwarder delay); nothing is sent if the link is down.
   */
  void onInjectedRpc(SimEvent.InjectedRpc e) {
    if (!engine.connected(e.from, e.node)) {
      return;
    }
    int total = e.rpc.proto().getSerializedSize();
    int framed = total + CodedOutputStream.computeUInt32SizeNoTag(total);
    wire.send(new SimEvent.GossipRpcIn(e.node, e.from, e.rpc, framed), framed, 0, false);
  }

  private static boolean current(SimNode node, SimEvent.ForProcess e) {
    return node.online && node.incarnation == e.incarnation;
  }

  // ---------------------------------------------------------------------------- outputs

  /** Drains the node's core until it has nothing more. */
  void drainNode(SimNode node) {
    drain(node);
  }

  private void drain(SimNode node) {
    if (!node.online) {
      return;
    }
    drainCore(node);
  }

  private void drainCore(SimNode node) {
    NodeCore core = node.core;
    boolean more = true;
    while (more) {
      more = false;
      for (OutboundRpc out = core.pollRpc().orElse(null);
          out != null;
          out = core.pollRpc().orElse(null)) {
        Integer to = nodeOfPeer.get(out.to());
        if (to != null) {
          outbox.gossip(node.index, to, out.rpc());
        }
      }
      for (SyncBytes b = core.pollOutbound().orElse(null);
          b != null;
          b = core.pollOutbound().orElse(null)) {
        SimStream s = node.streams.get(b.sync());
        if (s != null) {
          outbox.sync(node.index, s, b.message());
        }
      }
      for (CoreCommand c = core.pollCommand().orElse(null);
          c != null;
          c = core.pollCommand().orElse(null)) {
        more = true;
        execute(node, c);
      }
      for (CoreEvent e = core.pollEvent().orElse(null);
          e != null;
          e = core.pollEvent().orElse(null)) {
        if (coreEventHook != null) {
          coreEventHook.accept(node.index, e);
        }
        if (e instanceof CoreEvent.DhtQueryDone q) {
          dht.totals.add(q.kind(), q.stats());
        }
        if (e instanceof CoreEvent.Gossip g
            && (g.event() instanceof GossipEvent.Grafted
                || g.event() instanceof GossipEvent.Pruned)) {
          meshChangesPerSecond[
              (int) Math.min(meshChangesPerSecond.length - 1, queue.now() / 1_000_000_000L)]++;
        }
        if (e instanceof CoreEvent.Stored stored && stored.source() != IngestSource.OWN) {
          Integer from = stored.from() == null ? null : nodeOfPeer.get(stored.from());
          for (LogEntry entry : stored.entries()) {
            deliver(node, entry, from == null ? -1 : from, stored.source());
          }
        }
      }
    }
    long deadline = core.pollTimeout();
    if (deadline != node.coreTimerAt) {
      node.coreTimerAt = deadline;
      queue.at(deadline, new SimEvent.CoreTimer(node.index, node.incarnation, deadline));
    }
  }

  private void execute(SimNode node, CoreCommand c) {
    if (c instanceof CoreCommand.OpenSync open) {
      openSync(node, open.peer());
    } else if (c instanceof CoreCommand.VerifyGossip v) {
      long done =
          Math.max(queue.now(), node.validatorFreeAt) + wire.validationDelayNanos(node.index);
      node.validatorFreeAt = done;
      queue.at(done, new SimEvent.Validated(node.index, node.incarnation, v));
    } else if (c instanceof CoreCommand.VerifyBatch v) {
      long done =
          Math.max(queue.now(), node.validatorFreeAt)
              + v.envelopes().size() * wire.validationDelayNanos(node.index);
      node.validatorFreeAt = done;
      queue.at(
          done,
          new SimEvent.SyncVerified(
              node.index, node.incarnation, v.sync(), v.batch(), v.envelopes()));
    } else if (c instanceof CoreCommand.CloseSync close) {
      SimStream s = node.streams.remove(close.sync());
      if (s != null) {
        outbox.sync(node.index, s, null); // The FIN, after the last message (FIFO per link).
      }
    } else if (c instanceof CoreCommand.Disconnect d) {
      Integer other = nodeOfPeer.get(d.peer());
      if (other != null && engine.connected(node.index, other)) {
        engine.cut(node.index, other);
      }
    } else if (c instanceof CoreCommand.SendDht send) {
      dht.send(node, send.request());
    } else if (c instanceof CoreCommand.KeepTopicPeer keep) {
      Integer other = nodeOfPeer.get(keep.peer().id());
      dht.totals.topicPeersKept++;
      if (other != null && other != node.index && engine.keep(node.index, other)) {
        dht.totals.topicConnections++;
      }
    } else if (c instanceof CoreCommand.ReleaseTopicPeer release) {
      Integer other = nodeOfPeer.get(release.peer());
      if (other != null) {
        engine.release(node.index, other);
      }
    }
  }

  /**
   * Opens a stream to {@code peer} unless the link is down or a dropping forwarder is at either
   * end.
   */
  private void openSync(SimNode node, PeerId peer) {
    Integer other = nodeOfPeer.get(peer);
    long now = queue.now();
    boolean dropMode = scenario.faults().badForwarders().mode() == Scenario.BadMode.DROP;
    if (other == null
        || !engine.connected(node.index, other)
        || (dropMode && (faults.isBadForwarder(node.index) || faults.isBadForwarder(other)))) {
      node.core.handleSyncOpenFailed(
          peer, now); // A dropping forwarder serves nothing, and we do not count on it.
      return;
    }
    SimNode b = nodes[other];
    long idA = node.core.handleSyncStream(peer, now);
    long idB = b.core.handleSyncStream(catalog.peerId(node.index), now);
    SimStream s = new SimStream(node.index, other, idA, idB);
    node.streams.put(idA, s);
    b.streams.put(idB, s);
    counters.syncSessions[node.index]++;
    counters.syncSessions[other]++;
    drain(b);
  }

  private void deliver(SimNode node, LogEntry entry, int from, IngestSource source) {
    int k = catalog.postOfId(MessageId.of(entry.id().toBytes()));
    if (k < 0) {
      return;
    }
    boolean bySync = source == IngestSource.SYNC;
    addressed.stored(
        k,
        node.index,
        queue.now(),
        source == IngestSource.ADDRESSED
            ? AddressedLog.BY_ADDRESSED
            : bySync ? AddressedLog.BY_SYNC : AddressedLog.BY_GOSSIP);
    int senderHops = from < 0 ? -1 : log.hopsAt(k, from);
    log.delivered(k, node.index, queue.now(), senderHops < 0 ? -1 : senderHops + 1, bySync);
    if (bySync) {
      syncDeliveries++;
    }
  }
}
