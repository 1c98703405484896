package org.grapevine.node.discovery;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.grapevine.libp2p.MalformedFrameException;
import org.grapevine.libp2p.multiaddr.Multiaddr;
import org.grapevine.libp2p.multiaddr.MultiaddrFormatException;
import org.grapevine.libp2p.peer.PeerId;
import org.grapevine.protocol.identity.Identity;
import org.grapevine.protocol.identity.Invite;
import org.grapevine.protocol.identity.InviteFormatException;

/**
 * Between an {@link Invite} (opaque bytes) and libp2p: which of a node's addresses go into its
 * invite, and the dialable {@code /p2p} addresses an invite stands for.
 *
 * <p>Address policy: only concrete {@code /ip4|ip6/.../tcp/...} addresses (an unspecified {@code
 * 0.0.0.0} or {@code ::} is left out: the caller gives addresses with wildcards already expanded,
 * as {@code GET /v1/status} does), and circuit addresses through a relay at such an address ({@code
 * .../p2p/<relay>/p2p-circuit}). Ordered by how likely they work from another machine: public
 * addresses, then circuits through a public relay (a node behind NAT holds them), then private ones
 * (RFC 1918, IPv6 ULA, link-local), then loopback; loopback ones are kept only when nothing else is
 * left (they reach only this machine, so an invite with them works for a second node here and
 * nowhere else). At most {@link Invite#MAX_ADDRS}.
 */
public final class Invites {
  private Invites() {}

  /**
   * The invite to {@code identity} at {@code peer} listening on {@code addrs}.
   *
   * @throws IllegalArgumentException if no address is dialable from anywhere (none is TCP on a
   *     concrete IP)
   */
  public static Invite of(Identity identity, PeerId peer, List<Multiaddr> addrs) {
    List<Multiaddr> chosen = choose(addrs);
    if (chosen.isEmpty()) {
      throw new IllegalArgumentException(
          "the node has no TCP address on a concrete IP to put in an invite (listening on "
              + addrs
              + ")");
    }
    List<byte[]> bytes = new ArrayList<>();
    for (Multiaddr a : chosen) {
      bytes.add(a.encode());
    }
    return Invite.of(identity, peer.toBytes(), bytes);
  }

  /** The addresses an invite would carry, in its order (see the class comment). */
  public static List<Multiaddr> choose(List<Multiaddr> addrs) {
    Set<Multiaddr> concrete = new LinkedHashSet<>();
    for (Multiaddr a : addrs) {
      Multiaddr bare = a.withoutPeerId();
      Optional<InetAddress> ip = ipOf(bare);
      if (ip.isPresent()
          && !ip.get().isAnyLocalAddress()
          && bare.encode().length <= Invite.MAX_ADDR_BYTES) {
        concrete.add(bare);
      }
    }
    List<Multiaddr> sorted = new ArrayList<>(concrete);
    sorted.sort(Comparator.comparingInt(Invites::rank)); // Stable: the given order within a rank.
    boolean onlyLoopback = sorted.stream().allMatch(a -> rank(a) == LOOPBACK);
    List<Multiaddr> out = new ArrayList<>();
    for (Multiaddr a : sorted) {
      if ((onlyLoopback || rank(a) != LOOPBACK) && out.size() < Invite.MAX_ADDRS) {
        out.add(a);
      }
    }
    return List.copyOf(out);
  }

  /**
   * The addresses to dial for {@code invite}, each ending in {@code /p2p/<its peer id>}.
   *
   * @throws InviteFormatException if the checksum was right but the peer id or an address is not
   *     one libp2p reads (a bug or a newer version on the inviting side)
   */
  public static List<Multiaddr> dialAddrs(Invite invite) throws InviteFormatException {
    PeerId peer;
    try {
      peer = PeerId.fromBytes(invite.peerId());
    } catch (MalformedFrameException e) {
      throw new InviteFormatException(
          InviteFormatException.Problem.OUT_OF_BOUNDS,
          "its peer id is not a libp2p peer id (" + e.getMessage() + ")");
    }
    List<Multiaddr> out = new ArrayList<>();
    int i = 1;
    for (byte[] raw : invite.addrs()) {
      try {
        out.add(Multiaddr.decode(raw).withPeerId(peer));
      } catch (MultiaddrFormatException | IllegalArgumentException e) {
        throw new InviteFormatException(
            InviteFormatException.Problem.OUT_OF_BOUNDS,
            "its address " + i + " is not a multiaddr (" + e.getMessage() + ")");
      }
      i++;
    }
    return List.copyOf(out);
  }

  private static final int PUBLIC = 0;
  private static final int CIRCUIT = 1;
  private static final int PRIVATE = 2;
  private static final int LOOPBACK = 3;

  /**
   * The IP a TCP address is at, or for a circuit ({@code <relay tcp addr>/p2p/<relay>/p2p-circuit})
   * the relay's IP; empty for anything else.
   */
  private static Optional<InetAddress> ipOf(Multiaddr bare) {
    Optional<Multiaddr> direct =
        bare.isCircuit() ? bare.circuitRelay().map(Multiaddr::withoutPeerId) : Optional.of(bare);
    return direct.flatMap(Multiaddr::tcpSocketAddress).map(s -> s.getAddress());
  }

  /**
   * Whether others on the internet can reach {@code ip}: not loopback, private (RFC 1918, IPv6
   * ULA), link-local, carrier-grade NAT or a wildcard.
   */
  public static boolean isPublic(InetAddress ip) {
    return !ip.isAnyLocalAddress() && !ip.isMulticastAddress() && rank(ip) == PUBLIC;
  }

  private static int rank(Multiaddr a) {
    int r = rank(ipOf(a).orElseThrow());
    return a.isCircuit() && r == PUBLIC ? CIRCUIT : r;
  }

  private static int rank(InetAddress ip) {
    if (ip.isLoopbackAddress()) {
      return LOOPBACK;
    }
    boolean ula = ip instanceof Inet6Address && (ip.getAddress()[0] & 0xfe) == 0xfc;
    if (ip.isSiteLocalAddress() || ip.isLinkLocalAddress() || ula || cgnat(ip)) {
      return PRIVATE;
    }
    return PUBLIC;
  }

  /** 100.64.0.0/10, carrier-grade NAT (RFC 6598): not reachable from outside either. */
  private static boolean cgnat(InetAddress ip) {
    byte[] b = ip.getAddress();
    return b.length == 4 && (b[0] & 0xff) == 100 && (b[1] & 0xc0) == 64;
  }
}
