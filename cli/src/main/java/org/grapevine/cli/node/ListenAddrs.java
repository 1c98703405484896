package org.grapevine.cli.node;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.grapevine.libp2p.multiaddr.Multiaddr;

/**
 * Listen addresses as a person can use them: a wildcard ({@code /ip4/0.0.0.0}, {@code /ip6/::})
 * cannot be dialled from another machine, so it is shown as loopback first, then each address of
 * the interfaces that are up. A socket bound to 0.0.0.0 may report itself as {@code ::} (the JDK
 * opens dual-stack sockets), so the configured host decides which family is shown.
 */
final class ListenAddrs {
  private ListenAddrs() {}

  /** @param configuredHost the host the node was asked to listen on */
  static List<String> concrete(Multiaddr listen, String configuredHost) {
    String text = listen.toString();
    boolean wild4 = text.startsWith("/ip4/0.0.0.0/");
    boolean wild6 = text.startsWith("/ip6/::/");
    if (!wild4 && !wild6) {
      return List.of(text);
    }
    String rest = text.substring(wild4 ? "/ip4/0.0.0.0".length() : "/ip6/::".length());
    boolean v4 = wild4 || configuredHost.equals("0.0.0.0");
    boolean v6 = !v4;
    List<String> out = new ArrayList<>();
    out.add(v4 ? "/ip4/127.0.0.1" + rest : "/ip6/::1" + rest);
    try {
      for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
        if (!nic.isUp() || nic.isLoopback()) {
          continue;
        }
        for (InetAddress a : Collections.list(nic.getInetAddresses())) {
          if (v4 && a instanceof Inet4Address) {
            out.add("/ip4/" + a.getHostAddress() + rest);
          } else if (v6 && a instanceof Inet6Address && !a.isLinkLocalAddress()) {
            String h = a.getHostAddress();
            out.add("/ip6/" + (h.contains("%") ? h.substring(0, h.indexOf('%')) : h) + rest);
          }
        }
      }
    } catch (SocketException e) {
      // Interfaces cannot be listed: loopback alone is still true.
    }
    return out;
  }
}
