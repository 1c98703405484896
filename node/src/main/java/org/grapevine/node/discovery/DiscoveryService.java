package org.grapevine.node.discovery;

import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;
import org.grapevine.libp2p.gossipsub.GossipEvent;
import org.grapevine.libp2p.host.Connection;
import org.grapevine.libp2p.host.Host;
import org.grapevine.libp2p.host.HostListener;
import org.grapevine.libp2p.identify.IdentifyResult;
import org.grapevine.libp2p.mdns.MdnsConfig;
import org.grapevine.libp2p.mdns.netty.MdnsDriver;
import org.grapevine.libp2p.multiaddr.Multiaddr;
import org.grapevine.libp2p.multiaddr.MultiaddrFormatException;
import org.grapevine.libp2p.peer.PeerId;
import org.grapevine.libp2p.peer.PeerIdFormatException;
import org.grapevine.node.storage.PostStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a {@link ConnectionManager} on a host: the thin adapter. Host connection events, identify
 * results, mDNS discoveries and GossipSub peer exchange become inputs on one executor (with {@link
 * System#nanoTime()}); its commands become dials (each address in turn), closes, and writes of the
 * peer table through {@link PostStore#putPeer}/{@link PostStore#removePeer} on the storage
 * executor. The table is read once at {@link #start}.
 *
 * <p>With a swarm key, mDNS uses the service {@code _p2p-<key fingerprint>._udp.local} (the libp2p
 * pnet spec's suggestion), so a private mesh neither announces itself on nor listens to the public
 * service.
 */
public final class DiscoveryService implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(DiscoveryService.class);

  /** A peer learned for the first time. */
  @FunctionalInterface
  public interface Listener {
    void onDiscovered(PeerId peer, PeerSource source, List<Multiaddr> addrs);
  }

  private final DiscoveryConfig config;
  private final Host host;
  private final PostStore store;
  private final Executor storage;
  private final EventLoopGroup group;
  private final EventExecutor loop;
  private final RandomGenerator random;
  private final ConnectionManager manager;
  private final List<Listener> listeners = new CopyOnWriteArrayList<>();
  private MdnsDriver mdns;
  private org.grapevine.node.discovery.dns.NettyDnsLookup dns;
  private volatile BootstrapNames names;
  private ScheduledFuture<?> timer;
  private long timerDeadline = Long.MAX_VALUE;
  private volatile boolean closed;

  public DiscoveryService(
      DiscoveryConfig config,
      Host host,
      PostStore store,
      Executor storage,
      EventLoopGroup group,
      RandomGenerator random) {
    this.config = config;
    this.host = host;
    this.store = store;
    this.storage = storage;
    this.group = group;
    this.loop = group.next();
    this.random = random;
    this.manager = new ConnectionManager(config, host.peerId(), random);
  }

  public void addListener(Listener listener) {
    listeners.add(listener);
  }

  /** Peers a gossip PRUNE offered (peer exchange): candidates to dial. Any thread. */
  public void onPeerExchange(GossipEvent.PeerExchange px) {
    for (PeerId p : px.peers()) {
      List<Multiaddr> addrs = parse(host.peerStore().addrs(p));
      if (!addrs.isEmpty()) {
        input(() -> discovered(p, addrs, PeerSource.PEER_EXCHANGE));
      }
    }
  }

  /**
   * A peer given by the user (an invite): known from now on, persisted once connected, redialed
   * with backoff like any other. Any thread.
   */
  public void addPeer(PeerId peer, List<Multiaddr> addrs) {
    input(() -> discovered(peer, addrs, PeerSource.INVITE));
  }

  /**
   * Loads the persisted peers, follows the host's connections, starts mDNS (if configured) and
   * dials. Call after the host listens (mDNS announces its addresses).
   *
   * @throws IOException if mDNS cannot bind its port
   */
  public void start() throws IOException {
    Map<PeerId, List<Multiaddr>> stored = new LinkedHashMap<>();
    store
        .peers()
        .forEach(
            (id, text) -> {
              try {
                stored.put(PeerId.parse(id), parse(List.of(text.split(" "))));
              } catch (PeerIdFormatException e) {
                log.warn("ignoring a stored peer with an unreadable id {}: {}", id, e.getMessage());
              }
            });
    host.addListener(
        new HostListener() {
          @Override
          public void onConnected(Connection c) {
            input(
                () ->
                    manager.handleConnected(
                        c.remotePeer(),
                        c.direction() == Connection.Direction.OUTBOUND,
                        System.nanoTime()));
          }

          @Override
          public void onIdentified(Connection c, IdentifyResult identify) {
            List<Multiaddr> addrs = new ArrayList<>();
            for (byte[] raw : identify.listenAddrs()) {
              try {
                addrs.add(Multiaddr.decode(raw));
              } catch (MultiaddrFormatException e) {
                // An address we cannot dial anyway.
              }
            }
            input(() -> discovered(c.remotePeer(), addrs, PeerSource.IDENTIFY));
          }

          @Override
          public void onDisconnected(Connection c) {
            if (host.connections(c.remotePeer()).isEmpty()) {
              input(() -> manager.handleDisconnected(c.remotePeer(), System.nanoTime()));
            }
          }
        });
    input(
        () -> {
          manager.restore(stored, System.nanoTime());
          for (Connection c : host.connections()) {
            manager.handleConnected(
                c.remotePeer(), c.direction() == Connection.Direction.OUTBOUND, System.nanoTime());
          }
        });
    startNames();
    if (config.mdns()) {
      MdnsConfig mdnsConfig =
          host.config()
              .swarmKey()
              .map(
                  k ->
                      MdnsConfig.DEFAULT.withServiceName("_p2p-" + k.fingerprint() + "._udp.local"))
              .orElse(MdnsConfig.DEFAULT);
      mdns =
          new MdnsDriver(
              mdnsConfig,
              host.peerId(),
              random,
              group,
              MdnsDriver.defaultInterfaces(),
              MdnsDriver.PORT);
      mdns.addListener(d -> input(() -> discovered(d.peer(), d.addrs(), PeerSource.MDNS)));
      mdns.start(host.listenAddrs());
    }
  }

  /**
   * A provider of a followed topic, found in the DHT: dialled and kept connected while the topic
   * needs it ({@link ConnectionManager#handleTopicPeer}). Any thread.
   */
  public void topicPeer(PeerId peer, List<Multiaddr> addrs) {
    input(
        () -> {
          if (manager.handleTopicPeer(peer, addrs, System.nanoTime())) {
            log.debug("topic peer {} at {}", peer, manager.addrs(peer));
          }
        });
  }

  /** The topic {@code peer} was kept for no longer needs it. Any thread. */
  public void releaseTopicPeer(PeerId peer) {
    input(() -> manager.handleTopicPeerReleased(peer));
  }

  /**
   * Resolves {@code /dnsaddr} and {@code /dns*} bootstrap entries (only when there are any: a node
   * without them never asks DNS anything).
   */
  private void startNames() {
    List<Multiaddr> named = config.bootstrapNames();
    if (named.isEmpty()) {
      return;
    }
    try {
      dns =
          new org.grapevine.node.discovery.dns.NettyDnsLookup(
              group.next(), config.dnsServers(), config.dnsTimeout());
    } catch (RuntimeException e) {
      // No DNS (no UDP socket, no usable resolver config): not fatal, the LAN still works.
      log.warn("bootstrap names {} cannot be resolved here: {}", named, e.toString());
      return;
    }
    names =
        new BootstrapNames(
            new org.grapevine.node.discovery.dns.DnsaddrResolver(dns),
            loop,
            (peer, addrs) ->
                input(() -> manager.handleBootstrapResolved(peer, addrs, System.nanoTime())));
    names.start(named);
  }

  /**
   * Bootstrap name resolutions so far, by outcome ("resolved", "failed"); both 0 when the bootstrap
   * list has no names or DNS could not start. Any thread.
   */
  public Map<String, Long> bootstrapDnsCounts() {
    BootstrapNames n = names;
    return n == null ? Map.of("resolved", 0L, "failed", 0L) : n.counts();
  }

  /** Peers known right now (for status output and tests). */
  public CompletableFuture<List<PeerId>> knownPeers() {
    CompletableFuture<List<PeerId>> out = new CompletableFuture<>();
    loop.execute(() -> out.complete(List.copyOf(manager.knownPeers())));
    return out;
  }

  /**
   * Peers connected as the manager counts them (at most {@link DiscoveryConfig#maxConnections}).
   */
  public CompletableFuture<Integer> connectedCount() {
    CompletableFuture<Integer> out = new CompletableFuture<>();
    loop.execute(() -> out.complete(manager.connectedCount()));
    return out;
  }

  /** Failed dials in a row to {@code peer}; -1 if it is not known. */
  public CompletableFuture<Integer> failures(PeerId peer) {
    CompletableFuture<Integer> out = new CompletableFuture<>();
    loop.execute(() -> out.complete(manager.failures(peer)));
    return out;
  }

  @Override
  public void close() {
    closed = true;
    if (mdns != null) {
      mdns.close();
    }
    if (names != null) {
      names.close();
    }
    if (dns != null) {
      dns.close();
    }
    loop.execute(
        () -> {
          if (timer != null) {
            timer.cancel(false);
          }
        });
  }

  // --- Inputs, on the loop ----------------------------------------------------------------------

  private void input(Runnable r) {
    if (closed) {
      return;
    }
    loop.execute(
        () -> {
          if (!closed) {
            r.run();
            drive();
          }
        });
  }

  private void discovered(PeerId peer, List<Multiaddr> addrs, PeerSource source) {
    if (manager.handleDiscovered(peer, addrs, source, System.nanoTime())) {
      List<Multiaddr> known = manager.addrs(peer);
      log.info(
          "discovered {} via {} at {}",
          peer,
          source.name().toLowerCase(java.util.Locale.ROOT),
          known);
      listeners.forEach(l -> l.onDiscovered(peer, source, known));
    }
  }

  private void onTimer() {
    timer = null;
    timerDeadline = Long.MAX_VALUE;
    if (!closed) {
      manager.handleTimeout(System.nanoTime());
      drive();
    }
  }

  // --- Outputs ----------------------------------------------------------------------------------

  private void drive() {
    for (Optional<ConnectionCommand> c = manager.pollCommand();
        c.isPresent();
        c = manager.pollCommand()) {
      execute(c.get());
    }
    OptionalLong deadline = manager.pollTimeout();
    if (deadline.isPresent() && deadline.getAsLong() < timerDeadline && !closed) {
      if (timer != null) {
        timer.cancel(false);
      }
      timerDeadline = deadline.getAsLong();
      timer =
          loop.schedule(
              this::onTimer, Math.max(0, timerDeadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    }
  }

  private void execute(ConnectionCommand command) {
    if (command instanceof ConnectionCommand.Dial d) {
      dial(d.peer(), d.addrs(), 0);
    } else if (command instanceof ConnectionCommand.Close c) {
      log.info("closing {}: over the connection limit ({})", c.peer(), config.maxConnections());
      host.connections(c.peer()).forEach(Connection::close);
    } else if (command instanceof ConnectionCommand.SavePeer s) {
      String text = String.join(" ", s.addrs().stream().map(Multiaddr::toString).toList());
      storage.execute(
          () -> {
            if (!store.putPeer(s.peer().toString(), text)) {
              log.debug("peer table full: {} not persisted", s.peer());
            }
          });
    } else {
      PeerId forgotten = ((ConnectionCommand.ForgetPeer) command).peer();
      storage.execute(() -> store.removePeer(forgotten.toString()));
    }
  }

  @SuppressWarnings("FutureReturnValueIgnored") // a terminal callback: it handles both outcomes
  private void dial(PeerId peer, List<Multiaddr> addrs, int i) {
    host.dial(addrs.get(i).withPeerId(peer))
        .whenComplete(
            (c, e) -> {
              if (e == null) {
                input(() -> manager.handleDialSucceeded(peer, System.nanoTime()));
              } else if (i + 1 < addrs.size()) {
                dial(peer, addrs, i + 1);
              } else {
                log.debug("dial {} failed: {}", peer, e.getMessage());
                input(() -> manager.handleDialFailed(peer, System.nanoTime()));
              }
            });
  }

  private static List<Multiaddr> parse(List<String> texts) {
    List<Multiaddr> out = new ArrayList<>();
    for (String t : texts) {
      try {
        if (!t.isBlank()) {
          out.add(Multiaddr.parse(t));
        }
      } catch (MultiaddrFormatException e) {
        // Skipped: the other addresses may still work.
      }
    }
    return out;
  }
}
