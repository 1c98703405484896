package org.grapevine.node.runtime;

import io.netty.buffer.ByteBufAllocator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.LongSupplier;
import org.grapevine.libp2p.encoding.DelimitedReader;
import org.grapevine.libp2p.gossipsub.Direction;
import org.grapevine.libp2p.gossipsub.GossipProtocol;
import org.grapevine.libp2p.gossipsub.OutboundRpc;
import org.grapevine.libp2p.gossipsub.Rpc;
import org.grapevine.libp2p.gossipsub.netty.GossipLinks;
import org.grapevine.libp2p.host.Connection;
import org.grapevine.libp2p.host.Host;
import org.grapevine.libp2p.host.HostListener;
import org.grapevine.libp2p.mux.MuxedStream;
import org.grapevine.libp2p.peer.PeerId;
import org.grapevine.node.core.CoreCommand;
import org.grapevine.node.core.CoreEvent;
import org.grapevine.node.core.NodeCore;
import org.grapevine.node.core.OutboxCounts;
import org.grapevine.node.core.SyncBytes;
import org.grapevine.protocol.sync.SyncEvent;
import org.grapevine.protocol.validation.EntryValidator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running node's driver of its {@link NodeCore} (the virtual engine is the other one): it turns
 * connections, pubsub streams ({@link GossipLinks}) and sync streams of a {@link Host} into the
 * core's inputs, and carries out what the core asks. It decides nothing.
 *
 * <p>Threading: the core (and so its GossipSub router) lives on the storage executor, the one
 * thread that also owns the store and the engine. Every input hops onto it, calls the core with
 * {@link System#nanoTime()}-style time from the injected clock, then drains the core's outputs in
 * its order (gossip RPCs, sync bytes, commands, events) and re-arms the one timer. Gossip messages
 * and sync batches are verified on the {@link BatchVerifier}'s threads meanwhile (every core for
 * signatures). After the storage executor shut down, inputs are dropped: the node is closing.
 */
// Terminal whenComplete callbacks handle both outcomes themselves (each hands them to the core),
// and a scheduled timer is cancelled through its field: the futures ignored carry nothing more.
@SuppressWarnings("FutureReturnValueIgnored")
public final class CoreDriver implements AutoCloseable {
  /** The catch-up sync protocol (docs/ARCHITECTURE.md, "Catch-up sync"). */
  public static final String SYNC_PROTOCOL = "/grapevine/sync/1.0.0";

  private static final Logger log = LoggerFactory.getLogger(CoreDriver.class);

  private final NodeCore core;
  private final Host host;
  private final GossipLinks links;
  private final ScheduledExecutorService storage;
  private final LongSupplier nanoClock;
  private final BatchVerifier verifier =
      new BatchVerifier(new EntryValidator(), Runtime.getRuntime().availableProcessors());

  /** Open sync streams by the core's id (storage thread). */
  private final Map<Long, MuxedStream> streams = new HashMap<>();

  private final Map<Long, SyncStreamAdapter> adapters = new HashMap<>();
  private final List<Consumer<CoreEvent>> listeners = new CopyOnWriteArrayList<>();
  private final Map<PeerId, Long> peerFaults = new ConcurrentHashMap<>();
  private volatile Map<String, Long> gossipDrops = Map.of();

  /** The core's wanted originals: {wanted now, dropped so far}, as of the last timer round. */
  private volatile long[] wantedOriginals = {0, 0};

  private ScheduledFuture<?> timer;
  private long timerDeadline = Long.MIN_VALUE;
  private volatile DhtLink dht;
  private volatile Consumer<CoreCommand> topicPeers = c -> {};

  /**
   * @param nanoClock monotonic nanoseconds (the core's time)
   */
  public CoreDriver(
      NodeCore core, Host host, ScheduledExecutorService storage, LongSupplier nanoClock) {
    this.core = core;
    this.host = host;
    this.storage = storage;
    this.nanoClock = nanoClock;
    this.links =
        new GossipLinks(
            host,
            command -> input(c -> command.run()),
            new GossipLinks.Inputs() {
              @Override
              public void peerUp(PeerId peer, Direction direction, GossipProtocol p, String ip) {
                core.handleGossipPeerUp(peer, direction, p, ip, now());
              }

              @Override
              public void peerDown(PeerId peer) {
                core.handleGossipPeerDown(peer, now());
              }

              @Override
              public void rpc(PeerId peer, Rpc rpc) {
                core.handleRpc(peer, rpc, now());
              }
            });
  }

  /**
   * Serves the peers' pubsub and sync streams, follows the host's connections, and subscribes the
   * core's router to the identities the store follows.
   */
  public void start() {
    links.start();
    host.setProtocolHandler(
        SYNC_PROTOCOL,
        (stream, conn) ->
            input(
                c ->
                    attach(
                        stream, c.handleSyncStream(conn.remotePeer(), conn.isLimited(), now()))));
    host.addListener(
        new HostListener() {
          @Override
          public void onConnected(Connection connection) {
            boolean dialled = connection.direction() == Connection.Direction.OUTBOUND;
            input(c -> c.handlePeerConnected(connection.remotePeer(), dialled, now()));
          }

          @Override
          public void onDisconnected(Connection connection) {
            input(c -> c.handlePeerDisconnected(connection.remotePeer(), now()));
          }
        });
    input(c -> c.handleStarted(now())); // Also arms the timer for the first heartbeat and round.
  }

