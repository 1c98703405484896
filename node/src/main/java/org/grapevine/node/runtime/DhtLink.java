package org.grapevine.node.runtime;

import io.netty.buffer.ByteBufAllocator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicLong;
import org.grapevine.libp2p.host.Connection;
import org.grapevine.libp2p.host.Host;
import org.grapevine.libp2p.host.HostListener;
import org.grapevine.libp2p.identify.IdentifyResult;
import org.grapevine.libp2p.kad.DhtRequest;
import org.grapevine.libp2p.kad.KadServer;
import org.grapevine.libp2p.kad.netty.KadClient;
import org.grapevine.libp2p.kad.netty.KadInboundCounter;
import org.grapevine.libp2p.kad.netty.KadInboundHandler;
import org.grapevine.libp2p.kad.netty.KadStreamConfig;
import org.grapevine.libp2p.multiaddr.Multiaddr;
import org.grapevine.libp2p.multiaddr.MultiaddrFormatException;
import org.grapevine.node.core.Rendezvous;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running node's DHT streams: carries the core's {@code SendDht} requests over {@code
 * /ipfs/kad/1.0.0} ({@link KadClient}), serves inbound requests in server mode ({@link
 * KadInboundHandler}, answered by the core on the storage thread), and tells the core what identify
 * says of each peer (its addresses, and whether it serves the DHT). It decides nothing: the {@link
 * Rendezvous} in the core does.
 */
// Terminal whenComplete callbacks hand both outcomes to the core.
@SuppressWarnings("FutureReturnValueIgnored")
public final class DhtLink {
  private static final Logger log = LoggerFactory.getLogger(DhtLink.class);

  /** Longer than any answer takes; the Dht times requests out itself, sooner. */
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

  private final CoreDriver driver;
  private final Host host;
  private volatile boolean server;
  private final KadStreamConfig config = KadStreamConfig.defaults();
  private final KadClient client = new KadClient(config, ByteBufAllocator.DEFAULT);
  private final AtomicLong sent = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private KadInboundHandler inbound;

  /** Inbound protocol faults of a peer after which its connections are closed. */
  static final int MAX_FAULTS = 3;

  private final java.util.Map<org.grapevine.libp2p.peer.PeerId, Integer> faults =
      new java.util.concurrent.ConcurrentHashMap<>();

  /**
   * @param server serve the DHT (list it in identify) or only ask (client mode)
   */
  public DhtLink(CoreDriver driver, Host host, boolean server) {
    this.driver = driver;
    this.host = host;
    this.server = server;
  }

  /** Serves inbound requests (server mode) and follows identify; call before the host starts. */
  public void start() {
    inbound =
        new KadInboundHandler(
            config,
            (from, request) ->
                driver.onStorage(
                    c ->
                        c.rendezvous()
                            .map(r -> r.handleRequest(from, request, driver.now()))
                            .orElseGet(DhtLink::off)),
            command -> driver.input(c -> command.run()),
            ByteBufAllocator.DEFAULT);
    inbound.onPeerFault(this::fault);
    if (server) {
      inbound.register(host);
    }
    host.addListener(
        new HostListener() {
          @Override
          public void onIdentified(Connection c, IdentifyResult identify) {
            List<Multiaddr> addrs = new ArrayList<>();
            for (byte[] raw : identify.listenAddrs()) {
              try {
                addrs.add(Multiaddr.decode(raw));
              } catch (MultiaddrFormatException e) {
                // Not one we could dial.
              }
            }
            boolean dhtServer = identify.protocols().contains(config.protocol());
            driver.input(
                core ->
                    core.rendezvous()
                        .ifPresent(
                            r ->
                                r.handlePeerIdentified(
                                    c.remotePeer(), addrs, dhtServer, driver.now())));
          }
        });
  }

  /**
   * A peer broke the DHT protocol on an inbound stream (oversize, malformed, flooding): its stream
   * was reset; after {@link #MAX_FAULTS} such faults its connections are closed (it may come back,
   * and is closed again).
   */
  private void fault(org.grapevine.libp2p.peer.PeerId peer, KadInboundCounter what) {
    if (faults.size() > 10_000) {
      faults.clear(); // Bounded: forgetting old faults only delays a close.
    }
    int n = faults.merge(peer, 1, Integer::sum);
    log.info("DHT peer {} broke the protocol ({}), {} time(s)", peer, what, n);
    if (n % MAX_FAULTS == 0) {
      log.info("closing the connection to {}: {} DHT protocol faults", peer, n);
      host.connections(peer).forEach(Connection::close);
    }
  }

  /** Sends one request of the core's; the outcome goes back to the core. */
  void send(DhtRequest request) {
    sent.incrementAndGet();
    client
        .request(host, request.to(), request.message(), request.expectsResponse(), REQUEST_TIMEOUT)
        .whenComplete(
            (answer, error) ->
                driver.input(
                    core -> core.rendezvous().ifPresent(r -> report(r, request, answer, error))));
  }

  private void report(
      Rendezvous r, DhtRequest request, org.grapevine.libp2p.kad.KadMessage answer, Throwable e) {
    if (e == null) {
      r.handleResponse(request.id(), answer, driver.now());
      return;
    }
    Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
    failed.incrementAndGet();
    log.debug(
        "DHT {} to {} failed: {}", request.message().type(), request.to().id(), cause.toString());
    r.handleFailure(request.id(), cause.toString(), driver.now());
  }

  private static KadServer.Reply off() {
    // The core was built without a DHT, yet the handler is registered: never with NodeCore's
    // constructors, which go together with this link. Refuse as overloaded (not the peer's fault).
    return new KadServer.Reply(
        java.util.Optional.empty(), java.util.Optional.of(KadServer.Refusal.STORE_FULL));
  }

  public boolean server() {
    return server;
  }

  /**
   * Switches between server mode (serve the DHT, list it in identify) and client mode; peers learn
   * of it through identify push. For {@code [dht] mode = auto} when AutoNAT finds the node
   * reachable or not.
   */
  public synchronized void setServer(boolean serve) {
    if (serve == server) {
      return;
    }
    server = serve;
    if (serve) {
      inbound.register(host);
    } else {
      inbound.unregister(host);
    }
    log.info("DHT now in {} mode", serve ? "server" : "client");
  }

  /** Requests sent and failed so far (any thread). */
  public long sent() {
    return sent.get();
  }

  public long failed() {
    return failed.get();
  }

  /** Inbound streams and their outcomes (none while in client mode). */
  public KadInboundHandler inbound() {
    return inbound;
  }
}
