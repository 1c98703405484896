package org.grapevine.libp2p.relay.netty;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.grapevine.libp2p.MalformedFrameException;
import org.grapevine.libp2p.host.Connection;
import org.grapevine.libp2p.host.Host;
import org.grapevine.libp2p.host.HostListener;
import org.grapevine.libp2p.multiaddr.Multiaddr;
import org.grapevine.libp2p.relay.CircuitEnd;
import org.grapevine.libp2p.relay.HopConfig;
import org.grapevine.libp2p.relay.HopDecision;
import org.grapevine.libp2p.relay.HopEvent;
import org.grapevine.libp2p.relay.HopMessage;
import org.grapevine.libp2p.relay.HopService;
import org.grapevine.libp2p.relay.RelayCodec;
import org.grapevine.libp2p.relay.RelayLimit;
import org.grapevine.libp2p.relay.RelayStatus;
import org.grapevine.libp2p.relay.StopMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a {@link HopService} on a {@link Host}: serves {@value RelayProtocols#HOP}, opens stop
 * streams to targets, pipes circuits ({@link CircuitPipe}) and enforces their limits. The core is
 * confined to one event loop of the host; stream callbacks hop onto it. No protocol decisions here.
 *
 * <p>Use: {@code HopServer.start(host, HopConfig.DEFAULT, host::listenAddrs)} on a publicly
 * reachable node (the supplier gives the public addresses put in reservations); {@link #close}
 * stops serving and cuts open circuits.
 *
 * <p>Statistics: {@code service().ended(CircuitEnd)} counts why circuits ended, {@code
 * service().answered(RelayStatus)} the answers given; {@link #relayedBytes}, {@link #pendingBytes},
 * {@link #peakPendingBytes} and {@link #readPauses} tell what the circuits carried and buffered.
 */
// Terminal whenComplete callbacks handle both outcomes; timer futures are cancelled, not awaited.
@SuppressWarnings("FutureReturnValueIgnored")
public final class HopServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(HopServer.class);

  private final Host host;
  private final HopService service;
  private final Supplier<List<Multiaddr>> publicAddrs;
  private final EventExecutor loop;
  private final Map<Long, CircuitPipe> pipes = new HashMap<>();
  private final AtomicLong relayedBytes = new AtomicLong();
  // Of circuits that have ended; live ones are asked.
  private long endedPeakPendingBytes;
  private long endedPauses;
  private ScheduledFuture<?> timer;
  private boolean closed;

  private HopServer(Host host, HopConfig config, Supplier<List<Multiaddr>> publicAddrs) {
    this.host = host;
    this.service = new HopService(config, host.config().identity());
    this.publicAddrs = publicAddrs;
    this.loop = host.eventLoops().next();
  }

  /** Starts serving the hop protocol on {@code host}. */
  public static HopServer start(
      Host host, HopConfig config, Supplier<List<Multiaddr>> publicAddrs) {
    HopServer server = new HopServer(host, config, publicAddrs);
    host.addListener(
        new HostListener() {
          @Override
          public void onDisconnected(Connection c) {
            if (host.connections(c.remotePeer()).isEmpty()) {
              RelayProtocols.post(server.loop, () -> server.disconnected(c));
            }
          }
        });
    host.setProtocolHandler(RelayProtocols.HOP, server::onStream);
    return server;
  }

  /** The core, for statistics; call only on {@link #executor()}. */
  public HopService service() {
    return service;
  }

  /** Bytes relayed by circuits that have ended, both directions (any thread). */
  public long relayedBytes() {
    return relayedBytes.get();
  }

  /**
   * Bytes the open circuits hold written and not yet gone out, both directions; each direction
   * pauses its sender at {@link CircuitPipe#DEFAULT_MAX_PENDING_BYTES}. Call on {@link
   * #executor()}.
   */
  public long pendingBytes() {
    return pipes.values().stream().mapToLong(CircuitPipe::pendingBytes).sum();
  }

  /**
   * The most bytes one direction of one circuit has held pending, over all circuits so far: at most
   * {@link CircuitPipe#DEFAULT_MAX_PENDING_BYTES} plus one inbound Yamux frame. On {@link
   * #executor()}.
   */
  public long peakPendingBytes() {
    return Math.max(
        endedPeakPendingBytes,
        pipes.values().stream().mapToLong(CircuitPipe::peakPendingBytes).max().orElse(0));
  }

  /** How often a circuit paused reading one side because the other did not keep up. On loop. */
  public long readPauses() {
    return endedPauses + pipes.values().stream().mapToLong(CircuitPipe::pauses).sum();
  }

  /** The loop the core runs on. */
  public EventExecutor executor() {
    return loop;
  }

  private long now() {
    return host.config().nanoClock().getAsLong();
  }

  private void onStream(org.grapevine.libp2p.mux.MuxedStream stream, Connection conn) {
    RelayStream rs = new RelayStream(stream);
    rs.readMessage(RelayProtocols.STREAM_TIMEOUT)
        .whenComplete(
            (body, error) -> RelayProtocols.post(loop, () -> onRequest(rs, conn, body, error)));
  }

  private void onRequest(RelayStream rs, Connection conn, byte[] body, Throwable error) {
    if (closed) {
      rs.reset();
      return;
    }
    if (error != null && !(RelayProtocols.unwrap(error) instanceof MalformedFrameException)) {
      // Timeout or reset: nobody to answer.
      log.debug(
          "hop request from {} failed: {}", conn.remotePeer(), RelayProtocols.describe(error));
      rs.reset();
      return;
    }
    HopMessage request;
    try {
      if (error != null) {
        throw (MalformedFrameException) RelayProtocols.unwrap(error);
      }
      request = RelayCodec.decodeHop(body);
    } catch (MalformedFrameException e) {
      log.debug("hop request from {} malformed: {}", conn.remotePeer(), e.getMessage());
      answer(rs, service.handleMalformed());
      return;
    }
    HopDecision decision =
        service.handleRequest(
            conn.remotePeer(),
            conn.remoteAddr(),
            conn.isRelayed(),
            request,
            publicAddrs.get(),
            now(),
            RelayProtocols.unixSeconds());
    if (decision instanceof HopDecision.Answer a) {
      log.debug("hop {} from {}: {}", request.type(), conn.remotePeer(), a.answer().status());
      answer(rs, a.answer());
    } else if (decision instanceof HopDecision.OpenStop open) {
      openStop(rs, open);
    }
    drive();
  }

  private static void answer(RelayStream rs, HopMessage m) {
    rs.send(RelayCodec.encode(m));
    rs.closeWrite();
    rs.discard();
  }

  private void openStop(RelayStream source, HopDecision.OpenStop open) {
    Optional<Connection> direct =
        host.connections(open.target()).stream().filter(c -> !c.isRelayed()).findFirst();
    if (direct.isEmpty()) {
      answer(source, service.handleStopFailed(open.circuitId(), now()));
      return;
    }
    CompletableFuture<RelayStream> stop = new CompletableFuture<>();
    host.newStream(direct.get(), List.of(RelayProtocols.STOP))
        .thenCompose(
            ns -> {
              RelayStream rs = new RelayStream(ns.stream());
              stop.complete(rs);
              rs.send(RelayCodec.encode(open.request()));
              return rs.readMessage(RelayProtocols.CONNECT_TIMEOUT);
            })
        .whenComplete(
            (body, error) ->
                RelayProtocols.post(
                    loop, () -> onStopAnswer(source, stop.getNow(null), open, body, error)));
  }

  private void onStopAnswer(
      RelayStream source, RelayStream target, HopDecision.OpenStop open, byte[] body, Throwable e) {
    StopMessage answer = null;
    if (e == null) {
      try {
        answer = RelayCodec.decodeStop(body);
      } catch (MalformedFrameException bad) {
        e = bad;
      }
    }
    if (e != null || closed) {
      log.debug("stop to {} failed: {}", open.target(), e == null ? "closing" : e.getMessage());
      if (target != null) {
        target.reset();
      }
      answer(source, service.handleStopFailed(open.circuitId(), now()));
      drive();
      return;
    }
    HopMessage reply = service.handleStopAnswer(open.circuitId(), answer, now());
    source.send(RelayCodec.encode(reply));
    if (reply.status().orElse(null) != RelayStatus.OK) {
      source.closeWrite();
      source.discard();
      target.reset();
    } else {
      long id = open.circuitId();
      CircuitPipe pipe =
          new CircuitPipe(
              source,
              target,
              reply.limit().orElse(RelayLimit.NONE),
              CircuitPipe.DEFAULT_MAX_PENDING_BYTES,
              why -> RelayProtocols.post(loop, () -> circuitClosed(id, why)));
      pipes.put(id, pipe);
      pipe.start();
    }
    drive();
  }

  private void circuitClosed(long id, CircuitEnd why) {
    CircuitPipe pipe = pipes.remove(id);
    if (pipe != null) {
      long[] bytes = pipe.relayedBytes();
      relayedBytes.addAndGet(bytes[0] + bytes[1]);
      endedPeakPendingBytes = Math.max(endedPeakPendingBytes, pipe.peakPendingBytes());
      endedPauses += pipe.pauses();
      log.debug("circuit {} ended: {} ({} + {} bytes)", id, why, bytes[0], bytes[1]);
      service.handleCircuitClosed(id, why, now());
      drive();
    }
  }

  private void disconnected(Connection c) {
    service.handlePeerDisconnected(c.remotePeer(), now());
    drive();
  }

  /** Drains the core's events and re-arms its timer. On the loop. */
  private void drive() {
    for (Optional<HopEvent> e = service.pollEvent(); e.isPresent(); e = service.pollEvent()) {
      if (e.get() instanceof HopEvent.CircuitExpired x) {
        CircuitPipe pipe = pipes.get(x.circuitId());
        if (pipe != null) {
          pipe.cut(CircuitEnd.DURATION_LIMIT); // circuitClosed counts it and forgets it
        }
      }
    }
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
    OptionalLong next = service.pollTimeout();
    if (next.isPresent() && !closed) {
      long delay = Math.max(0, next.getAsLong() - now());
      timer =
          loop.schedule(
              () -> {
                service.handleTimeout(now());
                drive();
              },
              delay,
              TimeUnit.NANOSECONDS);
    }
  }

  /** Stops serving the hop protocol and cuts every circuit. */
  @Override
  public void close() {
    host.removeProtocolHandler(RelayProtocols.HOP);
    RelayProtocols.post(
        loop,
        () -> {
          closed = true;
          List.copyOf(pipes.values()).forEach(p -> p.cut(CircuitEnd.RELAY_CLOSING));
          if (timer != null) {
            timer.cancel(false);
          }
        });
  }
}