  /**
   * Carries the core's DHT requests ({@link CoreCommand.SendDht}); {@code topicPeerSink} takes its
   * {@link CoreCommand.KeepTopicPeer} and {@link CoreCommand.ReleaseTopicPeer} (discovery keeps
   * those connections). Call before {@link #start}.
   */
  public void setDht(DhtLink link, Consumer<CoreCommand> topicPeerSink) {
    this.dht = link;
    this.topicPeers = topicPeerSink;
  }

  /** Told of every event of the core, on the storage thread, in order; must be quick. */
  public void addListener(Consumer<CoreEvent> listener) {
    listeners.add(listener);
  }

  /**
   * On the storage thread (the caller is on it): an input of the node's own (an own entry, a
   * follow), then the outputs drained.
   */
  public <T> T onStorage(Function<NodeCore, T> input) {
    T result = input.apply(core);
    drain();
    return result;
  }

  /** {@link #onStorage} for an input without a result. */
  public void onStorageRun(Consumer<NodeCore> input) {
    input.accept(core);
    drain();
  }

  /** {@code query} of the core, answered on the storage thread. Any thread. */
  public <T> CompletableFuture<T> query(Function<NodeCore, T> query) {
    CompletableFuture<T> result = new CompletableFuture<>();
    try {
      storage.execute(
          () -> {
            try {
              result.complete(query.apply(core));
            } catch (RuntimeException e) {
              result.completeExceptionally(e);
            }
          });
    } catch (RejectedExecutionException closing) {
      result.completeExceptionally(closing);
    }
    return result;
  }

  /**
   * What gossip dropped, by reason: the router's reasons (lowercase {@code DropReason} names) and
   * the streams' ({@code no_stream}: an RPC for a peer without a stream; {@code router_behind}: a
   * received RPC while too many waited for the storage thread). As of the last heartbeat; any
   * thread.
   */
  public Map<String, Long> gossipDrops() {
    return gossipDrops;
  }

  /**
   * Originals of held reposts and quotes wanted by reference now ({@code [0]}) and dropped so far
   * because too many were wanted ({@code [1]}), as of the last timer round. Any thread.
   */
  public long[] wantedOriginals() {
    return wantedOriginals.clone();
  }

  /** Sync sessions each peer failed by its own fault, since the start. Any thread. */
  public Map<PeerId, Long> peerFaults() {
    return Map.copyOf(peerFaults);
  }

  /** The core's time: monotonic nanoseconds from the injected clock. */
  long now() {
    return nanoClock.getAsLong();
  }

  /**
   * Runs an input on the storage thread, then drains; dropped once the node is closing. Any thread.
   */
  public void input(Consumer<NodeCore> input) {
    try {
      storage.execute(
          () -> {
            input.accept(core);
            drain();
          });
    } catch (RejectedExecutionException closing) {
      log.debug("node closing: input dropped");
    }
  }

  private void attach(MuxedStream stream, long sync) {
    SyncStreamAdapter adapter = new SyncStreamAdapter(sync, this);
    streams.put(sync, stream);
    adapters.put(sync, adapter);
    stream.setReader(adapter);
  }

  /**
   * Storage thread: carries out everything the core has queued, until it has nothing more (a
   * listener may give the core an input), then re-arms the timer.
   */
  private void drain() {
    boolean more = true;
    while (more) {
      more = false;
      for (OutboundRpc r = core.pollRpc().orElse(null);
          r != null;
          r = core.pollRpc().orElse(null)) {
        links.send(r);
      }
      for (SyncBytes b = core.pollOutbound().orElse(null);
          b != null;
          b = core.pollOutbound().orElse(null)) {
        MuxedStream stream = streams.get(b.sync());
        if (stream != null) {
          stream.write(DelimitedReader.frame(ByteBufAllocator.DEFAULT, b.message()));
        }
      }
      for (CoreCommand c = core.pollCommand().orElse(null);
          c != null;
          c = core.pollCommand().orElse(null)) {
        execute(c);
      }
      for (CoreEvent e = core.pollEvent().orElse(null);
          e != null;
          e = core.pollEvent().orElse(null)) {
        more = true;
        logEvent(e);
        for (Consumer<CoreEvent> l : listeners) {
          try {
            l.accept(e);
          } catch (RuntimeException bug) {
            log.warn("core event listener failed", bug);
          }
        }
      }
    }
    armTimer();
  }

