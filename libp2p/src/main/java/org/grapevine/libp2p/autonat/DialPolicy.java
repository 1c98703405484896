package org.grapevine.libp2p.autonat;

import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.util.Optional;
import org.grapevine.libp2p.MalformedFrameException;
import org.grapevine.libp2p.multiaddr.Multiaddr;
import org.grapevine.libp2p.observed.IpScope;
import org.grapevine.libp2p.peer.PeerId;

/**
 * Which addresses an AutoNAT server is willing to dial back, shared by v1 and v2:
 *
 * <ol>
 *   <li>it decodes, and is {@code /ip4|ip6/.../tcp/port} with at most the requester's own {@code
 *       /p2p} after it (we speak TCP only; an address naming another peer is not the requester's);
 *   <li>the port is not 0;
 *   <li>the IP is public (autonat-v2.md: "The Server SHOULD NOT dial any private address"), unless
 *       the test-only {@link AutonatServerConfig#allowPrivateAddrs}; reserved ranges never;
 *   <li>the family is one this server has ({@link AutonatServerConfig#dialIpv4}, {@code dialIpv6}),
 *       as the spec's implementation suggestions ask.
 * </ol>
 */
final class DialPolicy {
  private DialPolicy() {}

  /** The address to dial (without {@code /p2p}), or empty if the server refuses it. */
  static Optional<Multiaddr> accept(byte[] raw, PeerId requester, AutonatServerConfig config) {
    Multiaddr addr;
    try {
      addr = Multiaddr.decode(raw);
    } catch (MalformedFrameException e) {
      return Optional.empty();
    }
    return accept(addr, requester, config);
  }

  static Optional<Multiaddr> accept(Multiaddr addr, PeerId requester, AutonatServerConfig config) {
    if (addr.peerId().isPresent() && !addr.peerId().get().equals(requester)) {
      return Optional.empty();
    }
    Optional<InetSocketAddress> tcp = addr.tcpSocketAddress();
    if (tcp.isEmpty() || tcp.get().getPort() == 0) {
      return Optional.empty();
    }
    IpScope scope = IpScope.of(tcp.get().getAddress());
    boolean scopeOk =
        scope == IpScope.PUBLIC
            || (config.allowPrivateAddrs()
                && (scope == IpScope.LOOPBACK || scope == IpScope.PRIVATE));
    boolean v4 = tcp.get().getAddress() instanceof Inet4Address;
    boolean familyOk = v4 ? config.dialIpv4() : config.dialIpv6();
    return scopeOk && familyOk ? Optional.of(addr.withoutPeerId()) : Optional.empty();
  }

  /** Whether {@code addr}'s IP is the one the requester connected from. */
  static boolean sameIp(Multiaddr addr, Multiaddr observed) {
    Optional<InetSocketAddress> a = addr.tcpSocketAddress();
    Optional<InetSocketAddress> o = observed.tcpSocketAddress();
    return a.isPresent() && o.isPresent() && a.get().getAddress().equals(o.get().getAddress());
  }
}
