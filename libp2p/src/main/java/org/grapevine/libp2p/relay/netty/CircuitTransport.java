package org.grapevine.libp2p.relay.netty;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.grapevine.libp2p.MalformedFrameException;
import org.grapevine.libp2p.host.CircuitDialer;
import org.grapevine.libp2p.host.Connection;
import org.grapevine.libp2p.host.DialException;
import org.grapevine.libp2p.host.Host;
import org.grapevine.libp2p.multiaddr.Multiaddr;
import org.grapevine.libp2p.multiaddr.MultiaddrComponent;
import org.grapevine.libp2p.multiaddr.MultiaddrProtocol;
import org.grapevine.libp2p.peer.PeerId;
import org.grapevine.libp2p.relay.HopMessage;
import org.grapevine.libp2p.relay.RelayCodec;
import org.grapevine.libp2p.relay.RelayLimit;
import org.grapevine.libp2p.relay.RelayPeer;
import org.grapevine.libp2p.relay.RelayStatus;

/**
 * Dials {@code <relay addr>/p2p/<relay>/p2p-circuit/p2p/<target>} (circuit-v2.md "Connection
 * initiation"): reaches the relay directly, sends hop CONNECT, and on OK upgrades the hop stream
 * with {@link Host#upgradeRelayed} into a {@link Connection} with {@code isRelayed()} true.
 * Installed on a host with {@link #install}; then {@link Host#dial} takes circuit addresses.
 *
 * <p>A refusal fails the dial with a {@link DialException} whose cause is a {@link
 * CircuitRefusedException} carrying the relay's status. A relay reached only through another relay
 * is not used (no circuits over circuits, as the spec advises).
 */
// Terminal whenComplete callbacks handle both outcomes themselves.
@SuppressWarnings("FutureReturnValueIgnored")
public final class CircuitTransport implements CircuitDialer {
  private final Host host;

  private CircuitTransport(Host host) {
    this.host = host;
  }

  /** Lets {@code host} dial circuit addresses. */
  public static CircuitTransport install(Host host) {
    CircuitTransport t = new CircuitTransport(host);
    host.setCircuitDialer(t);
    return t;
  }

  /** A circuit address's relay part (ending in /p2p/relay) and target. */
  record Parts(Multiaddr relayAddr, PeerId relay, PeerId target) {}

  static Optional<Parts> parse(Multiaddr addr) {
    List<MultiaddrComponent> cs = addr.components();
    int at = -1;
    for (int i = 0; i < cs.size(); i++) {
      if (cs.get(i).protocol() == MultiaddrProtocol.P2P_CIRCUIT) {
        at = i;
        break;
      }
    }
    if (at < 1 || at != cs.size() - 2 || cs.get(at + 1).protocol() != MultiaddrProtocol.P2P) {
      return Optional.empty();
    }
    try {
      Multiaddr relayAddr = Multiaddr.of(new ArrayList<>(cs.subList(0, at)));
      Multiaddr target = Multiaddr.of(List.of(cs.get(at + 1)));
      if (relayAddr.peerId().isEmpty()
          || relayAddr.components().get(at - 1).protocol() != MultiaddrProtocol.P2P) {
        return Optional.empty();
      }
      return Optional.of(
          new Parts(relayAddr, relayAddr.peerId().get(), target.peerId().orElseThrow()));
    } catch (MalformedFrameException e) {
      return Optional.empty();
    }
  }

  @Override
  public CompletableFuture<Connection> dial(Multiaddr addr) {
    Optional<Parts> parts = parse(addr);
    if (parts.isEmpty()) {
      return CompletableFuture.failedFuture(
          new DialException(
              "dial "
                  + addr
                  + ": a circuit address is <relay addr>/p2p/<relay>/p2p-circuit/p2p/<target>"));
    }
    Parts p = parts.get();
    CompletableFuture<Connection> result = new CompletableFuture<>();
    host.dial(p.relayAddr())
        .thenCompose(
            relay -> {
              if (relay.isRelayed()) {
                throw new IllegalStateException("the relay is reachable only through a relay");
              }
              return host.newStream(relay, List.of(RelayProtocols.HOP));
            })
        .thenCompose(
            ns -> {
              RelayStream rs = new RelayStream(ns.stream());
              rs.send(RelayCodec.encode(HopMessage.connect(RelayPeer.of(p.target()))));
              return rs.readMessage(RelayProtocols.STREAM_TIMEOUT)
                  .thenCompose(body -> connected(addr, p, rs, body));
            })
        .whenComplete(
            (c, e) -> {
              if (e == null) {
                result.complete(c);
              } else {
                Throwable cause = RelayProtocols.unwrap(e);
                result.completeExceptionally(
                    cause instanceof DialException
                        ? cause
                        : new DialException(
                            "dial " + addr + ": " + RelayProtocols.describe(cause), cause));
              }
            });
    return result;
  }

  private CompletableFuture<Connection> connected(
      Multiaddr addr, Parts p, RelayStream rs, byte[] body) {
    HopMessage answer;
    try {
      answer = RelayCodec.decodeHop(body);
    } catch (MalformedFrameException e) {
      rs.reset();
      return CompletableFuture.failedFuture(e);
    }
    RelayStatus status = answer.status().orElse(null);
    if (answer.type() != HopMessage.Type.STATUS || status != RelayStatus.OK) {
      rs.reset();
      return CompletableFuture.failedFuture(
          new DialException(
              "dial " + addr + ": relay " + p.relay() + " refused: " + status,
              new CircuitRefusedException(
                  status == null ? RelayStatus.UNEXPECTED_MESSAGE : status,
                  "relay refused: " + status)));
    }
    return host.upgradeRelayed(
        rs,
        Connection.Direction.OUTBOUND,
        Optional.of(p.target()),
        RelayProtocols.circuitAddr(p.relayAddr().withoutPeerId(), p.relay()),
        answer.limit().orElse(RelayLimit.NONE));
  }
}
