package org.grapevine.libp2p.host;

import io.netty.buffer.ByteBufAllocator;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.grapevine.libp2p.identify.IdentifyInfo;
import org.grapevine.libp2p.identify.IdentifyProtocol;
import org.grapevine.libp2p.identify.IdentifyResult;
import org.grapevine.libp2p.multiaddr.Multiaddr;
import org.grapevine.libp2p.multiaddr.MultiaddrFormatException;
import org.grapevine.libp2p.mux.MuxedStream;
import org.grapevine.libp2p.observed.ObservedAddrs;
import org.grapevine.libp2p.observed.ObservedAddrsConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link Host}'s side of identify (libp2p/specs identify/README.md): answers {@code
 * /ipfs/id/1.0.0}, asks every new connection, takes pushes, pushes ours when our protocols change,
 * and puts what peers say into the peer store and the listeners' hands. Each answer's observed
 * address (our address as that peer sees it) goes into an {@link ObservedAddrs}, which confirms it
 * only once enough observer networks agree. Thread-safe, as the host.
 */
// Terminal whenComplete callbacks handle both outcomes themselves: the futures they return carry
// nothing left to act on (as in Host).
@SuppressWarnings("FutureReturnValueIgnored")
final class HostIdentify {
  private static final Logger log = LoggerFactory.getLogger(HostIdentify.class);

  private final Host host;

  /** Guarded by itself: identify results arrive on every connection's loop. */
  private final ObservedAddrs observed;

  HostIdentify(Host host, ObservedAddrsConfig config) {
    this.host = host;
    this.observed = new ObservedAddrs(config);
  }

  /** Confirmed public observed addresses ({@link Host#observedAddrs}). */
  List<Multiaddr> observedAddrs() {
    synchronized (observed) {
      return observed.confirmed(host.config().nanoClock().getAsLong());
    }
  }

  /** Unconfirmed public observed addresses, most observer networks first. */
  List<Multiaddr> observedCandidates() {
    Map<Multiaddr, Integer> seen;
    synchronized (observed) {
      seen = observed.unconfirmed(host.config().nanoClock().getAsLong());
    }
    List<Multiaddr> out = new ArrayList<>(seen.keySet());
    out.sort(Comparator.comparing((Multiaddr a) -> seen.get(a)).reversed());
    return out;
  }

  /** Loopback and private observed addresses ({@link Host#lanObservedAddrs}). */
  List<Multiaddr> lanObservedAddrs() {
    synchronized (observed) {
      return observed.lanAddrs(host.config().nanoClock().getAsLong());
    }
  }

  /** Serves {@link IdentifyProtocol#ID}: our current info. */
  void respond(MuxedStream stream, Connection conn) {
    IdentifyProtocol.respond(stream, info(), conn.remoteAddr().encode(), ByteBufAllocator.DEFAULT);
  }

  /** Serves {@link IdentifyProtocol#PUSH_ID}: the peer's info changed. */
  void onPush(MuxedStream stream, Connection conn) {
    IdentifyProtocol.read(stream, conn.remotePeer(), host.peerId(), ByteBufAllocator.DEFAULT)
        .whenComplete(
            (r, e) -> {
              if (r != null) {
                identified(conn, r);
              }
            });
  }

  /** Asks a new connection's peer who it is; a failure is logged and otherwise ignored. */
  void request(Connection connection) {
    host.newStream(connection, List.of(IdentifyProtocol.ID))
        .thenCompose(
            ns ->
                IdentifyProtocol.read(
                    ns.stream(), connection.remotePeer(), host.peerId(), ByteBufAllocator.DEFAULT))
        .orTimeout(host.config().identifyTimeout().toMillis(), TimeUnit.MILLISECONDS)
        .whenComplete(
            (r, e) -> {
              if (e != null) {
                log.debug("identify of {} failed: {}", connection, Failures.describe(e));
              } else {
                connection.channel().eventLoop().execute(() -> identified(connection, r));
              }
            });
  }

  /** Tells every connected peer our new info (after a protocol handler was added or removed). */
  void pushToAll() {
    for (Connection c : host.connections()) {
      host.newStream(c, List.of(IdentifyProtocol.PUSH_ID))
          .whenComplete(
              (ns, e) -> {
                if (ns != null) {
                  IdentifyProtocol.push(
                      ns.stream(), info(), c.remoteAddr().encode(), ByteBufAllocator.DEFAULT);
                }
              });
    }
  }

  private void identified(Connection connection, IdentifyResult result) {
    connection.identified(result);
    List<String> addrs = new ArrayList<>();
    for (byte[] raw : result.listenAddrs()) {
      try {
        addrs.add(Multiaddr.decode(raw).toString());
      } catch (MultiaddrFormatException e) {
        log.debug(
            "{} advertised an address we do not understand: {}",
            connection.remotePeer(),
            e.getMessage());
      }
    }
    host.peerStore().addAddrs(connection.remotePeer(), addrs);
    // Over a relayed connection the peer sees the circuit, not us: what it reports is the relay's
    // address (and so is the connection's remote address), which says nothing of our NAT.
    if (result.observedAddr().length > 0 && !connection.isRelayed()) {
      try {
        Multiaddr ours = Multiaddr.decode(result.observedAddr());
        synchronized (observed) {
          observed.setListenAddrs(host.listenAddrs());
          observed.handleObservation(
              connection.remoteAddr(),
              connection.localAddr(),
              ours,
              host.config().nanoClock().getAsLong());
        }
      } catch (MultiaddrFormatException e) {
        log.debug(
            "{} observed us at an address we do not understand: {}",
            connection.remotePeer(),
            e.getMessage());
      }
    }
    host.identified(connection, result);
  }

  private IdentifyInfo info() {
    List<byte[]> addrs = new ArrayList<>();
    for (Multiaddr a : host.advertisedAddrs()) {
      addrs.add(a.encode());
    }
    HostConfig config = host.config();
    return new IdentifyInfo(
        IdentifyProtocol.PROTOCOL_VERSION,
        config.agentVersion(),
        config.identity().publicKey(),
        addrs,
        host.protocols());
  }
}
