package org.grapevine.libp2p.autonat.netty;

import io.netty.buffer.ByteBufAllocator;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.grapevine.libp2p.autonat.AutonatClient;
import org.grapevine.libp2p.autonat.AutonatConfig;
import org.grapevine.libp2p.autonat.AutonatEvent;
import org.grapevine.libp2p.autonat.AutonatServer;
import org.grapevine.libp2p.autonat.AutonatServerConfig;
import org.grapevine.libp2p.autonat.AutonatV1Server;
import org.grapevine.libp2p.autonat.ClientRequest;
import org.grapevine.libp2p.autonat.Reachability;
import org.grapevine.libp2p.autonat.ServerAction;
import org.grapevine.libp2p.autonat.ServerLimits;
import org.grapevine.libp2p.host.Connection;
import org.grapevine.libp2p.host.Host;
import org.grapevine.libp2p.host.HostListener;
import org.grapevine.libp2p.identify.IdentifyResult;
import org.grapevine.libp2p.multiaddr.Multiaddr;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * AutoNAT on a {@link Host}: the driver of the cores ({@link AutonatServer}, {@link
 * AutonatV1Server}, {@link AutonatClient}) on one event loop, with {@link AutonatServerStreams} and
 * {@link AutonatClientStreams} for the wire. The host creates it when its config has AutoNAT, and
 * exposes what it finds ({@code Host.reachability()}, {@code HostListener.onReachabilityChanged}).
 *
 * <p>Loop: every input hops onto {@code loop}, calls a core's {@code handle*} with the host clock's
 * time, then {@link #drain}s: server actions, v1 actions, client requests, client events, and
 * re-arms one timer at the earliest {@code pollTimeout} (at most {@link #MAX_IDLE} away, when the
 * candidates are refreshed too). Servers are the connected peers whose identify lists {@link
 * AutonatConfig#DIAL_REQUEST}; candidates are the host's listen addresses, its confirmed observed
 * addresses, and any given with {@link #setExtraCandidates}.
 */
// The timer's future is cancelled or replaced, never read.
@SuppressWarnings("FutureReturnValueIgnored")
public final class AutonatService implements HostListener, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(AutonatService.class);
  static final Duration MAX_IDLE = Duration.ofMinutes(1);

  private final Host host;
  private final EventExecutor loop;
  private final Consumer<AutonatEvent> events;
  private final AutonatServer server;
  private final AutonatV1Server v1;
  private final AutonatClient client;
  private final AutonatServerStreams serverStreams;
  private final AutonatClientStreams clientStreams;
  private volatile Reachability reachability = Reachability.UNKNOWN;
  private volatile List<Multiaddr> publicAddrs = List.of();
  private volatile List<Multiaddr> extraCandidates = List.of();
  private ScheduledFuture<?> timer;
  private boolean closed;

  /**
   * @param loop the loop the cores live on (one of the host's)
   * @param events receives the client's events, on {@code loop}
   */
  public AutonatService(
      Host host, AutonatConfig config, EventExecutor loop, Consumer<AutonatEvent> events) {
    this.host = host;
    this.loop = loop;
    this.events = events;
    ByteBufAllocator alloc = ByteBufAllocator.DEFAULT;
    if (config.server().isPresent()) {
      AutonatServerConfig sc = config.server().get();
      ServerLimits limits = new ServerLimits(sc);
      this.server = new AutonatServer(sc, limits, host.config().random());
      this.v1 = config.serveV1() ? new AutonatV1Server(sc, limits) : null;
      this.serverStreams = new AutonatServerStreams(this, host, alloc, server, v1);
    } else {
      this.server = null;
      this.v1 = null;
      this.serverStreams = null;
    }
    if (config.client().isPresent()) {
      this.client = new AutonatClient(config.client().get(), host.config().random());
      this.clientStreams =
          new AutonatClientStreams(
              this, host, alloc, client, config.client().get().requestTimeoutNanos());
    } else {
      this.client = null;
      this.clientStreams = null;
    }
  }

  /** Registers the protocol handlers and the host listener, and starts the timer. */
  public void start() {
    if (serverStreams != null) {
      host.setProtocolHandler(AutonatConfig.DIAL_REQUEST, serverStreams::serveV2);
      if (v1 != null) {
        host.setProtocolHandler(AutonatConfig.V1, serverStreams::serveV1);
      }
    }
    if (clientStreams != null) {
      host.setProtocolHandler(AutonatConfig.DIAL_BACK, clientStreams::serveDialBack);
      host.addListener(this);
    }
    onLoop(this::refreshCandidates);
  }

  /** Addresses to test besides the listen and observed ones (e.g. a port forwarded by hand). */
  public void setExtraCandidates(List<Multiaddr> addrs) {
    extraCandidates = List.copyOf(addrs);
    onLoop(this::refreshCandidates);
  }

  /** The host's reachability as the client last found it (UNKNOWN without a client). */
  public Reachability reachability() {
    return reachability;
  }

  /** Our addresses found reachable. */
  public List<Multiaddr> publicAddrs() {
    return publicAddrs;
  }

  /** The client's counter, read on the loop (diagnostics and tests); 0 without a client. */
  public long clientCounter(AutonatClient.Counter c) {
    return client == null ? 0 : loop.submit(() -> client.counter(c)).syncUninterruptibly().getNow();
  }

  /** The v2 server's counter, read on the loop; 0 without a server. */
  public long serverCounter(AutonatServer.Counter c) {
    return server == null ? 0 : loop.submit(() -> server.counter(c)).syncUninterruptibly().getNow();
  }

  /** The verdict on one of our addresses, read on the loop. */
  public Reachability reachability(Multiaddr addr) {
    return client == null
        ? Reachability.UNKNOWN
        : loop.submit(() -> client.reachability(addr)).syncUninterruptibly().getNow();
  }

  @Override
  public void onIdentified(Connection connection, IdentifyResult identify) {
    boolean serves = identify.protocols().contains(AutonatConfig.DIAL_REQUEST);
    onLoop(
        () -> {
          if (serves) {
            client.handleServerAvailable(connection.remotePeer(), now());
          }
          refreshCandidates();
        });
  }

  @Override
  public void onDisconnected(Connection connection) {
    onLoop(
        () -> {
          if (host.connections(connection.remotePeer()).isEmpty()) {
            client.handleServerGone(connection.remotePeer(), now());
          }
        });
  }

  @Override
  public void close() {
    loop.execute(
        () -> {
          closed = true;
          if (timer != null) {
            timer.cancel(false);
          }
        });
  }

  // --- For the stream classes --------------------------------------------------------------

  long now() {
    return host.config().nanoClock().getAsLong();
  }

  /** Runs {@code input} on the loop, then drains the cores. */
  void onLoop(Runnable input) {
    loop.execute(
        () -> {
          if (closed) {
            return;
          }
          try {
            input.run();
          } catch (RuntimeException e) {
            log.warn("AutoNAT input failed", e);
          }
          drain();
        });
  }

  private void refreshCandidates() {
    if (client != null) {
      List<Multiaddr> candidates = new ArrayList<>(host.listenAddrs());
      candidates.addAll(host.observedAddrs());
      candidates.addAll(extraCandidates);
      client.handleCandidates(candidates, now());
    }
  }

  private void onTimer() {
    long now = now();
    refreshCandidates();
    if (client != null) {
      client.handleTimeout(now);
    }
    if (server != null) {
      server.handleTimeout(now);
    }
    if (v1 != null) {
      v1.handleTimeout(now);
    }
  }

  private void drain() {
    if (server != null) {
      for (Optional<ServerAction> a = server.pollAction(); a.isPresent(); a = server.pollAction()) {
        serverStreams.carryOut(a.get());
      }
    }
    if (v1 != null) {
      for (Optional<ServerAction> a = v1.pollAction(); a.isPresent(); a = v1.pollAction()) {
        serverStreams.carryOut(a.get());
      }
    }
    if (client != null) {
      for (Optional<ClientRequest> r = client.pollRequest();
          r.isPresent();
          r = client.pollRequest()) {
        clientStreams.send(r.get());
      }
      for (Optional<AutonatEvent> e = client.pollEvent(); e.isPresent(); e = client.pollEvent()) {
        publish(e.get());
      }
    }
    rearm();
  }

  private void publish(AutonatEvent e) {
    if (e instanceof AutonatEvent.ReachabilityChanged r) {
      log.info("reachability {} -> {} (reachable at {})", r.from(), r.to(), r.publicAddrs());
      reachability = r.to();
      publicAddrs = r.publicAddrs();
    } else if (e instanceof AutonatEvent.AddrReachabilityChanged a) {
      log.debug("address {}: {} -> {}", a.addr(), a.from(), a.to());
      publicAddrs = client.publicAddrs();
    }
    try {
      events.accept(e);
    } catch (RuntimeException ex) {
      log.warn("AutoNAT event listener failed", ex);
    }
  }

  private void rearm() {
    long now = now();
    long next = now + MAX_IDLE.toNanos();
    for (OptionalLong t :
        List.of(
            client == null ? OptionalLong.empty() : client.pollTimeout(),
            server == null ? OptionalLong.empty() : server.pollTimeout(),
            v1 == null ? OptionalLong.empty() : v1.pollTimeout())) {
      if (t.isPresent() && t.getAsLong() - next < 0) {
        next = t.getAsLong();
      }
    }
    if (timer != null) {
      timer.cancel(false);
    }
    timer =
        loop.schedule(() -> onLoop(this::onTimer), Math.max(0, next - now), TimeUnit.NANOSECONDS);
  }
}
