package org.grapevine.simulations.virtual;

import com.google.protobuf.CodedOutputStream;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.grapevine.libp2p.kad.Dht;
import org.grapevine.libp2p.kad.DhtConfig;
import org.grapevine.libp2p.kad.DhtRequest;
import org.grapevine.libp2p.kad.KadCodec;
import org.grapevine.libp2p.kad.KadMessage;
import org.grapevine.libp2p.kad.KadServer;
import org.grapevine.libp2p.multiaddr.Multiaddr;
import org.grapevine.libp2p.multiaddr.MultiaddrFormatException;
import org.grapevine.libp2p.peer.PeerId;
import org.grapevine.node.core.Rendezvous;
import org.grapevine.node.core.RendezvousConfig;
import org.grapevine.node.core.RendezvousSetup;
import org.grapevine.simulations.metrics.DhtTotals;
import org.grapevine.simulations.metrics.NodeCounters;
import org.grapevine.simulations.scenario.Scenario;

/**
 * The virtual engine's {@code DhtLink}: gives every node's core its {@link Dht} (through the same
 * {@link RendezvousSetup} the running node builds), carries the core's DHT requests to the target
 * node's core and the answers back over the modelled network, and tells each core what identify
 * says of a peer it connects to (a fake address, and whether the peer serves the DHT). It decides
 * nothing: the {@link Rendezvous} in each core does.
 *
 * <p>Model: a request costs the sender's uplink, the pair's one-way latency with jitter, and the
 * receiver's downlink ({@link Wire#sendDirect}); its answer the same back. A request to a node that
 * is offline, split from the sender, or in client mode fails one round trip after it was sent (a
 * refused dial or protocol), as does one the target refuses (rate limit); one whose sender
 * restarted meanwhile is answered to nobody, and the Dht times out what never comes back. The
 * target identifies the sender on each request, as the connection a request opens would make it.
 * ADD_PROVIDER, which has no answer, is reported written as soon as it is sent. Bytes are
 * KadCodec's encoding with its length prefix, counted at both ends ({@link NodeCounters}).
 *
 * <p>Not modelled: the cost of dialling a peer for a request (TCP, Noise and yamux set-up), and the
 * connection manager's trimming of connections (topic peers and DHT streams are never trimmed).
 */
final class SimDht {
  private final Scenario.Dht spec;
  private final VirtualEngine engine;
  private final SimNode[] nodes;
  private final Map<PeerId, Integer> nodeOfPeer;
  private final PostCatalog catalog;
  private final Wire wire;
  private final EventQueue queue;
  private final NodeCounters counters;
  private final SimDrivers drivers;
  private final KadCodec codec = new KadCodec();
  private final boolean[] client;
  private final Multiaddr[] addrs;
  private final RendezvousConfig rendezvous;
  final DhtTotals totals;

  SimDht(
      Scenario.Dht spec,
      VirtualEngine engine,
      SimNode[] nodes,
      Map<PeerId, Integer> nodeOfPeer,
      PostCatalog catalog,
      Wire wire,
      EventQueue queue,
      NodeCounters counters,
      SimDrivers drivers,
      SplittableRandom random) {
    this.spec = spec;
    this.engine = engine;
    this.nodes = nodes;
    this.nodeOfPeer = nodeOfPeer;
    this.catalog = catalog;
    this.wire = wire;
    this.queue = queue;
    this.counters = counters;
    this.drivers = drivers;
    this.client = new boolean[nodes.length];
    this.addrs = new Multiaddr[nodes.length];
    this.totals = new DhtTotals(spec.enabled());
    if (spec.enabled()) {
      for (int i = 0; i < nodes.length; i++) {
        client[i] = random.nextDouble() < spec.clientFraction();
      }
    }
    this.rendezvous =
        RendezvousConfig.DEFAULT
            .withAnnounceFollows(spec.announceFollows())
            .withTargetTopicPeers(spec.topicPeers());
  }

  boolean enabled() {
    return spec.enabled();
  }

  /** A new process's DHT part, or null without a DHT. */
  RendezvousSetup setup(int node, SplittableRandom random, long now) {
    if (!spec.enabled()) {
      return null;
    }
    return new RendezvousSetup(
        new Dht(catalog.peerId(node), DhtConfig.DEFAULT, random, now),
        rendezvous,
        catalog.identity(node));
  }

