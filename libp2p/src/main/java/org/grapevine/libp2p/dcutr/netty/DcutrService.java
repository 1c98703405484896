package org.grapevine.libp2p.dcutr.netty;

import io.netty.buffer.ByteBufAllocator;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.grapevine.libp2p.dcutr.DcutrOutcome;
import org.grapevine.libp2p.dcutr.DcutrSession;
import org.grapevine.libp2p.host.Connection;
import org.grapevine.libp2p.host.Host;
import org.grapevine.libp2p.host.HostListener;
import org.grapevine.libp2p.multiaddr.Multiaddr;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * DCUtR on a {@link Host} (libp2p/specs relay/DCUtR.md): serves {@code /libp2p/dcutr} streams as
 * the responder (the peer that dialled the relayed connection), and {@link #upgrade} runs the
 * initiator's side on a connection that came in (over a relay). Our addresses to offer come from
 * {@code ownAddrs} (the observed public addresses, confirmed: identify and AutoNAT); the peer's are
 * kept only if {@code usable} (by default {@link #publicTcp}). Each wait for the peer is bounded by
 * {@code timeout}; the dials by the host's dial timeout.
 *
 * <p>What to do with the direct connection (move streams to it, close the relayed one after a grace
 * period) is the caller's: this service only makes it.
 */
public final class DcutrService {
  public static final String PROTOCOL = "/libp2p/dcutr";
  private static final Logger log = LoggerFactory.getLogger(DcutrService.class);

  private final Host host;
  private final Supplier<List<Multiaddr>> ownAddrs;
  private final Predicate<Multiaddr> usable;
  private final long timeoutNanos;
  private final ByteBufAllocator alloc;
  private final List<BiConsumer<Connection, DcutrResult>> responderListeners =
      new CopyOnWriteArrayList<>();

  public DcutrService(
      Host host,
      Supplier<List<Multiaddr>> ownAddrs,
      Predicate<Multiaddr> usable,
      Duration timeout,
      ByteBufAllocator alloc) {
    this.host = Objects.requireNonNull(host, "host");
    this.ownAddrs = Objects.requireNonNull(ownAddrs, "ownAddrs");
    this.usable = Objects.requireNonNull(usable, "usable");
    this.timeoutNanos = timeout.toNanos();
    this.alloc = Objects.requireNonNull(alloc, "alloc");
  }

  /** Told how each hole punch we answered (as the responder) ended. */
  public void addResponderListener(BiConsumer<Connection, DcutrResult> listener) {
    responderListeners.add(listener);
  }

  /** Serves the protocol: every inbound stream runs a responder session. */
  @SuppressWarnings("FutureReturnValueIgnored") // a terminal callback; the future never fails
  public void start() {
    host.setProtocolHandler(
        PROTOCOL,
        (stream, connection) ->
            new DcutrStream(
                    host,
                    connection,
                    stream,
                    DcutrSession.responder(ownAddrs.get(), usable, timeoutNanos, System.nanoTime()),
                    alloc)
                .start()
                .thenAccept(
                    r -> {
                      log.debug(
                          "hole punch asked by {}: {} ({})",
                          connection.remotePeer(),
                          r.outcome(),
                          r.detail());
                      responderListeners.forEach(l -> l.accept(connection, r));
                    }));
  }

  /**
   * From now on, runs the initiator's side ({@link #upgrade}) on every inbound relayed connection,
   * as the spec has the inbound peer do; each result goes to {@code listener}.
   */
  @SuppressWarnings("FutureReturnValueIgnored") // a terminal callback; upgrade never fails
  public void upgradeInboundRelayed(BiConsumer<Connection, DcutrResult> listener) {
    host.addListener(
        new HostListener() {
          @Override
          public void onConnected(Connection c) {
            if (c.isRelayed() && c.direction() == Connection.Direction.INBOUND) {
              upgrade(c)
                  .thenAccept(
                      r -> {
                        log.debug(
                            "hole punch with {}: {} ({})", c.remotePeer(), r.outcome(), r.detail());
                        listener.accept(c, r);
                      });
            }
          }
        });
  }

  /**
   * The initiator's side over {@code relayed} (a connection the peer opened to us): opens the
   * stream and hole-punches; never completes exceptionally (a failure to open the stream is {@link
   * DcutrOutcome#CLOSED}).
   */
  public CompletableFuture<DcutrResult> upgrade(Connection relayed) {
    return host.newStream(relayed, List.of(PROTOCOL))
        .thenCompose(
            s ->
                new DcutrStream(
                        host,
                        relayed,
                        s.stream(),
                        DcutrSession.initiator(
                            ownAddrs.get(), usable, timeoutNanos, System.nanoTime()),
                        alloc)
                    .start())
        .exceptionally(
            e ->
                new DcutrResult(
                    DcutrOutcome.CLOSED,
                    "no " + PROTOCOL + " stream: " + e.getMessage(),
                    java.util.Optional.empty(),
                    0,
                    -1,
                    List.of()));
  }

  /**
   * An /ip4 or /ip6 TCP address of a public IP, not a relay address: what a hole punch can dial.
   * Loopback, private (RFC 1918, ULA), link-local, CGNAT (100.64/10) and wildcard are not.
   */
  public static boolean publicTcp(Multiaddr a) {
    if (a.isCircuit()) {
      return false;
    }
    return a.tcpSocketAddress().map(s -> s.getAddress()).filter(ip -> !isNonPublic(ip)).isPresent();
  }

  private static boolean isNonPublic(InetAddress ip) {
    byte[] b = ip.getAddress();
    boolean cgnat = b.length == 4 && (b[0] & 0xff) == 100 && (b[1] & 0xc0) == 64;
    boolean ula = b.length == 16 && (b[0] & 0xfe) == 0xfc;
    return ip.isAnyLocalAddress()
        || ip.isLoopbackAddress()
        || ip.isSiteLocalAddress()
        || ip.isLinkLocalAddress()
        || ip.isMulticastAddress()
        || cgnat
        || ula;
  }
}
