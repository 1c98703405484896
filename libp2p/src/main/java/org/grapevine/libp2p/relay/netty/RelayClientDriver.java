package org.grapevine.libp2p.relay.netty;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.grapevine.libp2p.MalformedFrameException;
import org.grapevine.libp2p.host.Connection;
import org.grapevine.libp2p.host.Host;
import org.grapevine.libp2p.host.HostListener;
import org.grapevine.libp2p.multiaddr.Multiaddr;
import org.grapevine.libp2p.mux.MuxedStream;
import org.grapevine.libp2p.peer.PeerId;
import org.grapevine.libp2p.relay.HopMessage;
import org.grapevine.libp2p.relay.RelayClient;
import org.grapevine.libp2p.relay.RelayClientConfig;
import org.grapevine.libp2p.relay.RelayClientEvent;
import org.grapevine.libp2p.relay.RelayCodec;
import org.grapevine.libp2p.relay.StopDecision;
import org.grapevine.libp2p.relay.StopMessage;
import org.grapevine.libp2p.relay.StopService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a {@link RelayClient} and a {@link StopService} on a {@link Host} that cannot be dialled:
 * makes and renews reservations over hop RESERVE, serves {@value RelayProtocols#STOP} (upgrading
 * each accepted circuit into an inbound relayed {@link Connection}), and installs the {@link
 * CircuitTransport} so the host can dial circuit addresses too. Both cores run on one event loop of
 * the host.
 *
 * <p>Use: {@code RelayClientDriver.start(host, RelayClientConfig.DEFAULT)}, then {@link #addRelay}
 * for each relay found (bootstrap, DHT); {@link #circuitAddrs} and {@link #addListener} give what
 * to advertise.
 */
// Terminal whenComplete callbacks handle both outcomes; timer futures are cancelled, not awaited.
@SuppressWarnings("FutureReturnValueIgnored")
public final class RelayClientDriver implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RelayClientDriver.class);

  private final Host host;
  private final RelayClient client;
  private final StopService stop;
  private final EventExecutor loop;
  private final List<Consumer<RelayClientEvent>> listeners = new CopyOnWriteArrayList<>();
  private final Set<Connection> accepted = ConcurrentHashMap.newKeySet();
  private volatile List<Multiaddr> circuitAddrs = List.of();
  private volatile List<PeerId> reservedRelays = List.of();
  private ScheduledFuture<?> timer;
  private boolean closed;

  private RelayClientDriver(Host host, RelayClientConfig config) {
    this.host = host;
    this.client = new RelayClient(config, host.peerId());
    this.stop = new StopService(config.maxInboundCircuits());
    this.loop = host.eventLoops().next();
  }

  /** Starts the client on {@code host}: serves stop and can dial circuit addresses. */
  public static RelayClientDriver start(Host host, RelayClientConfig config) {
    RelayClientDriver d = new RelayClientDriver(host, config);
    CircuitTransport.install(host);
    host.addListener(
        new HostListener() {
          @Override
          public void onDisconnected(Connection c) {
            d.onDisconnected(c);
          }
        });
    host.setProtocolHandler(RelayProtocols.STOP, d::onStopStream);
    return d;
  }

  /** A relay to hold a reservation on (addresses without /p2p). */
  public void addRelay(PeerId relay, List<Multiaddr> addrs) {
    RelayProtocols.post(
        loop,
        () -> {
          client.addCandidate(relay, addrs, now());
          drive();
        });
  }

  /** {@code <relay addr>/p2p/<relay>/p2p-circuit} for every reservation held (any thread). */
  public List<Multiaddr> circuitAddrs() {
    return circuitAddrs;
  }

  /** The relays holding a reservation for us (any thread). */
  public List<PeerId> reservedRelays() {
    return reservedRelays;
  }

  /** Receives reservation events on the driver's loop. Keep it short. */
  public void addListener(Consumer<RelayClientEvent> listener) {
    listeners.add(listener);
  }

  private long now() {
    return host.config().nanoClock().getAsLong();
  }

  // --- Reservations
  // -------------------------------------------------------------------------------

  private void reserve(RelayClient.Reserve r) {
    List<Connection> open = host.connections(r.relay());
    CompletableFuture<Connection> conn =
        open.stream()
            .filter(c -> !c.isRelayed())
            .findFirst()
            .map(CompletableFuture::completedFuture)
            .orElseGet(
                () ->
                    r.addrs().isEmpty()
                        ? CompletableFuture.failedFuture(
                            new IllegalStateException("no address and no connection"))
                        : host.dial(r.addrs().get(0).withPeerId(r.relay())));
    conn.thenCompose(c -> host.newStream(c, List.of(RelayProtocols.HOP)))
        .thenCompose(
            ns -> {
              RelayStream rs = new RelayStream(ns.stream());
              rs.send(RelayCodec.encode(HopMessage.reserve()));
              return rs.readMessage(RelayProtocols.STREAM_TIMEOUT)
                  .whenComplete(
                      (body, e) -> {
                        rs.closeWrite();
                        rs.discard();
                      });
            })
        .whenComplete(
            (body, e) -> RelayProtocols.post(loop, () -> onReserveAnswer(r.relay(), body, e)));
  }

  private void onReserveAnswer(PeerId relay, byte[] body, Throwable error) {
    if (error == null) {
      try {
        client.handleReserveAnswer(
            relay, RelayCodec.decodeHop(body), now(), RelayProtocols.unixSeconds());
      } catch (MalformedFrameException e) {
        client.handleReserveFailed(relay, "answer malformed: " + e.getMessage(), now());
      }
    } else {
      client.handleReserveFailed(relay, RelayProtocols.describe(error), now());
    }
    drive();
  }

  private void onDisconnected(Connection c) {
    if (accepted.remove(c)) {
      RelayProtocols.post(loop, stop::handleCircuitClosed);
    }
    if (!c.isRelayed()
        && host.connections(c.remotePeer()).stream().noneMatch(x -> !x.isRelayed())) {
      RelayProtocols.post(
          loop,
          () -> {
            client.handleRelayDisconnected(c.remotePeer(), now());
            drive();
          });
    }
  }

  // --- Stop
  // ---------------------------------------------------------------------------------------

  private void onStopStream(MuxedStream stream, Connection relay) {
    RelayStream rs = new RelayStream(stream);
    rs.readMessage(RelayProtocols.STREAM_TIMEOUT)
        .whenComplete(
            (body, e) -> RelayProtocols.post(loop, () -> onStopRequest(rs, relay, body, e)));
  }

  private void onStopRequest(RelayStream rs, Connection relay, byte[] body, Throwable error) {
    StopMessage request;
    try {
      if (error != null) {
        if (!(RelayProtocols.unwrap(error) instanceof MalformedFrameException bad)) {
          rs.reset();
          return;
        }
        throw bad;
      }
      request = RelayCodec.decodeStop(body);
    } catch (MalformedFrameException e) {
      log.debug("stop request from {} malformed: {}", relay.remotePeer(), e.getMessage());
      rs.send(RelayCodec.encode(stop.handleMalformed()));
      rs.closeWrite();
      rs.discard();
      return;
    }
    StopDecision d =
        stop.handleConnect(
            relay.remotePeer(),
            !relay.isRelayed() && client.hasReservation(relay.remotePeer()),
            request);
    rs.send(RelayCodec.encode(d.answer()));
    if (!(d instanceof StopDecision.Accept a)) {
      log.debug("refused a circuit from {}: {}", relay.remotePeer(), d.answer().status());
      rs.closeWrite();
      rs.discard();
      return;
    }
    host.upgradeRelayed(
            rs,
            Connection.Direction.INBOUND,
            Optional.of(a.source()),
            RelayProtocols.circuitAddr(relay.remoteAddr(), relay.remotePeer()),
            a.limit())
        .whenComplete(
            (c, e) -> {
              if (e != null) {
                log.debug("relayed connection from {} failed: {}", a.source(), e.getMessage());
                RelayProtocols.post(loop, stop::handleCircuitClosed);
              } else {
                accepted.add(c);
                if (!c.isOpen() && accepted.remove(c)) {
                  RelayProtocols.post(loop, stop::handleCircuitClosed);
                }
              }
            });
  }

  // --- Driving
  // ------------------------------------------------------------------------------------

  private void drive() {
    if (closed) {
      return;
    }
    for (Optional<RelayClient.Reserve> a = client.pollAction();
        a.isPresent();
        a = client.pollAction()) {
      reserve(a.get());
    }
    for (Optional<RelayClientEvent> e = client.pollEvent(); e.isPresent(); e = client.pollEvent()) {
      circuitAddrs = client.circuitAddrs();
      reservedRelays = client.reservedRelays();
      RelayClientEvent event = e.get();
      if (event instanceof RelayClientEvent.Reserved r && r.voucherIgnored().isPresent()) {
        log.info("relay {}: voucher ignored: {}", r.relay(), r.voucherIgnored().get());
      }
      log.debug("relay client: {}", event);
      listeners.forEach(l -> l.accept(event));
    }
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
    OptionalLong next = client.pollTimeout();
    if (next.isPresent()) {
      timer =
          loop.schedule(
              () -> {
                client.handleTimeout(now());
                drive();
              },
              Math.max(0, next.getAsLong() - now()),
              TimeUnit.NANOSECONDS);
    }
  }

  @Override
  public void close() {
    host.removeProtocolHandler(RelayProtocols.STOP);
    RelayProtocols.post(
        loop,
        () -> {
          closed = true;
          if (timer != null) {
            timer.cancel(false);
          }
        });
  }
}