  private void execute(CoreCommand c) {
    if (c instanceof CoreCommand.OpenSync open) {
      openSync(open.peer());
    } else if (c instanceof CoreCommand.VerifyGossip v) {
      verifier
          .verify(v.envelope(), v.addressed())
          .whenComplete(
              (verified, e) ->
                  input(
                      core -> {
                        if (e != null) {
                          core.handleGossipVerifyFailed(v.token(), now());
                        } else {
                          core.handleGossipVerified(v.token(), verified, now());
                        }
                      }));
    } else if (c instanceof CoreCommand.VerifyBatch v) {
      verifier
          .verify(v.envelopes())
          .whenComplete(
              (verified, e) ->
                  input(
                      core -> {
                        if (e != null) {
                          core.handleSyncLocalFailure(
                              v.sync(), "cannot verify a batch: " + e, now());
                        } else {
                          core.handleSyncVerified(v.sync(), v.batch(), verified, now());
                        }
                      }));
    } else if (c instanceof CoreCommand.CloseSync close) {
      closeSync(close.sync());
    } else if (c instanceof CoreCommand.Disconnect d) {
      log.info("closing the connection to {}: {}", d.peer(), d.why());
      host.connections(d.peer()).forEach(Connection::close);
    } else if (c instanceof CoreCommand.SendDht s) {
      DhtLink link = dht;
      if (link != null) {
        link.send(s.request());
      } else {
        core.rendezvous().ifPresent(r -> r.handleFailure(s.request().id(), "no DHT link", now()));
      }
    } else if (c instanceof CoreCommand.KeepTopicPeer
        || c instanceof CoreCommand.ReleaseTopicPeer) {
      topicPeers.accept(c);
    }
  }

  private void openSync(PeerId peer) {
    Connection connection =
        host.connections(peer).stream().filter(Connection::isOpen).findFirst().orElse(null);
    if (connection == null) {
      input(c -> c.handleSyncOpenFailed(peer, now()));
      return;
    }
    host.newStream(connection, List.of(SYNC_PROTOCOL))
        .whenComplete(
            (ns, e) -> {
              if (e != null) {
                log.debug("cannot open a sync stream to {}: {}", peer, e.toString());
                input(c -> c.handleSyncOpenFailed(peer, now()));
              } else {
                input(
                    c ->
                        attach(
                            ns.stream(), c.handleSyncStream(peer, connection.isLimited(), now())));
              }
            });
  }

  private void closeSync(long sync) {
    MuxedStream stream = streams.remove(sync);
    SyncStreamAdapter adapter = adapters.remove(sync);
    if (stream != null) {
      stream.closeWrite();
      stream.executor().execute(adapter::closeFrames);
    }
  }

  private void armTimer() {
    long deadline = core.pollTimeout();
    if (deadline == timerDeadline) {
      return;
    }
    if (timer != null) {
      timer.cancel(false);
    }
    timerDeadline = deadline;
    try {
      timer =
          storage.schedule(
              () -> {
                timerDeadline = Long.MIN_VALUE;
                core.handleTimeout(now());
                drain();
                refreshDrops();
              },
              Math.max(0, deadline - now()),
              TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException closing) {
      timer = null; // The node is closing: no more rounds.
    }
  }

  /** Storage thread: a copy of the drop counters for {@link #gossipDrops}. */
  private void refreshDrops() {
    Map<String, Long> drops = new java.util.TreeMap<>();
    core.gossipDrops()
        .forEach((reason, n) -> drops.put(reason.name().toLowerCase(java.util.Locale.ROOT), n));
    drops.put("no_stream", links.dropped());
    // Own addressed messages that never found a peer of their addressee's topic (issue 15).
    OutboxCounts outbox = core.addressedOutbox();
    drops.put("addressed_expired", outbox.expired());
    drops.put("addressed_outbox_full", outbox.droppedFull());
    drops.put("router_behind", links.droppedInbound());
    gossipDrops = Map.copyOf(drops);
    wantedOriginals = core.wantedOriginals();
  }

  private void logEvent(CoreEvent e) {
    if (e instanceof CoreEvent.SyncEnded end) {
      if (end.fault() == SyncEvent.Fault.PEER) {
        long faults = peerFaults.merge(end.peer(), 1L, Long::sum);
        log.info(
            "sync with {} failed by its fault ({} so far): {} {}",
            end.peer(),
            faults,
            end.code(),
            end.detail());
      } else if (!end.completed()) {
        log.info(
            "sync with {} ended: {} ({}): {}", end.peer(), end.code(), end.fault(), end.detail());
      } else {
        log.debug(
            "sync with {}: {} entries received, {} sent",
            end.peer(),
            end.stats().entriesReceived(),
            end.stats().entriesSent());
      }
    } else if (e instanceof CoreEvent.Blamed b) {
      log.debug("{} blamed: {} {} {}", b.peer(), b.reason(), b.syncError(), b.detail());
    }
  }

  /**
   * Closes our pubsub streams; then, after the host is closed (no session runs any more), call
   * {@link #close}.
   */
  public void closeGossip() {
    links.close();
  }

  /** Stops the verifier threads; call after the host is closed (no session runs any more). */
  @Override
  public void close() {
    verifier.close();
  }
}
