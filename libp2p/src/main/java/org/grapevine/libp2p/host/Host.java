package org.grapevine.libp2p.host;

import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.grapevine.libp2p.autonat.AutonatEvent;
import org.grapevine.libp2p.autonat.Reachability;
import org.grapevine.libp2p.autonat.netty.AutonatService;
import org.grapevine.libp2p.identify.IdentifyProtocol;
import org.grapevine.libp2p.identify.IdentifyResult;
import org.grapevine.libp2p.multiaddr.Multiaddr;
import org.grapevine.libp2p.mux.MuxedStream;
import org.grapevine.libp2p.peer.PeerId;
import org.grapevine.libp2p.ping.PingProtocol;
import org.grapevine.libp2p.relay.RelayLimit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A libp2p host on TCP: listens, dials, upgrades every connection ([pnet] → multistream-select →
 * Noise XX → Yamux, see {@link ConnectionUpgrader}), serves identify and ping, negotiates a
 * protocol on every stream, and keeps a bounded peer store. The layers above register {@link
 * ProtocolHandler}s and open streams with {@link #newStream}.
 *
 * <p>Limits: total connections, connections per peer, new inbound connections per second (all in
 * {@link HostConfig}); streams per connection are Yamux's limit. A connection over a limit is
 * closed at once with a log line; the host keeps serving the others. Identify is {@link
 * HostIdentify}'s; the clock and the randomness are the config's.
 *
 * <p>Threading: thread-safe. Each connection lives on one event loop; listener and handler
 * callbacks run there.
 */
// Terminal whenComplete callbacks handle both outcomes themselves, and a channel close needs no
// answer: the futures these return carry nothing left to act on.
@SuppressWarnings("FutureReturnValueIgnored")
public final class Host implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Host.class);

  /**
   * Heap buffers for connections: every byte is encrypted or decrypted by the Noise AEAD, which
   * works on arrays in place and has to copy direct memory through a scratch array first; Netty
   * copies socket reads and writes between heap and direct memory once, which is cheaper.
   */
  private static final io.netty.buffer.ByteBufAllocator ALLOCATOR =
      new io.netty.buffer.PooledByteBufAllocator(false);

  private final HostConfig config;
  private final PeerId self;
  private final EventLoopGroup group;
  private final boolean ownsGroup;
  private final Map<String, ProtocolHandler> handlers = new ConcurrentHashMap<>();
  private final Set<Connection> connections = ConcurrentHashMap.newKeySet();
  private final AtomicInteger upgrading = new AtomicInteger();
  private final List<HostListener> listeners = new CopyOnWriteArrayList<>();
  private final PeerStore peerStore = new PeerStore(10_000, 16);
  private final List<Channel> servers = new CopyOnWriteArrayList<>();
  private final List<Multiaddr> listenAddrs = new CopyOnWriteArrayList<>();
  private final InboundRateLimiter inboundLimiter;
  private final HostIdentify identify;
  private volatile CircuitDialer circuitDialer;
  private final HostDials dials = new HostDials(this);
  private volatile Supplier<List<Multiaddr>> extraAddrs = List::of;

  private volatile AutonatService autonat;
  private volatile boolean closed;

  /** A host with its own event loops (one per core). */
  public Host(HostConfig config) {
    this(config, new MultiThreadIoEventLoopGroup(0, NioIoHandler.newFactory()), true);
  }

  /** A host on shared event loops (many hosts in one JVM, as the simulations run them). */
  public Host(HostConfig config, EventLoopGroup sharedGroup) {
    this(config, sharedGroup, false);
  }

  private Host(HostConfig config, EventLoopGroup group, boolean ownsGroup) {
    this.config = config;
    this.identify = new HostIdentify(this, config.observedAddrs());
    this.self = PeerId.fromPubKey(config.identity().publicKey());
    this.group = group;
    this.ownsGroup = ownsGroup;
    this.inboundLimiter =
        new InboundRateLimiter(
            config.maxInboundConnectionsPerSecond(), config.maxInboundConnectionBurst());
    handlers.put(IdentifyProtocol.ID, identify::respond);
    handlers.put(IdentifyProtocol.PUSH_ID, identify::onPush);
    handlers.put(PingProtocol.ID, (stream, conn) -> PingProtocol.respond(stream));
    AeadCalibration.startOnce(); // picks the faster ChaCha20-Poly1305 for Noise, in the background
  }

  public PeerId peerId() {
    return self;
  }

  public HostConfig config() {
    return config;
  }

  public PeerStore peerStore() {
    return peerStore;
  }

  /** For {@link HostDials}: the circuit dialer, if any. */
  CircuitDialer circuitDialer() {
    return circuitDialer;
  }

  /** For {@link HostDials}: our listening sockets' local addresses. */
  List<InetSocketAddress> listenSockets() {
    List<InetSocketAddress> out = new ArrayList<>();
    servers.forEach(ch -> out.add((InetSocketAddress) ch.localAddress()));
    return out;
  }

  /** For {@link HostDials}: an outbound upgrade starts (counted against the connection limit). */
  void upgradeStarted() {
    upgrading.incrementAndGet();
  }

  static io.netty.buffer.ByteBufAllocator allocator() {
    return ALLOCATOR;
  }

  /** The host's event loops, for drivers that confine a sans-I/O core to one of them. */
  public EventLoopGroup eventLoops() {
    return group;
  }

  /** Binds every configured listen address. */
  public synchronized void start() throws IOException {
    if (closed) {
      throw new IllegalStateException("host is closed");
    }
    for (String text : config.listenAddrs()) {
      InetSocketAddress bindTo = HostSockets.listenAddress(text);
      ChannelFuture bound;
      try {
        bound = HostSockets.bind(group, ALLOCATOR, bindTo, this::acceptInbound);
      } catch (IOException e) {
        throw new IOException("cannot listen on " + text + ": " + e.getMessage(), e);
      }
      if (!bound.isSuccess()) {
        throw new IOException(
            "cannot listen on " + text + ": " + bound.cause().getMessage(), bound.cause());
      }
      servers.add(bound.channel());
      InetSocketAddress local = (InetSocketAddress) bound.channel().localAddress();
      if (local.getAddress().isAnyLocalAddress()) {
        // A dual-stack socket bound to 0.0.0.0 reports "::"; keep the family that was asked for.
        local = new InetSocketAddress(bindTo.getAddress(), local.getPort());
      }
      listenAddrs.add(Multiaddr.of(local));
      log.info("listening on {}/p2p/{}", listenAddrs.get(listenAddrs.size() - 1), self);
    }
    if (config.autonat().isPresent() && autonat == null) {
      autonat = new AutonatService(this, config.autonat().get(), group.next(), this::onAutonat);
      autonat.start();
    }
  }

  /**
   * Our public addresses as peers observe them (identify), confirmed by enough distinct observer
   * networks ({@link org.grapevine.libp2p.observed.ObservedAddrs}'s rules), the most widely
   * observed first. Not yet tested by AutoNAT: for that see {@link #reachability} and {@link
   * #reachableAddrs}.
   */
  public List<Multiaddr> observedAddrs() {
    return identify.observedAddrs();
  }

  /** Loopback and private addresses peers on our own networks observed (usable on a LAN only). */
  public List<Multiaddr> lanObservedAddrs() {
    return identify.lanObservedAddrs();
  }

  /**
   * Whether peers on the internet can dial us, as AutoNAT last found: PUBLIC, PRIVATE, or UNKNOWN
   * (also always without AutoNAT in the config). Changes are told to {@link
   * HostListener#onReachabilityChanged}.
   */
  public Reachability reachability() {
    AutonatService a = autonat;
    return a == null ? Reachability.UNKNOWN : a.reachability();
  }

  /** Our addresses AutoNAT found reachable (empty without AutoNAT). */
  public List<Multiaddr> reachableAddrs() {
    AutonatService a = autonat;
    return a == null ? List.of() : a.publicAddrs();
  }

  /** The AutoNAT service, when configured and started (diagnostics, extra candidates). */
  public Optional<AutonatService> autonat() {
    return Optional.ofNullable(autonat);
  }

  private void onAutonat(AutonatEvent e) {
    if (e instanceof AutonatEvent.ReachabilityChanged r) {
      listeners.forEach(l -> l.onReachabilityChanged(r.from(), r.to(), r.publicAddrs()));
    }
  }

  /** The addresses the host listens on (with the actual ports), without /p2p. */
  public List<Multiaddr> listenAddrs() {
    return List.copyOf(listenAddrs);
  }

  /**
   * Public addresses peers observed us at that are not confirmed yet (fewer observer networks than
   * the threshold), the most widely observed first: worth testing (AutoNAT) or trying (hole
   * punching), not worth advertising.
   */
  public List<Multiaddr> observedCandidates() {
    return identify.observedCandidates();
  }

  /**
   * Addresses identify tells peers beyond the listen ones and those AutoNAT found reachable, such
   * as the {@code /p2p-circuit} addresses of relay reservations. Read at every identify; call
   * {@link #addrsChanged} when what it returns changes.
   */
  public void setExtraAddrs(Supplier<List<Multiaddr>> extra) {
    this.extraAddrs = Objects.requireNonNull(extra, "extra");
  }

  /**
   * What identify tells peers we listen on: the listen addresses, those AutoNAT found reachable,
   * then the {@link #setExtraAddrs extra} ones, without repeats.
   */
  public List<Multiaddr> advertisedAddrs() {
    Set<Multiaddr> out = new LinkedHashSet<>(listenAddrs);
    out.addAll(reachableAddrs());
    out.addAll(extraAddrs.get());
    return List.copyOf(out);
  }

  /** Tells every connected peer our addresses changed (identify push). */
  public void addrsChanged() {
    identify.pushToAll();
  }

  /**
   * Registers the handler of inbound streams for {@code protocol}; peers learn it through identify
   * push.
   */
  public void setProtocolHandler(String protocol, ProtocolHandler handler) {
    handlers.put(protocol, handler);
    identify.pushToAll();
  }

  public void removeProtocolHandler(String protocol) {
    if (handlers.remove(protocol) != null) {
      identify.pushToAll();
    }
  }

  public void addListener(HostListener listener) {
    listeners.add(listener);
  }

  /** Stops telling {@code listener} (added with {@link #addListener}); no-op if it was not. */
  public void removeListener(HostListener listener) {
    listeners.remove(listener);
  }

  public Collection<Connection> connections() {
    return List.copyOf(connections);
  }

  /**
   * Open connections to {@code peer}, direct ones first: a relayed connection is limited and costs
   * the relay, so whoever takes the first one for a new stream moves off the relay once a direct
   * connection exists.
   */
  public List<Connection> connections(PeerId peer) {
    List<Connection> out = new ArrayList<>();
    for (Connection c : connections) {
      if (c.remotePeer().equals(peer) && c.isOpen()) {
        out.add(c);
      }
    }
    out.sort(Comparator.comparing(Connection::isRelayed));
    return out;
  }

  /**
   * Lets {@link #dial} reach {@code /p2p-circuit} addresses through {@code dialer} (circuit relay
   * v2's client); without one such a dial fails.
   */
  public void setCircuitDialer(CircuitDialer dialer) {
    this.circuitDialer = dialer;
  }

  /**
   * Dials {@code addr}; with a {@code /p2p/<id>} suffix the peer must prove that identity, and an
   * open connection to it is reused (for a direct address, only a direct connection). A {@code
   * /p2p-circuit} address goes to the {@link CircuitDialer} (see {@link #setCircuitDialer}). Fails
   * with a {@link DialException} that says what went wrong.
   */
  public CompletableFuture<Connection> dial(Multiaddr addr) {
    return dials.dial(addr);
  }

  /**
   * Upgrades a relay circuit's stream (a hop stream after the relay's OK, or a stop stream after
   * our OK) like a TCP connection: multistream, Noise, Yamux. The result is a {@link Connection}
   * with {@link Connection#isRelayed} true whose addresses are {@code circuitAddr}; the stream
   * belongs to the connection from now on (its reader is replaced). An inbound circuit over the
   * host's connection limit is refused (the stream is reset).
   *
   * @param expected the peer that must answer (outbound); empty to accept whoever proves itself
   */
  public CompletableFuture<Connection> upgradeRelayed(
      MuxedStream stream,
      Connection.Direction direction,
      Optional<PeerId> expected,
      Multiaddr circuitAddr,
      RelayLimit limit) {
    return RelayedUpgrade.start(this, stream, direction, expected, circuitAddr, limit);
  }

  /**
   * One side of a TCP simultaneous open (hole punching, DCUtR): dials {@code addr} (with {@code
   * /p2p/<id>}: the peer must prove it) from our listening port of the same address family, at the
   * moment the peer dials us, and upgrades the connection with us as the security {@code initiator}
   * or responder: both sides dial, so the TCP connect cannot tell the roles (the DCUtR session says
   * them). Unlike {@link #dial}, an open connection to the peer is not reused: the point is a new,
   * direct one. The connection's {@link Connection#direction} is its upgrade role (OUTBOUND for the
   * initiator), so that exactly one side treats it as the one it dialled.
   */
  public CompletableFuture<Connection> dialHolePunch(Multiaddr addr, boolean initiator) {
    return dials.dialHolePunch(addr, initiator);
  }

  /**
   * Opens a stream to a connected peer and negotiates the first of {@code protocols} it accepts.
   */
  public CompletableFuture<NegotiatedStream> newStream(
      Connection connection, List<String> protocols) {
    return HostStreams.open(connection, protocols, config.streamNegotiationTimeout(), listeners);
  }

  /**
   * Dials (or reuses a connection to) {@code addr} and opens a stream for one of {@code protocols}.
   */
  public CompletableFuture<NegotiatedStream> newStream(Multiaddr addr, List<String> protocols) {
    return dial(addr).thenCompose(c -> newStream(c, protocols));
  }

  /** One ping over a new stream: the round-trip time in nanoseconds. */
  public CompletableFuture<Long> ping(Connection connection) {
    return newStream(connection, List.of(PingProtocol.ID))
        .thenCompose(
            ns ->
                PingProtocol.ping(
                    ns.stream(), ByteBufAllocator.DEFAULT, config.random(), config.nanoClock()));
  }

  /** Closes listeners and connections (Yamux GoAway first), waiting up to the configured grace. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (autonat != null) {
      autonat.close();
    }
    for (Channel s : servers) {
      s.close().awaitUninterruptibly();
    }
    for (Connection c : connections) {
      c.close();
    }
    long deadline = config.nanoClock().getAsLong() + config.shutdownGrace().toNanos();
    for (Connection c : List.copyOf(connections)) {
      long left = deadline - config.nanoClock().getAsLong();
      if (left <= 0
          || !c.channel().closeFuture().awaitUninterruptibly(left, TimeUnit.NANOSECONDS)) {
        c.channel().close();
      }
    }
    if (ownsGroup) {
      group
          .shutdownGracefully(0, config.shutdownGrace().toMillis(), TimeUnit.MILLISECONDS)
          .awaitUninterruptibly();
    }
    log.info("host {} closed", self);
  }

  public boolean isClosed() {
    return closed;
  }

  // --- Called by ConnectionUpgrader and HostIdentify ------------------------------------------

  private void acceptInbound(SocketChannel ch) {
    int open = connections.size() + upgrading.get();
    boolean allowed;
    synchronized (inboundLimiter) {
      allowed = inboundLimiter.tryAcquire(config.nanoClock().getAsLong());
    }
    if (closed || open >= config.maxConnections() || !allowed) {
      log.warn(
          "refusing inbound connection from {}: {}",
          ch.remoteAddress(),
          closed
              ? "host is closing"
              : open >= config.maxConnections()
                  ? "at the connection limit (" + config.maxConnections() + ")"
                  : "more than "
                      + config.maxInboundConnectionsPerSecond()
                      + " new connections per second");
      ch.close();
      return;
    }
    upgrading.incrementAndGet();
    config.channelHook().initChannel(ch, Connection.Direction.INBOUND, ch.remoteAddress());
    new ConnectionUpgrader(
            this,
            Connection.Direction.INBOUND,
            Optional.empty(),
            Multiaddr.of(ch.remoteAddress()),
            new CompletableFuture<>())
        .install(ch);
  }

  /** The upgrade finished: registers the connection or refuses it over the per-peer limit. */
  boolean upgraded(Connection connection) {
    upgrading.decrementAndGet();
    if (closed) {
      connection.channel().close();
      return false;
    }
    if (connections(connection.remotePeer()).size() >= config.maxConnectionsPerPeer()) {
      log.warn(
          "closing {}: already {} connections to that peer",
          connection,
          config.maxConnectionsPerPeer());
      connection.channel().close();
      return false;
    }
    connections.add(connection);
    connection
        .channel()
        .closeFuture()
        .addListener(
            f -> {
              connections.remove(connection);
              log.debug("disconnected: {}", connection);
              listeners.forEach(l -> l.onDisconnected(connection));
            });
    connection
        .muxer()
        .setInboundHandler(
            stream ->
                HostStreams.serve(
                    connection, stream, handlers, config.streamNegotiationTimeout(), listeners));
    log.debug("connected: {}", connection);
    listeners.forEach(l -> l.onConnected(connection));
    identify.request(connection);
    return true;
  }

  void upgradeFailed() {
    upgrading.decrementAndGet();
  }

  /** Counts a new inbound-style upgrade unless closing or at the connection limit. */
  boolean tryStartUpgrade() {
    if (closed || connections.size() + upgrading.get() >= config.maxConnections()) {
      return false;
    }
    upgrading.incrementAndGet();
    return true;
  }

  /** HostIdentify has the peer's identify result (asked for or pushed) and stored its addresses. */
  void identified(Connection connection, IdentifyResult result) {
    listeners.forEach(l -> l.onIdentified(connection, result));
  }

  /** The protocols we serve, sorted, for identify. */
  List<String> protocols() {
    return List.copyOf(new TreeSet<>(handlers.keySet()));
  }
}
