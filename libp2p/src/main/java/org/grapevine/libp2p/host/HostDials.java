package org.grapevine.libp2p.host;

import io.netty.channel.ChannelFuture;
import java.net.InetSocketAddress;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.grapevine.libp2p.multiaddr.Multiaddr;
import org.grapevine.libp2p.multiaddr.MultiaddrProtocol;
import org.grapevine.libp2p.peer.PeerId;

/**
 * The {@link Host}'s outbound connections, out of it: {@link Host#dial} (direct, or through the
 * circuit dialer) and {@link Host#dialHolePunch}, both through one connect-and-upgrade path. Their
 * rules are in the host's Javadoc.
 */
// Terminal listeners complete the result themselves (as in Host).
@SuppressWarnings("FutureReturnValueIgnored")
final class HostDials {
  private final Host host;

  HostDials(Host host) {
    this.host = host;
  }

  CompletableFuture<Connection> dial(Multiaddr addr) {
    if (host.isClosed()) {
      return CompletableFuture.failedFuture(new DialException("host is closed"));
    }
    Optional<PeerId> expected = addr.peerId();
    if (expected.isPresent() && expected.get().equals(host.peerId())) {
      return CompletableFuture.failedFuture(
          new DialException("dial " + addr + ": that is this host's own peer ID"));
    }
    boolean circuit =
        addr.components().stream().anyMatch(c -> c.protocol() == MultiaddrProtocol.P2P_CIRCUIT);
    if (expected.isPresent()) {
      // A direct address asks for a direct connection: a relayed one is not reused for it (the
      // caller may be upgrading from the relay); a circuit address takes any connection.
      for (Connection c : host.connections(expected.get())) {
        if (circuit || !c.isRelayed()) {
          return CompletableFuture.completedFuture(c);
        }
      }
    }
    if (circuit) {
      CircuitDialer dialer = host.circuitDialer();
      if (dialer == null || expected.isEmpty()) {
        return CompletableFuture.failedFuture(
            new DialException(
                "dial "
                    + addr
                    + (dialer == null
                        ? ": no circuit relay client on this host"
                        : ": a circuit address must end in /p2p/<target>")));
      }
      return dialer.dial(addr);
    }
    Optional<InetSocketAddress> target = addr.tcpSocketAddress();
    if (target.isEmpty()) {
      return CompletableFuture.failedFuture(
          new DialException(
              "dial " + addr + ": only /ip4 or /ip6 addresses with /tcp can be dialed"));
    }
    return connectAndUpgrade(
        "dial", addr, Optional.empty(), target.get(), Connection.Direction.OUTBOUND, expected);
  }

  /**
   * Opens a TCP connection to {@code target} (from {@code from}, if given) and upgrades it with us
   * in the {@code role}'s part; a failure to connect says {@code what} was tried.
   */
  private CompletableFuture<Connection> connectAndUpgrade(
      String what,
      Multiaddr addr,
      Optional<InetSocketAddress> from,
      InetSocketAddress target,
      Connection.Direction role,
      Optional<PeerId> expected) {
    CompletableFuture<Connection> result = new CompletableFuture<>();
    host.upgradeStarted();
    HostSockets.connect(
            host.eventLoops(),
            Host.allocator(),
            host.config().dialTimeout(),
            from,
            target,
            ch -> {
              host.config().channelHook().initChannel(ch, Connection.Direction.OUTBOUND, target);
              new ConnectionUpgrader(host, role, expected, addr, result).install(ch);
            })
        .addListener(
            (ChannelFuture f) -> {
              if (!f.isSuccess()) {
                host.upgradeFailed();
                result.completeExceptionally(
                    new DialException(
                        what + " " + addr + ": " + Failures.describe(f.cause()), f.cause()));
              }
            });
    return result;
  }

  CompletableFuture<Connection> dialHolePunch(Multiaddr addr, boolean initiator) {
    if (host.isClosed()) {
      return CompletableFuture.failedFuture(new DialException("host is closed"));
    }
    if (!HostSockets.REUSE_PORT) {
      return CompletableFuture.failedFuture(
          new DialException("hole punch " + addr + ": this JVM or OS has no SO_REUSEPORT"));
    }
    Optional<InetSocketAddress> target = addr.tcpSocketAddress();
    Optional<InetSocketAddress> local =
        target.flatMap(
            t ->
                host.listenSockets().stream()
                    .filter(
                        l ->
                            l.getAddress().getClass() == t.getAddress().getClass()
                                || l.getAddress().isAnyLocalAddress())
                    .findFirst());
    if (target.isEmpty() || local.isEmpty()) {
      return CompletableFuture.failedFuture(
          new DialException(
              "hole punch "
                  + addr
                  + ": needs an /ip4 or /ip6 /tcp address and a listening port of that family"));
    }
    return connectAndUpgrade(
        "hole punch",
        addr,
        local,
        target.get(),
        initiator ? Connection.Direction.OUTBOUND : Connection.Direction.INBOUND,
        addr.peerId());
  }
}
