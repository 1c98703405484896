package org.grapevine.simulations.virtual;

import com.google.protobuf.ByteString;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.BiConsumer;
import org.grapevine.libp2p.gossipsub.Rpc;
import org.grapevine.libp2p.peer.PeerId;
import org.grapevine.libp2p.proto.Message;
import org.grapevine.libp2p.proto.RPC;
import org.grapevine.node.core.CoreEvent;
import org.grapevine.node.storage.DeviceSnapshots;
import org.grapevine.simulations.SimulationEngine;
import org.grapevine.simulations.metrics.AddressedLog;
import org.grapevine.simulations.metrics.DeliveryLog;
import org.grapevine.simulations.metrics.NodeCounters;
import org.grapevine.simulations.metrics.RunData;
import org.grapevine.simulations.network.FaultPlan;
import org.grapevine.simulations.network.FollowGraph;
import org.grapevine.simulations.network.Network;
import org.grapevine.simulations.network.Topology;
import org.grapevine.simulations.network.Workload;
import org.grapevine.simulations.scenario.RouterParams;
import org.grapevine.simulations.scenario.Scenario;

/**
 * The {@code virtual} engine: discrete events in one thread on a virtual clock. Each node runs the
 * node's own cores, as the running node does: the real {@link
 * org.grapevine.libp2p.gossipsub.GossipRouter} and the real {@link
 * org.grapevine.node.core.NodeCore} (ingestion, blame, when to sync and with whom, the sync
 * sessions) over a {@link org.grapevine.node.storage.MemoryPostStore}, driven by {@link SimDrivers}
 * over a modelled network ({@link Wire}: per-message latency, per-node uplink and downlink
 * serialisation, per-link FIFO order, loss of gossip RPCs).
 *
 * <p>Rules:
 *
 * <ol>
 *   <li>Everything random comes from streams split off the scenario seed, and every tie in time
 *       breaks by scheduling order: the same scenario and seed give the same run, event by event.
 *   <li>A node's outputs are drained right after each input, in the order the cores ask, and become
 *       events.
 *   <li>A message in flight belongs to one connection: if the link goes down (churn, partition)
 *       before it is delivered, it is dropped, as a reset TCP connection drops it.
 *   <li>At the start every link is a new connection dialled by its lower-numbered node, so the node
 *       cores sync over it as a node does on a connection it dialled.
 *   <li>With the DHT ({@link SimDht}), a topic peer a core keeps ({@code KeepTopicPeer}) is dialled
 *       by it as discovery would: a connection made during the run ({@link Links}), up while both
 *       ends are and no split is between them, dialled again by its keeper when the other end
 *       returns or a split heals, forgotten when the keeper's process ends or releases it. The
 *       topology's links are reconnected on a return as before; a made one is not, unless kept.
 * </ol>
 *
 * Not thread-safe; {@link #run} once.
 */
public final class VirtualEngine implements SimulationEngine {
  private static final int PROGRESS_EVERY_EVENTS = 1 << 14;

  private final Scenario scenario;
  private final FollowGraph follows;
  private final Topology topology;
  private final Network network;
  private final Workload workload;
  private final FaultPlan faults;
  private final PostCatalog catalog;
  private final SimNode[] nodes;
  private final Map<PeerId, Integer> nodeOfPeer = new HashMap<>();
  private final EventQueue queue = new EventQueue();
  private final Links links;
  private final Wire wire;
  private final SimDrivers drivers;

  /** Per node, the nodes its process keeps as topic peers, and the nodes that keep it. */
  private final Map<Integer, java.util.Set<Integer>> keeps = new HashMap<>();

  private final Map<Integer, java.util.Set<Integer>> keptBy = new HashMap<>();

  private final boolean[] splitActive;
  private final DeliveryLog log;
  private final AddressedLog addressed;
  private final NodeCounters counters;
  private long events;

