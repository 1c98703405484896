package org.grapevine.libp2p.kad.netty;

import io.netty.buffer.ByteBufAllocator;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import org.grapevine.libp2p.host.Connection;
import org.grapevine.libp2p.host.Host;
import org.grapevine.libp2p.host.ProtocolHandler;
import org.grapevine.libp2p.kad.KadCodec;
import org.grapevine.libp2p.mux.MuxedStream;
import org.grapevine.libp2p.peer.PeerId;

/**
 * Serves inbound {@code /ipfs/kad/1.0.0} streams (libp2p/specs kad-dht/README.md, "RPC messages"):
 * register it with {@link #register}. Each stream is read by a {@link KadInboundStream}: requests
 * one after another on the same stream (go and js reuse a stream for several), each {@code
 * uvarint(len) || Message} decoded with {@link KadCodec}'s limits, handed to the {@link
 * KadRequestHandler}, and its answer written before the next is served.
 *
 * <p>Rules:
 *
 * <ol>
 *   <li>An oversize, malformed or truncated frame resets the stream; counted, and the peer is
 *       reported to {@link #onPeerFault} (its fault). Nothing else of the peer's is touched.
 *   <li>A refusal from the handler resets the stream (counted {@link KadInboundCounter#REFUSED});
 *       whether the peer is at fault is the refusal's to say, and the owner's to act on.
 *   <li>At most {@link KadStreamConfig#maxInboundStreamsPerConnection} streams per connection; at
 *       most {@link KadStreamConfig#maxQueuedRequests} decoded requests wait on one stream; a
 *       stream with no request for {@link KadStreamConfig#idleTimeout} is reset. Partial frames do
 *       not count as activity, so a peer dripping bytes is cut off too.
 *   <li>When the peer half-closes, the requests already received are answered, then our side is
 *       closed.
 * </ol>
 *
 * <p>With the DHT core: {@code new KadInboundHandler(config, (from, request) ->
 * dht.handleRequest(from, request, System.nanoTime()), nodeLoop, alloc).register(host)} in server
 * mode, {@link #unregister} in client mode.
 *
 * <p>Threading: stream state lives on the connection's event loop. The handler runs there, or on
 * {@code executor} when one is given (the node's loop, which owns the DHT core); the answer hops
 * back. Counters are thread-safe.
 */
public final class KadInboundHandler implements ProtocolHandler {
  private final KadStreamConfig config;
  private final KadCodec codec;
  private final KadRequestHandler handler;
  private final Executor executor;
  private final ByteBufAllocator alloc;
  private final Map<KadInboundCounter, AtomicLong> counters =
      new EnumMap<>(KadInboundCounter.class);
  private final Map<Connection, Integer> openStreams = new ConcurrentHashMap<>();
  private volatile BiConsumer<PeerId, KadInboundCounter> peerFaults = (peer, what) -> {};

  /**
   * @param executor where the handler runs; null for the connection's event loop
   */
  public KadInboundHandler(
      KadStreamConfig config,
      KadRequestHandler handler,
      Executor executor,
      ByteBufAllocator alloc) {
    this.config = Objects.requireNonNull(config, "config");
    this.codec = new KadCodec(config.maxMessageBytes());
    this.handler = Objects.requireNonNull(handler, "handler");
    this.executor = executor;
    this.alloc = Objects.requireNonNull(alloc, "alloc");
    for (KadInboundCounter c : KadInboundCounter.values()) {
      counters.put(c, new AtomicLong());
    }
  }

  /** Serves {@link KadStreamConfig#protocol} on {@code host} (server mode; identify says so). */
  public void register(Host host) {
    host.setProtocolHandler(config.protocol(), this);
  }

  /** Stops serving (client mode): peers learn it from identify push. */
  public void unregister(Host host) {
    host.removeProtocolHandler(config.protocol());
  }

  /**
   * Called (on an event loop) with the peer and the counter, each time a peer breaks the protocol.
   */
  public void onPeerFault(BiConsumer<PeerId, KadInboundCounter> listener) {
    this.peerFaults = Objects.requireNonNull(listener, "listener");
  }

  @Override
  public void onStream(MuxedStream stream, Connection connection) {
    int open = openStreams.merge(connection, 1, Integer::sum);
    KadInboundStream reader =
        new KadInboundStream(
            this,
            stream,
            connection.remotePeer(),
            () -> openStreams.computeIfPresent(connection, (c, n) -> n <= 1 ? null : n - 1));
    stream.setReader(reader);
    if (open > config.maxInboundStreamsPerConnection()) {
      reader.fail(KadInboundCounter.STREAM_LIMIT, open + " open streams on " + connection);
    } else {
      reader.start();
    }
  }

  /** How many times {@code what} happened. */
  public long count(KadInboundCounter what) {
    return counters.get(what).get();
  }

  /** Inbound DHT streams open now, all connections. */
  public int openStreams() {
    return openStreams.values().stream().mapToInt(Integer::intValue).sum();
  }

  // --- For KadInboundStream ----------------------------------------------------------------------

  KadStreamConfig config() {
    return config;
  }

  KadCodec codec() {
    return codec;
  }

  KadRequestHandler handler() {
    return handler;
  }

  Executor executor() {
    return executor;
  }

  ByteBufAllocator alloc() {
    return alloc;
  }

  void counted(KadInboundCounter what, PeerId peer) {
    counters.get(what).incrementAndGet();
    if (what.peerAtFault()) {
      peerFaults.accept(peer, what);
    }
  }
}
