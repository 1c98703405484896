package org.grapevine.libp2p.gossipsub.netty;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import org.grapevine.libp2p.MalformedFrameException;
import org.grapevine.libp2p.gossipsub.Direction;
import org.grapevine.libp2p.gossipsub.GossipProtocol;
import org.grapevine.libp2p.gossipsub.OutboundRpc;
import org.grapevine.libp2p.gossipsub.Rpc;
import org.grapevine.libp2p.host.Connection;
import org.grapevine.libp2p.host.Host;
import org.grapevine.libp2p.host.HostListener;
import org.grapevine.libp2p.mux.MuxedStream;
import org.grapevine.libp2p.peer.PeerId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The streams under a GossipSub router (libp2p pubsub/README.md), without the router: for every
 * connected peer one long-lived outbound stream ({@code /meshsub/1.2.0}, falling back to 1.1.0,
 * 1.0.0 and floodsub) used only for writing, and the RPCs read from the streams the peer opens. It
 * tells its {@link Inputs} when a peer is ready, gone, or sent an RPC, and writes what it is given
 * ({@link #send}); it makes no protocol decision. Two routers sit on it: {@link GossipDriver}'s (a
 * plain pubsub host) and the Grapevine node core's.
 *
 * <p>Every input is called on the one executor given, and {@link #send} must be called on it too.
 *
 * <p>Loopback peers get no IP for the colocation penalty (P6): many test and simulation peers share
 * 127.0.0.1 by design.
 */
public final class GossipLinks {
  private static final Logger log = LoggerFactory.getLogger(GossipLinks.class);
  private static final List<String> PROTOCOLS =
      List.of(
          GossipProtocol.MESHSUB_V12.id(),
          GossipProtocol.MESHSUB_V11.id(),
          GossipProtocol.MESHSUB_V10.id(),
          GossipProtocol.FLOODSUB.id());

  /**
   * At most this many RPCs wait for a stream being opened; more are dropped (gossip may lose RPCs).
   */
  static final int MAX_PENDING_RPCS = 64;

  /**
   * Received RPCs waiting for the executor hold at most this many bytes; more are dropped
   * (counted): a router that falls behind (its executor also stores entries, in the node) must not
   * let peers fill our memory.
   */
  static final long MAX_QUEUED_RPC_BYTES = 32L << 20;

  /** What the links tell the router, on the links' executor. */
  public interface Inputs {
    /**
     * {@code peer} is ready for pubsub: our stream to it is open (or it sent us an RPC first).
     *
     * @param colocationIp its IP for P6, or null (loopback, or not over IP)
     */
    void peerUp(PeerId peer, Direction direction, GossipProtocol protocol, String colocationIp);

    /** The last connection to a peer announced by {@link #peerUp} is gone. */
    void peerDown(PeerId peer);

    /** An RPC from a peer announced by {@link #peerUp} (always after it). */
    void rpc(PeerId peer, Rpc rpc);
  }

  /** What {@link #send} did with an RPC. */
  public enum Sent {
    WRITTEN,
    /** Our stream to the peer is opening: written once it is open. */
    QUEUED,
    /** No stream and none opening, or the queue of one opening is full: counted, not sent. */
    DROPPED
  }

  private final Host host;
  private final Executor loop;
  private final Inputs inputs;
  private final GossipStreams streams;
  private final Map<PeerId, PeerLink> peers = new HashMap<>();
  private final AtomicLong queuedBytes = new AtomicLong();
  private final AtomicLong droppedInbound = new AtomicLong();
  private long dropped;
  private boolean closed;

  /** One peer's state: its connections and our outbound stream to it. */
  private static final class PeerLink {
    /** Direct connections first (see {@link #connected}). */
    final List<Connection> connections = new ArrayList<>();

    MuxedStream out;

    /** The connection {@link #out} is on. */
    Connection outConnection;

    boolean opening;
    boolean known;

    /**
     * RPCs for the peer while our stream to it is opening: the router learns of a peer from its
     * first inbound RPC and answers with our subscriptions (sent once) before our stream is up;
     * dropping that answer would hide our subscriptions from the peer for the whole connection.
     */
    final ArrayDeque<Rpc> pending = new ArrayDeque<>();
  }

  /**
   * @param loop the executor the router is confined to; every input is called on it
   */
  public GossipLinks(Host host, Executor loop, Inputs inputs) {
    this.host = host;
    this.loop = loop;
    this.inputs = inputs;
    this.streams = new GossipStreams(ByteBufAllocator.DEFAULT, this::onRpc, this::onBadRpc);
  }

  /** Registers the pubsub protocols on the host and starts following its connections. */
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

  /** Writes {@code o} to its peer's stream (on the executor). */
  public Sent send(OutboundRpc o) {
    PeerLink link = peers.get(o.to());
    if (link != null && link.out == null && link.opening) {
      if (link.pending.size() < MAX_PENDING_RPCS) {
        link.pending.add(o.rpc()); // Written once the stream is open.
        return Sent.QUEUED;
      }
    } else if (link != null && link.out != null) {
      write(link, o.rpc());
      return Sent.WRITTEN;
    }
    dropped++;
    log.debug("no stream to {}: dropping an RPC ({} so far)", o.to(), dropped);
    return Sent.DROPPED;
  }

  /** RPCs {@link #send} dropped so far (on the executor). */
  public long dropped() {
    return dropped;
  }

  /**
   * Received RPCs dropped so far because {@link #MAX_QUEUED_RPC_BYTES} waited for the executor (any
   * thread).
   */
  public long droppedInbound() {
    return droppedInbound.get();
  }

  /** Closes our streams and stops reading the peers'; the inputs hear nothing more. */
  public void close() {
    loop.execute(
        () -> {
          closed = true;
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

  // --- On the executor -----------------------------------------------------------------------

  private void connected(Connection c) {
    if (closed) {
      return;
    }
    PeerLink link = peers.computeIfAbsent(c.remotePeer(), p -> new PeerLink());
    if (!link.connections.contains(c)) { // Also announced by an early RPC (see onRpc).
      link.connections.add(c);
      link.connections.sort(Comparator.comparing(Connection::isRelayed));
    }
    if (link.out != null && link.outConnection.isRelayed() && !c.isRelayed()) {
      // A direct connection (hole punched) replaces the relay's, which is limited and costs the
      // relay: RPCs wait in `pending` until our stream on the direct one is open.
      MuxedStream old = link.out;
      link.out = null;
      old.closeWrite();
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
                        dropped += link.pending.size();
                        link.pending.clear();
                        log.debug("{} speaks no pubsub: {}", peer, e.getMessage());
                        return;
                      }
                      if (closed || peers.get(peer) != link) {
                        ns.stream().reset();
                        return;
                      }
                      outboundOpen(
                          peer, link, c, ns.stream(), GossipProtocol.fromId(ns.protocol()));
                    }));
  }

  private void outboundOpen(
      PeerId peer,
      PeerLink link,
      Connection c,
      MuxedStream stream,
      java.util.Optional<GossipProtocol> protocol) {
    link.out = stream;
    link.outConnection = c;
    streams.watchOutbound(
        stream,
        () ->
            loop.execute(
                () -> {
                  if (link.out == stream) {
                    link.out = null;
                    openOutbound(peer, link); // On another connection, if the peer still has one.
                  }
                }));
    for (Rpc rpc = link.pending.poll(); rpc != null; rpc = link.pending.poll()) {
      write(link, rpc); // In the order the router sent them, before anything newer.
    }
    known(peer, link, c, protocol.orElseThrow());
  }

  private void known(PeerId peer, PeerLink link, Connection c, GossipProtocol protocol) {
    if (link.known) {
      return;
    }
    link.known = true;
    Direction direction =
        c.direction() == Connection.Direction.OUTBOUND ? Direction.OUTBOUND : Direction.INBOUND;
    inputs.peerUp(peer, direction, protocol, colocationIp(c));
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
      inputs.peerDown(c.remotePeer());
    }
  }

  private void onRpc(Connection c, GossipProtocol protocol, Rpc rpc) {
    int size = rpc.proto().getSerializedSize();
    if (queuedBytes.addAndGet(size) > MAX_QUEUED_RPC_BYTES) {
      queuedBytes.addAndGet(-size);
      long n = droppedInbound.incrementAndGet();
      log.debug("router behind: dropping an RPC from {} ({} so far)", c.remotePeer(), n);
      return;
    }
    loop.execute(
        () -> {
          queuedBytes.addAndGet(-size);
          PeerLink link = peers.get(c.remotePeer());
          if (link == null && !closed && c.isOpen()) {
            // The peer's first RPC (its subscriptions, sent once) can reach this executor before
            // the host's onConnected does: dropping it would hide what the peer subscribes to for
            // the whole connection (seen as a node not syncing a gap with a subscriber,
            // CoreDecisionsAgreeIT).
            connected(c);
            link = peers.get(c.remotePeer());
          }
          if (closed || link == null) {
            return; // The connection is gone: drop.
          }
          known(c.remotePeer(), link, c, protocol);
          inputs.rpc(c.remotePeer(), rpc);
        });
  }

  private void onBadRpc(Connection c, MalformedFrameException e) {
    log.info("closing a pubsub stream from {}: {}", c.remotePeer(), e.getMessage());
  }

  private void write(PeerLink link, Rpc rpc) {
    ByteBuf buf = ByteBufAllocator.DEFAULT.buffer();
    streams.codec().encodeDelimited(rpc, buf);
    link.out.write(buf);
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
