package org.grapevine.node;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.random.RandomGenerator;
import org.grapevine.libp2p.host.Host;
import org.grapevine.libp2p.kad.Dht;
import org.grapevine.libp2p.kad.DhtConfig;
import org.grapevine.libp2p.kad.DhtStats;
import org.grapevine.libp2p.kad.KadMessageType;
import org.grapevine.libp2p.kad.KadPeer;
import org.grapevine.libp2p.kad.KadServer;
import org.grapevine.libp2p.kad.netty.KadInboundCounter;
import org.grapevine.libp2p.mdns.MdnsAddresses;
import org.grapevine.libp2p.multiaddr.Multiaddr;
import org.grapevine.libp2p.multiaddr.MultiaddrFormatException;
import org.grapevine.libp2p.peer.PeerId;
import org.grapevine.node.config.NodeConfig;
import org.grapevine.node.core.CoreCommand;
import org.grapevine.node.core.CoreEvent;
import org.grapevine.node.core.RendezvousConfig;
import org.grapevine.node.core.RendezvousSetup;
import org.grapevine.node.discovery.DiscoveryService;
import org.grapevine.node.discovery.Invites;
import org.grapevine.node.metrics.MetricsRegistry;
import org.grapevine.node.runtime.CoreDriver;
import org.grapevine.node.runtime.DhtLink;
import org.grapevine.node.runtime.StorageThread;
import org.grapevine.node.storage.PostStore;
import org.grapevine.protocol.identity.Identity;
import org.grapevine.protocol.topic.Topics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's DHT wiring, out of {@link Node}: which mode it runs in, the {@link Dht} the core owns,
 * the {@link DhtLink} that carries its streams, topic peers handed to discovery, our own addresses
 * for provider records, and the routing table kept in the store across restarts.
 */
// The periodic write's future is cancelled by the storage thread's close; nothing waits on it.
@SuppressWarnings("FutureReturnValueIgnored")
final class NodeDht {
  private static final Logger log = LoggerFactory.getLogger(NodeDht.class);

  /** Metadata key of the persisted routing table: one peer a line, "id addr addr...". */
  static final String TABLE_KEY = "dht.routing_table";

  /** The most peers persisted (and seeded at start). */
  static final int MAX_PERSISTED = 256;

  /** Seconds between writes of the routing table, when it changed. */
  private static final long PERSIST_SECONDS = 60;

  private static final long METRICS_SECONDS = 5;

  /** Null when the DHT is off: every method is then a no-op. */
  private final DhtLink link;

  private volatile boolean tableChanged;
  private volatile Map<String, Long> counters = Map.of();
  private volatile long tableSize;

  private NodeDht(DhtLink link) {
    this.link = link;
  }

  /** The core's DHT part, or null when {@code [dht] mode} is off. */
  static RendezvousSetup core(NodeSetup setup, PeerId self, RandomGenerator random) {
    NodeConfig.Dht c = setup.dht();
    if (c.mode() == NodeConfig.DhtMode.OFF) {
      return null;
    }
    RendezvousConfig rc =
        RendezvousConfig.DEFAULT
            .withAnnounceFollows(c.announceFollows())
            .withTargetTopicPeers(c.topicPeers());
    return new RendezvousSetup(
        new Dht(self, DhtConfig.DEFAULT, random, System.nanoTime()), rc, setup.identity());
  }

