package org.grapevine.libp2p.mdns;

import java.util.ArrayList;
import java.util.List;

/** Which network interfaces mDNS runs on. */
public final class MdnsInterfaces {
  private MdnsInterfaces() {}

  /**
   * What the choice needs to know of one interface.
   *
   * @param handle the interface itself (a {@code NetworkInterface} in the driver)
   */
  public record Candidate<T>(
      T handle, boolean up, boolean multicast, boolean loopback, boolean hasIpv4) {}

  /**
   * The up, multicast-capable interfaces with an IPv4 address that are not loopback; if there are
   * none, the loopback ones that qualify. Loopback is a fallback, not an addition: on a LAN, peers
   * are reached through the LAN interface (multicast loopback lets processes on the same host hear
   * each other there too), while a machine without a network, or a network namespace with only
   * {@code lo} and multicast switched on ({@code ip link set lo multicast on}), has nothing else on
   * which two nodes of one machine could find each other. Order kept.
   */
  public static <T> List<T> choose(List<Candidate<T>> candidates) {
    List<T> lan = new ArrayList<>();
    List<T> loopback = new ArrayList<>();
    for (Candidate<T> c : candidates) {
      if (c.up() && c.multicast() && c.hasIpv4()) {
        (c.loopback() ? loopback : lan).add(c.handle());
      }
    }
    return lan.isEmpty() ? loopback : lan;
  }
}
