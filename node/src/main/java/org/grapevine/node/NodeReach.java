package org.grapevine.node;

import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.grapevine.libp2p.autonat.Reachability;
import org.grapevine.libp2p.dcutr.DcutrOutcome;
import org.grapevine.libp2p.dcutr.netty.DcutrResult;
import org.grapevine.libp2p.dcutr.netty.DcutrService;
import org.grapevine.libp2p.host.Connection;
import org.grapevine.libp2p.host.Host;
import org.grapevine.libp2p.host.HostListener;
import org.grapevine.libp2p.identify.IdentifyResult;
import org.grapevine.libp2p.multiaddr.Multiaddr;
import org.grapevine.libp2p.multiaddr.MultiaddrFormatException;
import org.grapevine.libp2p.peer.PeerId;
import org.grapevine.libp2p.relay.CircuitEnd;
import org.grapevine.libp2p.relay.HopConfig;
import org.grapevine.libp2p.relay.RelayClientConfig;
import org.grapevine.libp2p.relay.RelayClientEvent;
import org.grapevine.libp2p.relay.netty.CircuitTransport;
import org.grapevine.libp2p.relay.netty.HopServer;
import org.grapevine.libp2p.relay.netty.RelayClientDriver;
import org.grapevine.libp2p.relay.netty.RelayProtocols;
import org.grapevine.node.config.NodeConfig;
import org.grapevine.node.metrics.MetricsRegistry;
import org.grapevine.node.runtime.CoreDriver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's reach through NATs, out of {@link Node} ({@code [nat]} in the config). One rule
 * decides everything: the node is <em>reachable</em> when AutoNAT says PUBLIC, or, before AutoNAT
 * has an answer (UNKNOWN: few peers to ask yet), when it listens on a public address. Then:
 *
 * <ul>
 *   <li>{@code [dht] mode = auto}: server when reachable (or in a private mesh), client otherwise;
 *   <li>{@code relay_service = auto}: relays for others (circuit relay v2's hop, with the limits of
 *       {@link HopConfig#DEFAULT}) when reachable;
 *   <li>a node that is not reachable keeps {@code relays} reservations on peers that offer the hop
 *       protocol and have a public address (bootstrap peers, DHT peers: whoever we are connected
 *       to), and advertises their {@code /p2p-circuit} addresses in identify and in the provider
 *       records it announces, again whenever they change.
 * </ul>
 *
 * <p>Every node can dial circuit addresses. With {@code hole_punch}, an inbound relayed connection
 * is upgraded by DCUtR (we are the initiator, as the spec has the inbound peer be) and DCUtR is
 * answered on outbound ones; once a direct connection exists, new streams take it ({@link
 * Host#connections(PeerId)} lists direct ones first; GossipSub moves its stream) and the relayed
 * connection is closed after {@link #RELAYED_GRACE}, so that streams still on it can end.
 *
 * <p>Hole punching and AutoNAT also try public addresses peers observed us at before enough of them
 * agree ({@link Host#observedCandidates}): a wrong one costs a failed dial or an AutoNAT "no", and
 * in a young network the confirmation may never come.
 */
// Timer and callback futures are cancelled or terminal; nothing waits on them.
@SuppressWarnings("FutureReturnValueIgnored")
final class NodeReach implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(NodeReach.class);

  /** How long a relayed connection stays open after a direct one replaced it. */
  static final Duration RELAYED_GRACE = Duration.ofSeconds(10);

  private static final long REFRESH_SECONDS = 5;
  private static final int MAX_RELAY_CANDIDATES = 32;
  private static final int MAX_OWN_ADDRS = 8;

  private final NodeConfig.Nat config;
  private final Host host;
  private final NodeDht dht;
  private final CoreDriver driver;
  private final boolean dhtAuto;
  private final boolean privateMesh;
  private final Map<String, Long> holePunches = new ConcurrentHashMap<>();

  /** Peers offering the hop protocol at a public address, most recent last (guarded by this). */
  private final Map<PeerId, List<Multiaddr>> relayCandidates = new LinkedHashMap<>();

  private HopServer hop; // guarded by this
  private volatile RelayClientDriver client;
  private ScheduledFuture<?> refresh;
  private boolean closed;
  private volatile boolean reachable;
  private volatile int hopReservations;
  private volatile int hopCircuits;
  private volatile long hopBytes;
  private volatile Map<String, Long> circuitsEnded = Map.of();
  private final java.util.concurrent.atomic.AtomicLong relayedOpened =
      new java.util.concurrent.atomic.AtomicLong();

  private NodeReach(NodeSetup setup, Host host, NodeDht dht, CoreDriver driver) {
    this.config = setup.nat();
    this.host = host;
    this.dht = dht;
    this.driver = driver;
    this.dhtAuto = setup.dht().mode() == NodeConfig.DhtMode.AUTO;
    this.privateMesh = setup.host().swarmKey().isPresent();
  }

  /** Wires the parts that must be there before the host listens (protocol handlers, listeners). */
  static NodeReach attach(
      NodeSetup setup, Host host, NodeDht dht, CoreDriver driver, MetricsRegistry metrics) {
    NodeReach r = new NodeReach(setup, host, dht, driver);
    CircuitTransport.install(host);
    host.setExtraAddrs(r::circuitAddrs);
    if (r.config.holePunch()) {
      DcutrService dcutr =
          new DcutrService(
              host,
              r::punchAddrs,
              DcutrService::publicTcp,
              Duration.ofSeconds(5),
              PooledByteBufAllocator.DEFAULT);
      dcutr.addResponderListener(r::punched);
      dcutr.start();
      dcutr.upgradeInboundRelayed(r::punched);
    }
    host.addListener(
        new HostListener() {
          @Override
          public void onConnected(Connection c) {
            if (c.isRelayed()) {
              r.relayedOpened.incrementAndGet();
              log.debug("relayed connection to {} open: {}", c.remotePeer(), c.remoteAddr());
            }
          }

          @Override
          public void onIdentified(Connection c, IdentifyResult identify) {
            r.identified(c, identify);
          }

          @Override
          public void onReachabilityChanged(
              Reachability from, Reachability to, List<Multiaddr> publicAddrs) {
            log.info("reachability {} -> {} (public addresses: {})", from, to, publicAddrs);
            r.decide();
          }
        });
    r.metrics(metrics);
    return r;
  }

  /** Once the host listens: the first decision, and the periodic refresh. */
  synchronized void started() {
    if (closed) {
      return;
    }
    decide();
    refresh =
        host.eventLoops()
            .next()
            .scheduleAtFixedRate(this::refresh, 1, REFRESH_SECONDS, TimeUnit.SECONDS);
  }

  /** What {@code grapevine status} shows under {@code nat}. */
  ReachStatus status() {
    RelayClientDriver c = client;
    int relayed = 0;
    for (Connection conn : host.connections()) {
      relayed += conn.isRelayed() ? 1 : 0;
    }
    synchronized (this) {
      return new ReachStatus(
          host.reachability().name().toLowerCase(Locale.ROOT),
          reachable,
          host.observedAddrs(),
          host.observedCandidates(),
          host.reachableAddrs(),
          c == null ? List.of() : c.reservedRelays(),
          c == null ? List.of() : c.circuitAddrs(),
          hop != null,
          hop == null ? 0 : hopReservations,
          hop == null ? 0 : hopCircuits,
          hopBytes,
          relayed,
          relayedOpened.get(),
          new TreeMap<>(holePunches));
    }
  }

  @Override
  public synchronized void close() {
    closed = true;
    if (refresh != null) {
      refresh.cancel(false);
    }
    if (hop != null) {
      hop.close();
      hop = null;
    }
    if (client != null) {
      client.close();
      client = null;
    }
  }

  // ------------------------------------------------------------------------------ decisions

  /** Applies the rule of the class comment to what is known now. */
  private synchronized void decide() {
    if (closed) {
      return;
    }
    Reachability r = host.reachability();
    boolean now =
        r == Reachability.PUBLIC || (r == Reachability.UNKNOWN && NodeDht.isPublicListen(host));
    reachable = now;
    if (dhtAuto) {
      dht.setServer(privateMesh || now);
    }
    boolean serve =
        switch (config.relayService()) {
          case ON -> true;
          case OFF -> false;
          case AUTO -> now;
        };
    if (serve && hop == null) {
      hop = HopServer.start(host, HopConfig.DEFAULT, this::publicAddrs);
      log.info(
          "relaying for others (circuit relay v2: {} s and {} bytes per circuit)",
          HopConfig.DEFAULT.circuitLimit().durationSeconds(),
          HopConfig.DEFAULT.circuitLimit().dataBytes());
    } else if (!serve && hop != null) {
      hop.close();
      hop = null;
      log.info("no longer relaying for others: this node is not reachable");
    }
    boolean reserve = config.relays() > 0 && !now;
    if (reserve && client == null) {
      RelayClientDriver c =
          RelayClientDriver.start(
              host, RelayClientConfig.DEFAULT.withWantedRelays(config.relays()));
      c.addListener(this::onRelayEvent);
      relayCandidates.forEach(c::addRelay);
      client = c;
      log.info(
          "not reachable from the internet ({}): keeping {} relay reservation(s), {} candidate(s)"
              + " known",
          r,
          config.relays(),
          relayCandidates.size());
    } else if (!reserve && client != null) {
      client.close();
      client = null;
      log.info("reachable: dropping relay reservations");
      addrsChanged();
    }
  }

  private void identified(Connection c, IdentifyResult identify) {
    if (c.isRelayed() || !identify.protocols().contains(RelayProtocols.HOP)) {
      return;
    }
    Set<Multiaddr> addrs = new LinkedHashSet<>();
    if (c.direction() == Connection.Direction.OUTBOUND && DcutrService.publicTcp(c.remoteAddr())) {
      addrs.add(c.remoteAddr().withoutPeerId()); // Where we reached it: known to work.
    }
    for (byte[] raw : identify.listenAddrs()) {
      try {
        Multiaddr a = Multiaddr.decode(raw);
        if (DcutrService.publicTcp(a) && a.peerId().isEmpty()) {
          addrs.add(a);
        }
      } catch (MultiaddrFormatException e) {
        // Not one we could dial.
      }
    }
    if (addrs.isEmpty()) {
      return; // A relay we could not reach from elsewhere either.
    }
    List<Multiaddr> list = List.copyOf(addrs);
    RelayClientDriver cl;
    synchronized (this) {
      relayCandidates.remove(c.remotePeer());
      relayCandidates.put(c.remotePeer(), list);
      while (relayCandidates.size() > MAX_RELAY_CANDIDATES) {
        relayCandidates.remove(relayCandidates.keySet().iterator().next());
      }
      cl = client;
    }
    if (cl != null) {
      cl.addRelay(c.remotePeer(), list);
    }
  }

  private void onRelayEvent(RelayClientEvent e) {
    if (e instanceof RelayClientEvent.Reserved r) {
      log.info(
          "relay reservation on {} until {} (limit {}): reachable at {}",
          r.relay(),
          java.time.Instant.ofEpochSecond(r.expireUnixSeconds()),
          r.limit(),
          r.circuitAddrs());
    } else if (e instanceof RelayClientEvent.Failed f) {
      log.info(
          "relay {} {}: {}",
          f.relay(),
          f.hadReservation() ? "reservation lost" : "refused a reservation",
          f.reason());
    }
    addrsChanged();
  }

  private void punched(Connection relayed, DcutrResult r) {
    holePunches.merge(r.outcome().name().toLowerCase(Locale.ROOT), 1L, Long::sum);
    if (r.outcome() == DcutrOutcome.DIRECT && r.direct().isPresent()) {
      log.info(
          "direct connection to {} at {} (hole punched after {} attempt(s)); closing the relayed"
              + " one in {} s",
          relayed.remotePeer(),
          r.direct().get().remoteAddr(),
          r.attempts(),
          RELAYED_GRACE.toSeconds());
      host.eventLoops()
          .schedule(
              () -> {
                List<Connection> now = host.connections(relayed.remotePeer());
                if (relayed.isOpen() && !now.isEmpty() && !now.get(0).isRelayed()) {
                  relayed.close(); // Only while a direct one is still there.
                }
              },
              RELAYED_GRACE.toMillis(),
              TimeUnit.MILLISECONDS);
    } else {
      log.info(
          "hole punch with {} ended {} ({}): staying on the relay",
          relayed.remotePeer(),
          r.outcome(),
          r.detail());
    }
  }

  /** Every few seconds: AutoNAT's extra candidates, the relay service's figures. */
  private void refresh() {
    host.autonat().ifPresent(a -> a.setExtraCandidates(host.observedCandidates()));
    HopServer h;
    synchronized (this) {
      h = hop;
    }
    if (h != null) {
      hopBytes = h.relayedBytes();
      h.executor()
          .execute(
              () -> {
                hopReservations = h.service().reservationCount();
                hopCircuits = h.service().circuitCount();
                Map<String, Long> ended = new TreeMap<>();
                for (CircuitEnd why : CircuitEnd.values()) {
                  ended.put(why.name().toLowerCase(Locale.ROOT), h.service().ended(why));
                }
                circuitsEnded = ended;
              });
    }
  }

  // ------------------------------------------------------------------------------ addresses

  /** Our circuit addresses: identify's extra addresses (any thread). */
  private List<Multiaddr> circuitAddrs() {
    RelayClientDriver c = client;
    return c == null ? List.of() : c.circuitAddrs();
  }

  /** Identify push to every peer, and provider records announced again with the new addresses. */
  private void addrsChanged() {
    host.addrsChanged();
    List<Multiaddr> own = new ArrayList<>(host.reachableAddrs());
    own.addAll(circuitAddrs());
    dht.ownAddrsChanged(driver, host, own);
  }

  /** What we tell a relay's clients it is at (its reservation answers). */
  private List<Multiaddr> publicAddrs() {
    Set<Multiaddr> out = new LinkedHashSet<>(host.reachableAddrs());
    out.addAll(host.observedAddrs());
    for (Multiaddr a : NodeDht.dialable(host.listenAddrs())) {
      if (DcutrService.publicTcp(a)) {
        out.add(a);
      }
    }
    return out.stream().limit(MAX_OWN_ADDRS).toList();
  }

  /** What we offer in a hole punch: public addresses, observed ones not yet confirmed included. */
  private List<Multiaddr> punchAddrs() {
    Set<Multiaddr> out = new LinkedHashSet<>(publicAddrs());
    out.addAll(host.observedCandidates());
    return out.stream().filter(DcutrService::publicTcp).limit(MAX_OWN_ADDRS).toList();
  }

  private void metrics(MetricsRegistry metrics) {
    metrics.gauge(
        "grapevine_nat_reachable",
        "1 when this node counts as reachable from the internet (AutoNAT, or a public address"
            + " before AutoNAT knows), else 0.",
        () -> reachable ? 1 : 0);
    metrics.gauge(
        "grapevine_relay_reservations",
        "Relay reservations this node holds (so that others reach it through the relays).",
        () -> {
          RelayClientDriver c = client;
          return c == null ? 0 : c.reservedRelays().size();
        });
    metrics.gauge(
        "grapevine_relay_service_circuits",
        "Circuits this node relays for others now (0 when it does not relay).",
        () -> hopCircuits);
    metrics.counterFamily(
        "grapevine_relay_circuits_ended_total",
        "Circuits this node relayed for others that ended, by why: closed, source_reset,"
            + " target_reset, data_limit, duration_limit, relay_closing (as of a few seconds ago).",
        "reason",
        () -> circuitsEnded);
    metrics.counterFamily(
        "grapevine_hole_punch_total",
        "Hole punches (DCUtR) by outcome: direct, dials_failed, no_own_addrs, ...",
        "outcome",
        () -> new TreeMap<>(holePunches));
  }
}