  /**
   * Attaches the DHT to a driver's host, before the host listens (one that does nothing when the
   * DHT is off). Seeds the core with the persisted table, schedules its persistence, registers the
   * metrics.
   */
  static NodeDht attach(
      NodeSetup setup,
      CoreDriver driver,
      Host host,
      DiscoveryService discovery,
      PostStore store,
      StorageThread storage,
      MetricsRegistry metrics) {
    if (setup.dht().mode() == NodeConfig.DhtMode.OFF) {
      return new NodeDht(null);
    }
    boolean server = serverMode(setup.dht().mode(), setup.host().swarmKey().isPresent(), host);
    NodeDht d = new NodeDht(new DhtLink(driver, host, server));
    driver.setDht(
        d.link,
        c -> {
          if (c instanceof CoreCommand.KeepTopicPeer k) {
            discovery.topicPeer(k.peer().id(), k.peer().addrs());
          } else if (c instanceof CoreCommand.ReleaseTopicPeer r) {
            discovery.releaseTopicPeer(r.peer());
          }
        });
    driver.addListener(
        e -> {
          if (e instanceof CoreEvent.DhtRoutingUpdated) {
            d.tableChanged = true;
          }
        });
    d.link.start();
    List<KadPeer> seeds = storage.call(() -> read(store));
    driver.input(c -> c.rendezvous().ifPresent(r -> r.handleSeed(seeds, System.nanoTime())));
    storage.every(
        PERSIST_SECONDS,
        () -> {
          if (d.tableChanged) {
            d.tableChanged = false;
            driver.onStorageRun(
                c -> c.rendezvous().ifPresent(r -> write(store, r.dht().routingTablePeers())));
          }
        },
        "persisting the DHT routing table");
    log.info(
        "DHT in {} mode, {} peers from the last run", server ? "server" : "client", seeds.size());
    d.metrics(metrics, driver, storage);
    return d;
  }

  /**
   * Registers the DHT's counters ({@code grapevine_dht_total{counter}}: requests by type, refusals
   * by reason, failures, queries, ...; {@code grapevine_dht_inbound_total{outcome}}: inbound
   * streams and requests, bad ones included) and the routing table's size. The counters live on the
   * storage thread: a copy is taken every few seconds.
   */
  private void metrics(MetricsRegistry metrics, CoreDriver driver, StorageThread storage) {
    storage.every(
        METRICS_SECONDS,
        () ->
            driver.onStorageRun(
                c ->
                    c.rendezvous()
                        .ifPresent(
                            r -> {
                              counters = counters(r.dht().stats());
                              tableSize = r.dht().routingTableSize();
                            })),
        "reading the DHT counters");
    metrics.counterFamily(
        "grapevine_dht_total",
        "DHT requests, refusals by reason, failures and queries, as of a few seconds ago.",
        "counter",
        () -> counters);
    metrics.gauge(
        "grapevine_dht_routing_table_peers", "Peers in the DHT routing table.", () -> tableSize);
    if (link.inbound() != null) {
      metrics.counterFamily(
          "grapevine_dht_inbound_total",
          "Inbound DHT requests and streams, by outcome (served, refused, and the peers' faults).",
          "outcome",
          () -> {
            Map<String, Long> m = new TreeMap<>();
            for (KadInboundCounter k : KadInboundCounter.values()) {
              m.put(k.name().toLowerCase(Locale.ROOT), link.inbound().count(k));
            }
            return m;
          });
    }
  }

  static Map<String, Long> counters(DhtStats s) {
    Map<String, Long> m = new TreeMap<>();
    for (KadMessageType t : KadMessageType.values()) {
      String type = t.name().toLowerCase(Locale.ROOT);
      m.put("requests_in_" + type, s.requestsIn(t));
      m.put("requests_out_" + type, s.requestsOut(t));
    }
    for (KadServer.Refusal r : KadServer.Refusal.values()) {
      m.put("refused_" + r.name().toLowerCase(Locale.ROOT), s.refused(r));
    }
    m.put("responses", s.responses());
    m.put("failures", s.failures());
    m.put("timeouts", s.timeouts());
    m.put("bad_responses", s.badResponses());
    m.put("late_reports", s.lateReports());
    m.put("queries_done", s.queriesDone());
    m.put("queries_succeeded", s.queriesSucceeded());
    m.put("queries_refused", s.queriesRefused());
    m.put("providers_found", s.providersFound());
    m.put("provider_peers_dropped", s.providerPeersDropped());
    m.put("provides_refused", s.providesRefused());
    m.put("republishes", s.republishes());
    m.put("invalid_records_received", s.invalidRecordsReceived());
    m.put("peers_added", s.peersAdded());
    m.put("peers_removed_for_failure", s.peersRemovedForFailure());
    m.put("checks_failed", s.checksFailed());
    return m;
  }