  public VirtualEngine(
      Scenario scenario,
      FollowGraph follows,
      Topology topology,
      Network network,
      Workload workload,
      FaultPlan faults,
      SplittableRandom random) {
    this.scenario = scenario;
    this.follows = follows;
    this.topology = topology;
    this.network = network;
    this.workload = workload;
    this.faults = faults;
    SplittableRandom seeds = random.split();
    int n = follows.nodeCount();
    this.links = new Links(topology, network);
    this.wire = new Wire(links, network, random.split(), queue, n);
    SplittableRandom dhtRandom = random.split();
    this.catalog = new PostCatalog(scenario.seed(), n, workload);
    this.nodes = new SimNode[n];
    this.splitActive = new boolean[faults.splits().size()];
    this.log = new DeliveryLog(follows, workload);
    this.addressed = new AddressedLog(workload);
    this.counters = new NodeCounters(n);
    this.drivers =
        new SimDrivers(
            this,
            nodes,
            nodeOfPeer,
            catalog,
            wire,
            queue,
            scenario,
            faults,
            workload,
            log,
            addressed,
            counters,
            RouterParams.config(scenario.protocol()),
            seeds,
            dhtRandom);
  }

  /** Runs the scenario to its duration and returns what was measured. */
  @Override
  public RunData run(Progress progress, Runnable clockStarted) {
    clockStarted.run();
    setUp();
    long duration = scenario.durationNanos();
    for (SimEvent e = queue.next(duration); e != null; e = queue.next(duration)) {
      e.fire(this);
      if (++events % PROGRESS_EVERY_EVENTS == 0) {
        progress.update(queue.now(), duration, events);
      }
    }
    queue.advanceTo(duration);
    progress.update(duration, duration, events);
    for (SimNode node : nodes) {
      if (node.online) {
        drivers.retire(node);
      } else {
        counters.offlineNanos[node.index] += duration - node.offlineSince;
      }
    }
    drivers.dht().totals.madeEdges = links.madeEdges();
    markLoose();
    return new RunData(
        scenario,
        follows,
        topology,
        network,
        workload,
        log,
        counters,
        drivers.meshChangesPerSecond,
        drivers.routerTotals.toMap(),
        Map.copyOf(drivers.engineTotals),
        events,
        drivers.syncDeliveries,
        catalog.realVerifications(),
        catalogEnvelopeBytes(),
        "virtual",
        drivers.dht().totals,
        workload.hasAddressed() ? addressed : null);
  }

  /** Runs without a clock-start callback. */
  public RunData run(Progress progress) {
    return run(progress, () -> {});
  }

  // ---------------------------------------------------------------- test hooks
  // For tests that compare the node core's decisions with a running node's (CoreDecisionsAgreeIT).
  // Unused, they change nothing: no event is scheduled and no random number drawn.

  /**
   * Test hook: {@code listener} is told of every {@link CoreEvent} of every node, with the node's
   * number, in order.
   */
  void onCoreEvent(BiConsumer<Integer, CoreEvent> listener) {
    drivers.coreEventHook = listener;
  }

  /**
   * Test hook: at virtual time {@code atNanos}, node {@code from} sends node {@code to} (its
   * neighbour) one gossip RPC publishing {@code data} on {@code topic}, as a hostile or buggy
   * router could; {@code to}'s router and core judge it as any other message. Call before {@link
   * #run}.
   */
  void injectGossip(long atNanos, int from, int to, String topic, byte[] data) {
    RPC rpc =
        RPC.newBuilder()
            .addPublish(Message.newBuilder().setTopic(topic).setData(ByteString.copyFrom(data)))
            .build();
    queue.at(atNanos, new SimEvent.InjectedRpc(to, from, Rpc.of(rpc)));
  }

  Wire wire() {
    return wire;
  }

  SimDrivers drivers() {
    return drivers;
  }

