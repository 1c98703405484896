package org.grapevine.libp2p.gossipsub.netty;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.random.RandomGenerator;
import org.grapevine.libp2p.gossipsub.Acceptance;
import org.grapevine.libp2p.gossipsub.Direction;
import org.grapevine.libp2p.gossipsub.GossipConfig;
import org.grapevine.libp2p.gossipsub.GossipEvent;
import org.grapevine.libp2p.gossipsub.GossipMetrics;
import org.grapevine.libp2p.gossipsub.GossipProtocol;
import org.grapevine.libp2p.gossipsub.GossipRouter;
import org.grapevine.libp2p.gossipsub.MessageId;
import org.grapevine.libp2p.gossipsub.OutboundRpc;
import org.grapevine.libp2p.gossipsub.Rpc;
import org.grapevine.libp2p.gossipsub.SignaturePolicy;
import org.grapevine.libp2p.host.Host;
import org.grapevine.libp2p.peer.PeerId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one {@link GossipRouter} on a {@link Host}: a plain pubsub host (the {@code grapevine p2p}
 * commands, interop tests). The streams are {@link GossipLinks}'; this class adds the router and
 * its timer, and makes no protocol decisions:
 *
 * <ul>
 *   <li>every input (peer up or down, an RPC, a timer, a command) hops onto one executor, calls the
 *       router with {@link System#nanoTime()}, then drains its outputs in the order the router asks
 *       for: outbound RPCs, the next deadline, events;
 *   <li>received messages go to the {@link MessageHandler}, whose verdict (any thread, any time)
 *       goes back to the router as {@link GossipRouter#reportValidation}.
 * </ul>
 *
 * The Grapevine node does not use this class: its router lives in its node core, over the same
 * {@link GossipLinks}.
 */
public final class GossipDriver implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(GossipDriver.class);

  /** Validates received messages; calls {@code verdict} once, on any thread, whenever it knows. */
  @FunctionalInterface
  public interface MessageHandler {
    void onMessage(GossipEvent.MessageReceived message, Consumer<Acceptance> verdict);
  }

  /** A published message and how many peers the router sent it to at once. */
  public record Published(MessageId id, int peers) {}

  private final GossipRouter router;
  private final EventExecutor loop;
  private final GossipLinks links;
  private final List<Consumer<GossipEvent>> listeners = new CopyOnWriteArrayList<>();
  private volatile MessageHandler handler = (m, verdict) -> verdict.accept(Acceptance.ACCEPT);
  private ScheduledFuture<?> timer;
  private long timerDeadline = Long.MAX_VALUE;
  private int lastPublishFanout;
  private boolean closed;

  /**
   * @param loop the executor the router is confined to (for example one of the host's event loops)
   */
  public GossipDriver(Host host, GossipConfig config, RandomGenerator random, EventExecutor loop) {
    this.loop = loop;
    this.router =
        new GossipRouter(
            config,
            host.peerId(),
            config.signaturePolicy() == SignaturePolicy.STRICT_SIGN
                ? host.config().identity()
                : null,
            random);
    this.links =
        new GossipLinks(
            host,
            loop,
            new GossipLinks.Inputs() {
              @Override
              public void peerUp(PeerId peer, Direction direction, GossipProtocol p, String ip) {
                if (!closed) {
                  router.handlePeerConnected(peer, direction, p, ip, System.nanoTime());
                  drive();
                }
              }

              @Override
              public void peerDown(PeerId peer) {
                if (!closed) {
                  router.handlePeerDisconnected(peer, System.nanoTime());
                  drive();
                }
              }

              @Override
              public void rpc(PeerId peer, Rpc rpc) {
                if (!closed) {
                  router.handleRpc(peer, rpc, System.nanoTime());
                  drive();
                }
              }
            });
  }

  /** Registers the meshsub protocols on the host and starts following its connections. */
  public void start() {
    links.start();
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
        });
    links.close();
  }

  // --- On the loop -----------------------------------------------------------------------------

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

  /** Drains the router: outbound RPCs, then the next deadline, then events. */
  private void drive() {
    for (Optional<OutboundRpc> o = router.pollOutbound();
        o.isPresent();
        o = router.pollOutbound()) {
      if (links.send(o.get()) != GossipLinks.Sent.DROPPED
          && o.get().rpc().proto().getPublishCount() > 0) {
        lastPublishFanout++;
      }
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
}