  /** Once the host listens: our dialable addresses, for provider records. */
  void listening(CoreDriver driver, Host host) {
    if (link == null) {
      return;
    }
    List<Multiaddr> own = dialable(host.listenAddrs());
    driver.input(c -> c.rendezvous().ifPresent(r -> r.handleOwnAddrs(own)));
  }

  /**
   * Our addresses changed while running ({@code extra}: those AutoNAT found reachable, circuit
   * addresses of relay reservations): provider records are announced again with them, first, then
   * the listen addresses as {@link #listening} gives them.
   */
  void ownAddrsChanged(CoreDriver driver, Host host, List<Multiaddr> extra) {
    if (link == null) {
      return;
    }
    java.util.Set<Multiaddr> own = new java.util.LinkedHashSet<>(extra);
    own.addAll(dialable(host.listenAddrs()));
    List<Multiaddr> list = List.copyOf(own);
    driver.input(
        c -> c.rendezvous().ifPresent(r -> r.handleOwnAddrsChanged(list, System.nanoTime())));
  }

  /** Switches server and client mode ({@code [dht] mode = auto} as reachability changes). */
  void setServer(boolean server) {
    if (link != null) {
      link.setServer(server);
    }
  }

  /** At close, before the storage thread stops: the table as it is now. */
  void persist(CoreDriver driver, PostStore store) {
    if (link == null) {
      return;
    }
    driver
        .query(
            c -> {
              c.rendezvous().ifPresent(r -> write(store, r.dht().routingTablePeers()));
              return null;
            })
        .exceptionally(closing -> null)
        .join();
  }

  DhtLink link() {
    return link;
  }

  /** How long a media lookup may take before it counts as finding nobody. */
  static final long MEDIA_LOOKUP_SECONDS = 60;

  /**
   * The media part's view of the DHT ({@link MediaDht}): inputs to the core's {@link
   * org.grapevine.node.core.Rendezvous}, lookups answered by its {@link CoreEvent.MediaProviders}
   * events. {@link MediaDht#OFF} when the DHT is off.
   */
  MediaDht media(CoreDriver driver) {
    if (link == null) {
      return MediaDht.OFF;
    }
    java.util.concurrent.atomic.AtomicLong tokens = new java.util.concurrent.atomic.AtomicLong();
    Map<Long, CompletableFuture<List<KadPeer>>> waiting =
        new java.util.concurrent.ConcurrentHashMap<>();
    driver.addListener(
        e -> {
          if (e instanceof CoreEvent.MediaProviders m) {
            CompletableFuture<List<KadPeer>> f = waiting.remove(m.token());
            if (f != null) {
              f.complete(m.providers());
            }
          }
        });
    return new MediaDht() {
      @Override
      public boolean on() {
        return true;
      }

      @Override
      public void provide(byte[] key) {
        driver.input(c -> c.rendezvous().ifPresent(r -> r.provideMedia(key, System.nanoTime())));
      }

      @Override
      public void stopProviding(byte[] key) {
        driver.input(
            c -> c.rendezvous().ifPresent(r -> r.stopProvidingMedia(key, System.nanoTime())));
      }

      @Override
      public CompletableFuture<List<KadPeer>> findProviders(byte[] key) {
        long token = tokens.incrementAndGet();
        CompletableFuture<List<KadPeer>> f = new CompletableFuture<>();
        waiting.put(token, f);
        driver.input(
            c ->
                c.rendezvous().ifPresent(r -> r.findMediaProviders(key, token, System.nanoTime())));
        // A dropped input (the node closing) or a lost answer must not hold a fetch forever.
        return f.completeOnTimeout(
                List.of(), MEDIA_LOOKUP_SECONDS, java.util.concurrent.TimeUnit.SECONDS)
            .whenComplete((r, t) -> waiting.remove(token));
      }
    };
  }