  /** Which replies and flood entries their addressees still hold loose at the end. */
  private void markLoose() {
    Map<Integer, java.util.Set<org.grapevine.protocol.entry.EntryId>> looseAt = new HashMap<>();
    for (int k = 0; k < workload.posts(); k++) {
      int to = addressed.addressee(k);
      if (to < 0 || addressed.storedNanos(k) < 0) {
        continue;
      }
      java.util.Set<org.grapevine.protocol.entry.EntryId> ids =
          looseAt.computeIfAbsent(
              to,
              x -> {
                java.util.Set<org.grapevine.protocol.entry.EntryId> held =
                    new java.util.HashSet<>();
                nodes[x].store.looseEntries().forEach(e -> held.add(e.id()));
                return held;
              });
      if (ids.contains(catalog.post(k).id())) {
        addressed.heldLoose(k);
      }
    }
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
    DeviceSnapshots snapshots = new DeviceSnapshots();
    for (int i = 0; i < n; i++) {
      int[] followed = follows.follows(i);
      int[] topicNodes = java.util.Arrays.copyOf(followed, followed.length + 1);
      topicNodes[followed.length] = i;
      java.util.Arrays.sort(topicNodes);
      SimNode node = new SimNode(i, topicNodes, snapshots);
      // As if synced before the run: the root logs (delegations) of every kept identity.
      for (int x : topicNodes) {
        node.store.apply(catalog.delegation(x));
        node.store.follow(catalog.identity(x));
      }
      nodes[i] = node;
      nodeOfPeer.put(catalog.peerId(i), i);
    }
    long spread = scenario.nodes().startSpreadNanos();
    for (SimNode node : nodes) {
      node.startAtNanos = spread * node.index / n;
      if (node.startAtNanos == 0) {
        drivers.start(node);
      } else {
        node.online = false; // not yet started; not an outage either
        queue.at(node.startAtNanos, new SimEvent.Fault(SimEvent.Fault.Kind.START, node.index, -1));
      }
    }
    forEachEdge(
        (a, b) -> {
          if (linkUp(a, b)) {
            connect(a, b);
          }
        });
    for (int k = 0; k < workload.posts(); k++) {
      queue.at(workload.timeNanos(k), new SimEvent.Publish(workload.author(k), k));
    }
    for (var o : faults.outages()) {
      queue.at(o.leaveNanos(), new SimEvent.Fault(SimEvent.Fault.Kind.LEAVE, o.node(), -1));
      queue.at(o.returnNanos(), new SimEvent.Fault(SimEvent.Fault.Kind.RETURN, o.node(), -1));
    }
    for (int p = 0; p < faults.splits().size(); p++) {
      queue.at(
          faults.splits().get(p).atNanos(), new SimEvent.Fault(SimEvent.Fault.Kind.SPLIT, 0, p));
      queue.at(
          faults.splits().get(p).healNanos(), new SimEvent.Fault(SimEvent.Fault.Kind.HEAL, 0, p));
    }
  }

  // ---------------------------------------------------------------- connections and faults

  /**
   * Whether {@code a} and {@code b} can be connected now: both online, no active split between
   * them.
   */
  boolean linkUp(int a, int b) {
    if (!nodes[a].online || !nodes[b].online) {
      return false;
    }
    for (int p = 0; p < splitActive.length; p++) {
      if (splitActive[p]
          && faults.splits().get(p).groupOf()[a] != faults.splits().get(p).groupOf()[b]) {
        return false;
      }
    }
    return true;
  }

  /** Whether {@code a} and {@code b} are connected now (by the topology or a topic peer). */
  boolean connected(int a, int b) {
    return linkUp(a, b) && (links.inTopology(a, b) || links.connectedMade(a, b));
  }

  /**
   * {@code a}'s core keeps {@code b} as a topic peer: connect them now if they can be and are not;
   * true if that made a connection.
   */
  boolean keep(int a, int b) {
    keeps.computeIfAbsent(a, k -> new java.util.HashSet<>()).add(b);
    keptBy.computeIfAbsent(b, k -> new java.util.HashSet<>()).add(a);
    return dial(a, b);
  }

  /** {@code a}'s core no longer needs {@code b}: not dialled again (the connection stays). */
  void release(int a, int b) {
    java.util.Set<Integer> k = keeps.get(a);
    if (k != null) {
      k.remove(b);
    }
    java.util.Set<Integer> by = keptBy.get(b);
    if (by != null) {
      by.remove(a);
    }
  }

  private boolean dial(int a, int b) {
    if (!linkUp(a, b) || connected(a, b)) {
      return false;
    }
    links.setConnected(a, b, true);
    connect(a, b);
    return true;
  }

  /** {@code node}'s process ended: what it kept is forgotten. */
  private void forgetKeeps(int node) {
    java.util.Set<Integer> k = keeps.remove(node);
    if (k != null) {
      for (int b : k) {
        java.util.Set<Integer> by = keptBy.get(b);
        if (by != null) {
          by.remove(node);
        }
      }
    }
  }

  /** A new connection on the link, dialled by {@code a}. */
  private void connect(int a, int b) {
    wire.newGeneration(a, b);
    drivers.connect(a, b);
  }

  /** The connection between {@code a} and {@code b} ends; what is in flight on it is lost. */
  void cut(int a, int b) {
    wire.newGeneration(a, b);
    if (!links.inTopology(a, b)) {
      links.setConnected(a, b, false);
    }
    drivers.disconnect(a, b);
  }

