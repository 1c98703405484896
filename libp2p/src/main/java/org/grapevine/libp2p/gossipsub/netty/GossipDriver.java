package org.grapevine.libp2p.gossipsub.netty;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.random.RandomGenerator;
import org.grapevine.libp2p.MalformedFrameException;
import org.grapevine.libp2p.gossipsub.Acceptance;
import org.grapevine.libp2p.gossipsub.Direction;
import org.grapevine.libp2p.gossipsub.GossipConfig;
import org.grapevine.libp2p.gossipsub.GossipEvent;
import org.grapevine.libp2p.gossipsub.GossipMetrics;
import org.grapevine.libp2p.gossipsub.GossipProtocol;
import org.grapevine.libp2p.gossipsub.GossipRouter;
import org.grapevine.libp2p.gossipsub.MessageId;
import org.grapevine.libp2p.gossipsub.OutboundRpc;
import org.grapevine.libp2p.gossipsub.SignaturePolicy;
import org.grapevine.libp2p.host.Connection;
import org.grapevine.libp2p.host.Host;
import org.grapevine.libp2p.host.HostListener;
import org.grapevine.libp2p.mux.MuxedStream;
import org.grapevine.libp2p.peer.PeerId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one {@link GossipRouter} on a {@link Host}: the thin adapter between the sans-I/O router and
 * real streams (libp2p pubsub/README.md). It makes no protocol decisions:
 *
 * <ul>
 *   <li>for every connected peer it opens one long-lived outbound stream ({@code /meshsub/1.2.0},
 *       falling back to 1.1.0 and 1.0.0) used only for writing, and reads RPCs from the streams the
 *       peer opens;
 *   <li>every input (peer up or down, an RPC, a timer, a command) hops onto one executor, calls the
 *       router with {@link System#nanoTime()}, then drains its outputs in the order the router asks
 *       for: outbound RPCs, the next deadline, events;
 *   <li>received messages go to the {@link MessageHandler}, whose verdict (any thread, any time)
 *       goes back to the router as {@link GossipRouter#reportValidation}.
 * </ul>
 *
 * Loopback peers are exempt from the IP colocation penalty (P6): many test and simulation peers
 * share 127.0.0.1 by design.
 */
public final class GossipDriver implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(GossipDriver.class);
  private static final List<String> PROTOCOLS =
      List.of(
          GossipProtocol.MESHSUB_V12.id(),
          GossipProtocol.MESHSUB_V11.id(),
          GossipProtocol.MESHSUB_V10.id(),
          GossipProtocol.FLOODSUB.id());

  /** Validates received messages; calls {@code verdict} once, on any thread, whenever it knows. */
  @FunctionalInterface
  public interface MessageHandler {
    void onMessage(GossipEvent.MessageReceived message, Consumer<Acceptance> verdict);
  }

  /** A published message and how many peers the router sent it to at once. */
  public record Published(MessageId id, int peers) {}

  private final Host host;
  private final GossipRouter router;
  private final EventExecutor loop;
  private final GossipStreams streams;
  private final Map<PeerId, PeerLink> peers = new HashMap<>();
  private final List<Consumer<GossipEvent>> listeners = new CopyOnWriteArrayList<>();
  private volatile MessageHandler handler = (m, verdict) -> verdict.accept(Acceptance.ACCEPT);
  private ScheduledFuture<?> timer;
  private long timerDeadline = Long.MAX_VALUE;
  private int lastPublishFanout;
  private boolean closed;

  /** One peer's state in the driver: its connections and our outbound stream to it. */
  private static final class PeerLink {
    final List<Connection> connections = new ArrayList<>();
    MuxedStream out;
    boolean opening;
    boolean known;

    /**
     * RPCs for the peer while our stream to it is opening: the router learns of a peer from its
     * first inbound RPC and answers with our subscriptions (sent once) before our stream is up;
     * dropping that answer would hide our subscriptions from the peer for the whole connection.
     */
    final java.util.ArrayDeque<org.grapevine.libp2p.gossipsub.Rpc> pending =
        new java.util.ArrayDeque<>();
  }

  /**
   * At most this many RPCs wait for a stream being opened; more are dropped (gossip may lose RPCs).
   */
  private static final int MAX_PENDING_RPCS = 64;

  /**
   * @param loop the executor the router is confined to (for example one of the host's event loops)
   */
  public GossipDriver(Host host, GossipConfig config, RandomGenerator random, EventExecutor loop) {
    this.host = host;
    this.loop = loop;
    this.router =
        new GossipRouter(
            config,
            host.peerId(),
            config.signaturePolicy() == SignaturePolicy.STRICT_SIGN
                ? host.config().identity()
                : null,
            random);
    this.streams = new GossipStreams(ByteBufAllocator.DEFAULT, this::onRpc, this::onBadRpc);
  }

  /** Registers the meshsub protocols on the host and starts following its connections. */
  public void start() {
    for (GossipProtocol p : GossipProtocol.values()) {
      host.setProtocolHandler(p.id(), (stream, conn) -> streams.readFrom(stream, conn, p));
    }
    host.addListener(
        new HostListener() {
          @Override
          public void onConnected(Connection connection) {
            loop.execute(() -> connected(connection));
          }

          @Override
          public void onDisconnected(Connection connection) {
            loop.execute(() -> disconnected(connection));
          }
        });
    for (Connection c : host.connections()) {
      loop.execute(() -> connected(c));
    }
  }

  public void setMessageHandler(MessageHandler handler) {
    this.handler = handler;
  }

  /**
   * Every router event (subscriptions, grafts, prunes, misbehaviour, messages), on the driver's
   * executor.
   */
  public void addEventListener(Consumer<GossipEvent> listener) {
    listeners.add(listener);
  }

  public CompletableFuture<Void> subscribe(String topic) {
    return call(
        r -> {
          r.subscribe(topic, System.nanoTime());
          return null;
        });
  }

  public CompletableFuture<Void> unsubscribe(String topic) {
    return call(
        r -> {
          r.unsubscribe(topic, System.nanoTime());
          return null;
        });
  }

  /** Publishes {@code data}; the result says to how many peers the router sent it right away. */
  public CompletableFuture<Published> publish(String topic, byte[] data) {
    CompletableFuture<Published> result = new CompletableFuture<>();
    loop.execute(
        () -> {
          try {
            MessageId id = router.publish(topic, data, System.nanoTime());
            lastPublishFanout = 0;
            drive();
            result.complete(new Published(id, lastPublishFanout));
          } catch (RuntimeException e) {
            result.completeExceptionally(e);
          }
        });
    return result;
  }

  public CompletableFuture<GossipMetrics> metrics() {
    return call(GossipRouter::metrics);
  }

  /** The router's current score of {@code peer} (0 for a peer it does not know). */
  public CompletableFuture<Double> peerScore(PeerId peer) {
    return call(r -> r.peerScore(peer));
  }

  public CompletableFuture<Set<PeerId>> meshPeers(String topic) {
    return call(r -> Set.copyOf(r.meshPeers(topic)));
  }

  /** Peers known to be subscribed to {@code topic}. */
  public CompletableFuture<Set<PeerId>> topicPeers(String topic) {
    return call(r -> Set.copyOf(r.topicPeers(topic)));
  }

  @Override
  public void close() {
    loop.execute(
        () -> {
          closed = true;
          if (timer != null) {
            timer.cancel(false);
          }
          for (PeerLink link : peers.values()) {
            if (link.out != null) {
              link.out.closeWrite();
            }
          }
          peers.clear();
        });
    for (GossipProtocol p : GossipProtocol.values()) {
      host.removeProtocolHandler(p.id());
    }
  }

  // --- Inputs, all on the loop ------------------------------------------------------------------

  private void connected(Connection c) {
    if (closed) {
      return;
    }
    PeerLink link = peers.computeIfAbsent(c.remotePeer(), p -> new PeerLink());
    if (!link.connections.contains(c)) { // Also announced by an early RPC (see onRpc).
      link.connections.add(c);
    }
    openOutbound(c.remotePeer(), link);
  }

  @SuppressWarnings("FutureReturnValueIgnored") // a terminal callback: it handles both outcomes
  private void openOutbound(PeerId peer, PeerLink link) {
    if (link.out != null || link.opening || link.connections.isEmpty()) {
      return;
    }
    link.opening = true;
    Connection c = link.connections.get(0);
    host.newStream(c, PROTOCOLS)
        .whenComplete(
            (ns, e) ->
                loop.execute(
                    () -> {
                      link.opening = false;
                      if (e != null) {
                        link.pending.clear();
                        log.debug("{} speaks no meshsub: {}", peer, e.getMessage());
                        return;
                      }
                      if (closed || peers.get(peer) != link) {
                        ns.stream().reset();
                        return;
                      }
                      link.out = ns.stream();
                      streams.watchOutbound(
                          ns.stream(),
                          () ->
                              loop.execute(
                                  () -> {
                                    if (link.out == ns.stream()) {
                                      link.out = null;
                                      openOutbound(
                                          peer,
                                          link); // On another connection, if the peer still has
                                      // one.
                                    }
                                  }));
                      known(peer, link, c, GossipProtocol.fromId(ns.protocol()).orElseThrow());
                      for (org.grapevine.libp2p.gossipsub.Rpc rpc = link.pending.poll();
                          rpc != null;
                          rpc = link.pending.poll()) {
                        write(link, rpc);
                      }
                      drive();
                    }));
  }

  private void known(PeerId peer, PeerLink link, Connection c, GossipProtocol protocol) {
    if (link.known) {
      return;
    }
    link.known = true;
    Direction direction =
        c.direction() == Connection.Direction.OUTBOUND ? Direction.OUTBOUND : Direction.INBOUND;
    router.handlePeerConnected(peer, direction, protocol, colocationIp(c), System.nanoTime());
  }

  private void disconnected(Connection c) {
    PeerLink link = peers.get(c.remotePeer());
    if (link == null) {
      return;
    }
    link.connections.remove(c);
    if (!link.connections.isEmpty()) {
      return;
    }
    peers.remove(c.remotePeer());
    if (link.known) {
      router.handlePeerDisconnected(c.remotePeer(), System.nanoTime());
      drive();
    }
  }

  private void onRpc(
      Connection c, GossipProtocol protocol, org.grapevine.libp2p.gossipsub.Rpc rpc) {
    loop.execute(
        () -> {
          PeerLink link = peers.get(c.remotePeer());
          if (link == null && !closed && c.isOpen()) {
            // The peer's first RPC (its subscriptions, sent once) can reach this loop before the
            // host's onConnected does: dropping it would hide what the peer subscribes to for the
            // whole connection (seen as a node not syncing a gap with a subscriber,
            // CoreDecisionsAgreeIT).
            connected(c);
            link = peers.get(c.remotePeer());
          }
          if (closed || link == null) {
            return; // The connection is gone: drop.
          }
          known(c.remotePeer(), link, c, protocol);
          router.handleRpc(c.remotePeer(), rpc, System.nanoTime());
          drive();
        });
  }

  private void onBadRpc(Connection c, MalformedFrameException e) {
    log.info("closing a pubsub stream from {}: {}", c.remotePeer(), e.getMessage());
  }

  private void onTimer() {
    timer = null;
    timerDeadline = Long.MAX_VALUE;
    if (!closed) {
      router.handleTimeout(System.nanoTime());
      drive();
    }
  }

  private <T> CompletableFuture<T> call(Function<GossipRouter, T> f) {
    CompletableFuture<T> result = new CompletableFuture<>();
    loop.execute(
        () -> {
          try {
            result.complete(f.apply(router));
            drive();
          } catch (RuntimeException e) {
            result.completeExceptionally(e);
          }
        });
    return result;
  }

  // --- Outputs ----------------------------------------------------------------------------------

  /** Drains the router: outbound RPCs, then the next deadline, then events. */
  private void drive() {
    for (Optional<OutboundRpc> o = router.pollOutbound();
        o.isPresent();
        o = router.pollOutbound()) {
      send(o.get());
    }
    OptionalLong deadline = router.pollTimeout();
    if (deadline.isPresent() && deadline.getAsLong() < timerDeadline && !closed) {
      if (timer != null) {
        timer.cancel(false);
      }
      timerDeadline = deadline.getAsLong();
      timer =
          loop.schedule(
              this::onTimer, Math.max(0, timerDeadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    }
    for (Optional<GossipEvent> e = router.pollEvent(); e.isPresent(); e = router.pollEvent()) {
      dispatch(e.get());
    }
  }

  private void send(OutboundRpc o) {
    PeerLink link = peers.get(o.to());
    if (link != null
        && link.out == null
        && link.opening
        && link.pending.size() < MAX_PENDING_RPCS) {
      link.pending.add(o.rpc()); // Written once the stream is open.
      if (o.rpc().proto().getPublishCount() > 0) {
        lastPublishFanout++;
      }
      return;
    }
    if (link == null || link.out == null) {
      log.debug("no stream to {} yet: dropping an RPC", o.to());
      return;
    }
    if (o.rpc().proto().getPublishCount() > 0) {
      lastPublishFanout++;
    }
    write(link, o.rpc());
  }

  private void write(PeerLink link, org.grapevine.libp2p.gossipsub.Rpc rpc) {
    ByteBuf buf = ByteBufAllocator.DEFAULT.buffer();
    streams.codec().encodeDelimited(rpc, buf);
    link.out.write(buf);
  }

  private void dispatch(GossipEvent event) {
    if (event instanceof GossipEvent.MessageReceived m) {
      try {
        handler.onMessage(
            m,
            acceptance ->
                loop.execute(
                    () -> {
                      router.reportValidation(m.id(), m.source(), acceptance);
                      drive();
                    }));
      } catch (RuntimeException e) {
        log.warn("message handler failed on {}; ignoring the message", m.id(), e);
        loop.execute(
            () -> {
              router.reportValidation(m.id(), m.source(), Acceptance.IGNORE);
              drive();
            });
      }
    }
    for (Consumer<GossipEvent> l : listeners) {
      l.accept(event);
    }
  }

  private static String colocationIp(Connection c) {
    return c.remoteAddr()
        .tcpSocketAddress()
        .map(InetSocketAddress::getAddress)
        .filter(a -> !a.isLoopbackAddress())
        .map(a -> a.getHostAddress())
        .orElse(null);
  }
}