  /**
   * What {@code grapevine status} shows of the DHT: the mode, the routing table's size, and for
   * each followed identity its kept topic peers and connected subscribers.
   */
  Optional<CompletableFuture<DhtStatus>> status(
      CoreDriver driver, Identity own, List<Identity> follows) {
    if (link == null) {
      return Optional.empty();
    }
    return Optional.of(
        driver.query(
            c -> {
              Map<Identity, DhtStatus.TopicPeers> topics = new LinkedHashMap<>();
              for (Identity f : follows) {
                if (!f.equals(own)) {
                  int kept = c.rendezvous().map(r -> r.topicPeers(Topics.forIdentity(f))).orElse(0);
                  topics.put(f, new DhtStatus.TopicPeers(kept, c.connectedSubscribers(f)));
                }
              }
              return new DhtStatus(
                  link.server() ? "server" : "client",
                  c.rendezvous().map(r -> r.dht().routingTableSize()).orElse(0),
                  topics);
            }));
  }

  /** AUTO: server in a private mesh or on a public address (rule of {@link NodeConfig.DhtMode}). */
  static boolean serverMode(NodeConfig.DhtMode mode, boolean privateMesh, Host host) {
    return switch (mode) {
      case SERVER -> true;
      case CLIENT, OFF -> false;
      case AUTO -> privateMesh || isPublicListen(host);
    };
  }

  static boolean isPublicListen(Host host) {
    for (String text : host.config().listenAddrs()) {
      try {
        Optional<InetSocketAddress> a = Multiaddr.parse(text).tcpSocketAddress();
        if (a.isPresent() && Invites.isPublic(a.get().getAddress())) {
          return true;
        }
        if (a.isPresent() && a.get().getAddress().isAnyLocalAddress()) {
          for (InetAddress i : interfaceAddresses()) {
            if (Invites.isPublic(i)) {
              return true;
            }
          }
        }
      } catch (MultiaddrFormatException e) {
        // The host refused it at start already.
      }
    }
    return false;
  }

  /**
   * The addresses others can dial us at, as an invite carries them ({@link Invites#choose}: public
   * first, loopback only when nothing else is left, at most 8), wildcards expanded to the
   * interfaces' addresses.
   */
  static List<Multiaddr> dialable(List<Multiaddr> listen) {
    return Invites.choose(MdnsAddresses.expandWildcards(listen, interfaceAddresses()));
  }

  private static List<InetAddress> interfaceAddresses() {
    List<InetAddress> out = MdnsAddresses.interfaceAddresses();
    return out.isEmpty() ? List.of(InetAddress.getLoopbackAddress()) : out;
  }

  // ------------------------------------------------------------------ the persisted table

  static List<KadPeer> read(PostStore store) {
    Optional<byte[]> raw = store.metadata(TABLE_KEY);
    List<KadPeer> out = new ArrayList<>();
    if (raw.isEmpty()) {
      return out;
    }
    for (String line : new String(raw.get(), StandardCharsets.UTF_8).split("\n", -1)) {
      String[] parts = line.trim().split(" ", -1);
      if (parts.length < 2 || out.size() >= MAX_PERSISTED) {
        continue;
      }
      try {
        List<Multiaddr> addrs = new ArrayList<>();
        for (int i = 1; i < parts.length && addrs.size() < KadPeer.MAX_ADDRS; i++) {
          addrs.add(Multiaddr.parse(parts[i]));
        }
        out.add(new KadPeer(PeerId.parse(parts[0]), addrs));
      } catch (MultiaddrFormatException | IllegalArgumentException e) {
        log.debug("skipping an unreadable DHT peer in the store: {}", e.getMessage());
      }
    }
    return out;
  }

  static void write(PostStore store, List<KadPeer> peers) {
    StringBuilder sb = new StringBuilder();
    int n = 0;
    for (KadPeer p : peers) {
      if (p.addrs().isEmpty() || n++ >= MAX_PERSISTED) {
        continue;
      }
      sb.append(p.id());
      p.addrs().forEach(a -> sb.append(' ').append(a));
      sb.append('\n');
    }
    store.putMetadata(TABLE_KEY, sb.toString().getBytes(StandardCharsets.UTF_8));
  }
}