  /** Right after the core is built: our own address, for the provider records we announce. */
  void started(SimNode node) {
    if (node.core != null) {
      node.core.rendezvous().ifPresent(r -> r.handleOwnAddrs(List.of(addr(node.index))));
    }
  }

  /** {@code a} identified {@code b} on a new connection. */
  void identified(int a, int b) {
    SimNode node = nodes[a];
    node.core
        .rendezvous()
        .ifPresent(
            r -> r.handlePeerIdentified(catalog.peerId(b), List.of(addr(b)), !client[b], now()));
  }

  // -------------------------------------------------------------------------- requests

  /** The core of {@code node} asked for {@code r} to be sent. */
  void send(SimNode node, DhtRequest r) {
    Integer to = nodeOfPeer.get(r.to().id());
    int bytes = framed(r.message());
    counters.dhtSent[node.index] += bytes;
    counters.dhtMessagesSent[node.index]++;
    if (to == null || to == node.index) {
      fail(node.index, node.incarnation, r.id(), 0, "no such node");
      return;
    }
    wire.sendDirect(
        node.index, new SimEvent.DhtRequestIn(to, node.index, node.incarnation, r, bytes), bytes);
    if (!r.expectsResponse()) {
      queue.at(now(), new SimEvent.DhtOutcome(node.index, node.incarnation, r.id(), null, null, 0));
    }
  }

  void onRequest(SimEvent.DhtRequestIn e) {
    SimNode target = nodes[e.node];
    long back = wire.pairLatencyNanos(e.from, e.node);
    if (!engine.linkUp(e.from, e.node) || client[e.node]) {
      // Offline, split off, or not serving the protocol: the dial or the stream is refused.
      fail(e.from, e.fromIncarnation, e.request.id(), back, "refused");
      return;
    }
    counters.dhtReceived[e.node] += e.bytes;
    Rendezvous r = target.core.rendezvous().orElseThrow();
    PeerId from = catalog.peerId(e.from);
    r.handlePeerIdentified(from, List.of(addr(e.from)), !client[e.from], now());
    KadServer.Reply reply = r.handleRequest(from, e.request.message(), now());
    drivers.drainNode(target);
    if (!e.request.expectsResponse()) {
      return;
    }
    if (reply.refusal().isPresent() || reply.response().isEmpty()) {
      fail(e.from, e.fromIncarnation, e.request.id(), back, "reset");
      return;
    }
    KadMessage answer = reply.response().get();
    int bytes = framed(answer);
    counters.dhtSent[e.node] += bytes;
    counters.dhtMessagesSent[e.node]++;
    wire.sendDirect(
        e.node,
        new SimEvent.DhtOutcome(e.from, e.fromIncarnation, e.request.id(), answer, null, bytes),
        bytes);
  }

  void onOutcome(SimEvent.DhtOutcome e) {
    SimNode node = nodes[e.node];
    if (!node.online || node.incarnation != e.incarnation) {
      return; // The process that asked is gone.
    }
    counters.dhtReceived[e.node] += e.bytes;
    Rendezvous r = node.core.rendezvous().orElseThrow();
    if (e.failure != null) {
      r.handleFailure(e.requestId, e.failure, now());
    } else {
      r.handleResponse(e.requestId, e.response, now());
    }
    drivers.drainNode(node);
  }

  private void fail(int node, int incarnation, long requestId, long afterNanos, String why) {
    queue.at(
        now() + afterNanos, new SimEvent.DhtOutcome(node, incarnation, requestId, null, why, 0));
  }

  private int framed(KadMessage m) {
    int body = codec.encode(m).length;
    return body + CodedOutputStream.computeUInt32SizeNoTag(body);
  }

  /** Node {@code i}'s fake address: /ip4/10.a.b.c/tcp/4001, the address identify reports. */
  Multiaddr addr(int i) {
    if (addrs[i] == null) {
      try {
        addrs[i] =
            Multiaddr.parse(
                "/ip4/10."
                    + (i >> 16 & 255)
                    + "."
                    + (i >> 8 & 255)
                    + "."
                    + (i & 255)
                    + "/tcp/4001");
      } catch (MultiaddrFormatException e) {
        throw new IllegalStateException(e);
      }
    }
    return addrs[i];
  }

  private long now() {
    return queue.now();
  }
}
