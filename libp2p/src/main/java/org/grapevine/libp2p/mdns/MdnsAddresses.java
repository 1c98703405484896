package org.grapevine.libp2p.mdns;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.grapevine.libp2p.multiaddr.Multiaddr;

/** Which of our listen addresses are worth announcing on a LAN. */
public final class MdnsAddresses {
  private MdnsAddresses() {}

  /**
   * The TCP listen addresses to announce: a wildcard address (0.0.0.0, ::) becomes one address per
   * interface address of its family (of both for {@code ::}, which
   * accepts IPv4 as well on a dual-stack socket), and loopback addresses are dropped when anything else is
   * left (another host dialing our 127.0.0.1 reaches itself). Order kept, duplicates removed.
   *
   * @param interfaceAddrs the addresses of the interfaces mDNS runs on
   */
  public static List<Multiaddr> announceable(List<Multiaddr> listenAddrs, List<InetAddress> interfaceAddrs) {
    Set<Multiaddr> out = new LinkedHashSet<>();
    for (Multiaddr listen : listenAddrs) {
      Optional<InetSocketAddress> tcp = listen.withoutPeerId().tcpSocketAddress();
      if (tcp.isEmpty()) {
        continue;
      }
      InetAddress ip = tcp.get().getAddress();
      if (!ip.isAnyLocalAddress()) {
        out.add(listen.withoutPeerId());
        continue;
      }
      for (InetAddress local : interfaceAddrs) {
        // "::" on a dual-stack socket accepts IPv4 too; "0.0.0.0" accepts IPv4 only.
        if (local.getClass() == ip.getClass() || ip instanceof java.net.Inet6Address) {
          out.add(Multiaddr.of(new InetSocketAddress(local, tcp.get().getPort())));
        }
      }
    }
    List<Multiaddr> nonLoopback = new ArrayList<>();
    for (Multiaddr a : out) {
      if (!a.tcpSocketAddress().orElseThrow().getAddress().isLoopbackAddress()) {
        nonLoopback.add(a);
      }
    }
    return nonLoopback.isEmpty() ? List.copyOf(out) : nonLoopback;
  }
}
