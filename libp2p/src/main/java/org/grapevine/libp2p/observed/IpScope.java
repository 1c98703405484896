package org.grapevine.libp2p.observed;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.Arrays;

/**
 * Where an IP address can be reached from, and which network it belongs to: the two questions
 * behind "may this observation confirm a public address" ({@link ObservedAddrs}) and "may an
 * AutoNAT server dial it" (autonat-v2.md: "The Server SHOULD NOT dial any private address").
 *
 * <p>{@link #PUBLIC} is everything not listed below. The ranges follow RFC 6890 (special-purpose
 * registries): loopback, RFC 1918 and shared (CGNAT, RFC 6598) space, link-local, IPv6 ULA, and
 * reserved ones (unspecified, multicast, documentation, benchmarking, 240/4). Documentation ranges
 * count as reserved, so that an invite's example address is never taken as reachable.
 */
public enum IpScope {
  /** Routable on the internet. */
  PUBLIC,
  /** 127/8 and ::1: this machine only. */
  LOOPBACK,
  /** RFC 1918, RFC 6598 (100.64/10), link-local and IPv6 ULA (fc00::/7): one LAN or one ISP. */
  PRIVATE,
  /** Unspecified, multicast, documentation, benchmarking, reserved: nobody's address. */
  RESERVED;

  /** The scope of {@code ip}; an IPv4-mapped IPv6 address is judged as IPv4. */
  public static IpScope of(InetAddress ip) {
    if (ip.isLoopbackAddress()) {
      return LOOPBACK;
    }
    if (ip.isAnyLocalAddress() || ip.isMulticastAddress()) {
      return RESERVED;
    }
    if (ip.isLinkLocalAddress() || ip.isSiteLocalAddress()) {
      return PRIVATE;
    }
    byte[] b = ip.getAddress();
    return ip instanceof Inet4Address ? ofV4(b) : ofV6(b);
  }

  private static IpScope ofV4(byte[] b) {
    int a0 = b[0] & 0xff;
    int a1 = b[1] & 0xff;
    int a2 = b[2] & 0xff;
    if (a0 == 100 && a1 >= 64 && a1 < 128) {
      return PRIVATE; // RFC 6598 shared address space (carrier-grade NAT)
    }
    if (a0 == 0
        || a0 >= 240
        || (a0 == 192 && a1 == 0 && (a2 == 0 || a2 == 2))
        || (a0 == 198 && (a1 == 18 || a1 == 19))
        || (a0 == 198 && a1 == 51 && a2 == 100)
        || (a0 == 203 && a1 == 0 && a2 == 113)) {
      return RESERVED;
    }
    return PUBLIC;
  }

  private static IpScope ofV6(byte[] b) {
    int a0 = b[0] & 0xff;
    if ((a0 & 0xfe) == 0xfc) {
      return PRIVATE; // fc00::/7 unique local
    }
    if (a0 == 0x20 && (b[1] & 0xff) == 0x01 && (b[2] & 0xff) == 0x0d && (b[3] & 0xff) == 0xb8) {
      return RESERVED; // 2001:db8::/32 documentation
    }
    return (a0 & 0xe0) == 0x20 ? PUBLIC : RESERVED; // only 2000::/3 is globally routed unicast
  }

  /**
   * The network an address belongs to, for counting distinct observers: the IPv4 /16 or the IPv6
   * /48 (a typical site allocation), as bytes with the family in front. One operator holding many
   * addresses inside one group counts once.
   */
  public static String group(InetAddress ip) {
    byte[] b = ip.getAddress();
    byte[] prefix = Arrays.copyOf(b, b.length == 4 ? 2 : 6);
    StringBuilder s = new StringBuilder(b.length == 4 ? "4:" : "6:");
    for (byte x : prefix) {
      s.append(Character.forDigit((x >> 4) & 0xf, 16)).append(Character.forDigit(x & 0xf, 16));
    }
    return s.toString();
  }
}
