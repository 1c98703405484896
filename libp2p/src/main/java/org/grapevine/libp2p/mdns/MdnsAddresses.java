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
   * The TCP listen addresses to announce: {@link #expandWildcards}, and loopback addresses dropped
   * when anything else is left (another host dialing our 127.0.0.1 reaches itself).
   *
   * @param interfaceAddrs the addresses of the interfaces mDNS runs on
   */
  public static List<Multiaddr> announceable(
      List<Multiaddr> listenAddrs, List<InetAddress> interfaceAddrs) {
    List<Multiaddr> all = expandWildcards(listenAddrs, interfaceAddrs);
    List<Multiaddr> nonLoopback = new ArrayList<>();
    for (Multiaddr a : all) {
      if (!a.tcpSocketAddress().orElseThrow().getAddress().isLoopbackAddress()) {
        nonLoopback.add(a);
      }
    }
    return nonLoopback.isEmpty() ? all : nonLoopback;
  }

  /**
   * The TCP listen addresses as others can dial them: a wildcard address (0.0.0.0, ::) becomes one
   * address per interface address of its family (of both for {@code ::}, which accepts IPv4 as well
   * on a dual-stack socket), loopback included. Order kept, duplicates removed, peer ids dropped.
   */
  public static List<Multiaddr> expandWildcards(
      List<Multiaddr> listenAddrs, List<InetAddress> interfaceAddrs) {
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
    return List.copyOf(out);
  }

  /**
   * The addresses of this host's interfaces that are up, without IPv6 link-local ones; empty if
   * they cannot be listed.
   */
  public static List<InetAddress> interfaceAddresses() {
    List<InetAddress> out = new ArrayList<>();
    try {
      for (java.net.NetworkInterface nic :
          java.util.Collections.list(java.net.NetworkInterface.getNetworkInterfaces())) {
        if (nic.isUp()) {
          java.util.Collections.list(nic.getInetAddresses()).stream()
              .filter(a -> !(a instanceof java.net.Inet6Address && a.isLinkLocalAddress()))
              .forEach(out::add);
        }
      }
    } catch (java.net.SocketException e) {
      // Interfaces cannot be listed: nothing to expand a wildcard to.
    }
    return out;
  }
}