  void onFault(SimEvent.Fault f) {
    switch (f.kind) {
      case START -> bringUp(nodes[f.node]);
      case LEAVE -> onLeave(nodes[f.node]);
      case RETURN -> onReturn(nodes[f.node]);
      case SPLIT -> onSplit(f.split);
      case HEAL -> onHeal(f.split);
    }
  }

  private void onLeave(SimNode node) {
    if (!node.online) {
      return;
    }
    forEachConnected(node.index, other -> cut(node.index, other));
    forgetKeeps(node.index);
    drivers.retire(node);
    node.online = false;
    node.offlineSince = queue.now();
    counters.outages[node.index]++;
  }

  private void onReturn(SimNode node) {
    if (node.online || queue.now() < node.startAtNanos) {
      return; // up, or not started yet (its start comes later)
    }
    counters.offlineNanos[node.index] += queue.now() - node.offlineSince;
    bringUp(node);
  }

  /** A process starts on {@code node}: it connects to its neighbours that run, keepers dial it. */
  private void bringUp(SimNode node) {
    if (node.online) {
      return;
    }
    drivers.start(node);
    forEachNeighbour(
        node.index,
        other -> {
          if (linkUp(node.index, other)) {
            connect(node.index, other);
          }
        });
    java.util.Set<Integer> by = keptBy.get(node.index);
    if (by != null) {
      for (int keeper : new java.util.TreeSet<>(by)) {
        dial(keeper, node.index); // Its keepers dial it again, as discovery does.
      }
    }
  }

  private void onSplit(int p) {
    List<int[]> cuts = new ArrayList<>();
    forEachEdge(
        (a, b) -> {
          if (linkUp(a, b)
              && faults.splits().get(p).groupOf()[a] != faults.splits().get(p).groupOf()[b]) {
            cuts.add(new int[] {a, b});
          }
        });
    for (int a = 0; a < nodes.length; a++) {
      int from = a;
      links.forEachMadeNeighbour(
          a,
          b -> {
            if (from < b
                && links.connectedMade(from, b)
                && linkUp(from, b)
                && faults.splits().get(p).groupOf()[from] != faults.splits().get(p).groupOf()[b]) {
              cuts.add(new int[] {from, b});
            }
          });
    }
    splitActive[p] = true;
    for (int[] e : cuts) {
      cut(e[0], e[1]);
    }
  }

  private void onHeal(int p) {
    if (!splitActive[p]) {
      return;
    }
    List<int[]> mend = new ArrayList<>();
    forEachEdge(
        (a, b) -> {
          if (!linkUp(a, b)
              && faults.splits().get(p).groupOf()[a] != faults.splits().get(p).groupOf()[b]) {
            mend.add(new int[] {a, b});
          }
        });
    splitActive[p] = false;
    for (int[] e : mend) {
      if (linkUp(e[0], e[1])) {
        connect(e[0], e[1]);
      }
    }
    for (int a : new java.util.TreeSet<>(keeps.keySet())) {
      for (int b : new java.util.TreeSet<>(keeps.get(a))) {
        dial(a, b); // Topic peers across the split are dialled again by their keepers.
      }
    }
  }

  /** Each node {@code a} is connected to now, topology first. */
  private void forEachConnected(int a, java.util.function.IntConsumer f) {
    List<Integer> out = new ArrayList<>();
    forEachNeighbour(
        a,
        b -> {
          if (linkUp(a, b)) {
            out.add(b);
          }
        });
    links.forEachMadeNeighbour(
        a,
        b -> {
          if (links.connectedMade(a, b) && linkUp(a, b)) {
            out.add(b);
          }
        });
    out.forEach(f::accept);
  }

  private void forEachNeighbour(int a, java.util.function.IntConsumer f) {
    for (int link = topology.firstLink(a);
        link < topology.firstLink(a) + topology.degree(a);
        link++) {
      f.accept(topology.target(link));
    }
  }

  private void forEachEdge(java.util.function.BiConsumer<Integer, Integer> f) {
    for (int a = 0; a < nodes.length; a++) {
      int from = a;
      forEachNeighbour(
          a,
          b -> {
            if (from < b) {
              f.accept(from, b);
            }
          });
    }
  }
}
