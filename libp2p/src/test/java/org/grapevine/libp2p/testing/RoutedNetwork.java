package org.grapevine.libp2p.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Networks joined by a router, made of network namespaces ({@code ip netns}, root and iproute2): a
 * router namespace with IP forwarding on, and one namespace per network, each joined to the router
 * by its own veth pair on its own /24 ({@code P.1} the router's side, {@code P.2} the network's
 * single host, default route via {@code P.1}); these have no NAT: every such host reaches every
 * other by its own address. {@link #natNetwork} adds a home network behind a NAT router. For the
 * cli's {@code DhtNetnsIT} and {@code NatQuickStartNetnsIT} and libp2p's {@code HolePunchNetnsIT}
 * (shared through this module's test-jar).
 *
 * <p>Call order: {@link #RoutedNetwork}, {@link #network} or {@link #natNetwork} for each network,
 * then {@link #close}, also after a failure part-way: it ends whatever still runs in the namespaces
 * and deletes them, and throws if one is left.
 */
public final class RoutedNetwork {
  private final String router;
  private final List<String> namespaces = new ArrayList<>();

  /** Creates the router namespace {@code router} (short: interface names derive from it). */
  public RoutedNetwork(String router) throws IOException, InterruptedException {
    this.router = router;
    namespace(router);
    forward(router);
  }

  /**
   * A network {@code prefix}.0/24 (e.g. {@code "10.213.2"}) with one host namespace, named the
   * router's name plus {@code name}; returns that namespace. Its host is {@code prefix.2}.
   */
  public String network(String name, String prefix) throws IOException, InterruptedException {
    String ns = namespace(router + name);
    link(router, "v" + name, prefix + ".1", ns, "eth0", prefix + ".2");
    NetNamespaces.ip("-n", ns, "route", "add", "default", "via", prefix + ".1");
    return ns;
  }

  /**
   * A home network behind NAT, as a person's router makes it: a home router namespace (the router's
   * name plus {@code name} plus {@code "gw"}) on the internet router's network {@code
   * wanPrefix}.0/24 ({@code wanPrefix.2}, its WAN address), and a LAN {@code lanPrefix}.0/24 whose
   * single host {@code lanPrefix.2} (returned namespace: the router's name plus {@code name}) goes
   * out through it. The home router forwards and masquerades (nftables: table {@code ip nat}, chain
   * {@code postrouting}, {@code masquerade} out of its WAN side) and forwards from the WAN side
   * only what belongs to connections the LAN opened; the internet router has no route to the LAN.
   * Like most home routers it drops, without an answer, what arrives on its WAN side for no known
   * connection, even for its own address (no RST): a hole punch's SYN that comes before the other
   * side's has opened the way is lost and sent again by TCP, not refused. So the host reaches every
   * other network, and nobody reaches the host. The nft tables live in the home router's namespace
   * and go with it. Needs {@code nft} (nftables).
   */
  public String natNetwork(String name, String wanPrefix, String lanPrefix)
      throws IOException, InterruptedException {
    return natNetwork(name, wanPrefix, lanPrefix, false);
  }

  /**
   * {@link #natNetwork(String, String, String)}, and with {@code symmetric} a NAT that maps every
   * new connection to a random public port ({@code masquerade random}): what a peer observes of one
   * connection says nothing of the next one's port, as with a symmetric NAT (endpoint-dependent
   * mapping, RFC 4787), which defeats hole punching. Without it, Linux keeps the source port where
   * it is free (endpoint-independent mapping, as most home routers).
   */
  public String natNetwork(String name, String wanPrefix, String lanPrefix, boolean symmetric)
      throws IOException, InterruptedException {
    String gw = namespace(router + name + "gw");
    forward(gw);
    link(router, "v" + name, wanPrefix + ".1", gw, "wan", wanPrefix + ".2");
    NetNamespaces.ip("-n", gw, "route", "add", "default", "via", wanPrefix + ".1");
    String ns = namespace(router + name);
    link(gw, "lan", lanPrefix + ".1", ns, "eth0", lanPrefix + ".2");
    NetNamespaces.ip("-n", ns, "route", "add", "default", "via", lanPrefix + ".1");
    nft(
        gw,
        """
        table ip nat {
          chain postrouting {
            type nat hook postrouting priority srcnat; policy accept;
            oifname "wan" masquerade%s
          }
        }
        table ip filter {
          chain input {
            type filter hook input priority filter; policy accept;
            iifname "wan" ct state new drop
          }
          chain forward {
            type filter hook forward priority filter; policy drop;
            ct state established,related accept
            iifname "lan" oifname "wan" accept
          }
        }
        """
            .formatted(symmetric ? " random" : ""));
    return ns;
  }

  /**
   * A cable straight between two host namespaces, around their routers: a veth pair on {@code
   * prefix}.0/24 ({@code prefix.1} in {@code nsA}, {@code prefix.2} in {@code nsB}), no NAT, no
   * route beyond it. For a connection that stands in for a relayed one (a hole punch's
   * coordination) while the hole punch itself goes through the routers.
   */
  public void sideLink(String nsA, String nsB, String prefix)
      throws IOException, InterruptedException {
    link(nsA, "side", prefix + ".1", nsB, "side", prefix + ".2");
  }

  /** A new namespace with its loopback up, remembered for {@link #close}. */
  private String namespace(String ns) throws IOException, InterruptedException {
    NetNamespaces.ip("netns", "add", ns);
    namespaces.add(ns);
    NetNamespaces.ip("-n", ns, "link", "set", "lo", "up");
    return ns;
  }

  /** A veth pair {@code ifA} in {@code nsA} ({@code addrA}/24) to {@code ifB} in {@code nsB}. */
  private static void link(
      String nsA, String ifA, String addrA, String nsB, String ifB, String addrB)
      throws IOException, InterruptedException {
    NetNamespaces.ip(
        "-n", nsA, "link", "add", ifA, "type", "veth", "peer", "name", ifB, "netns", nsB);
    NetNamespaces.ip("-n", nsA, "addr", "add", addrA + "/24", "dev", ifA);
    NetNamespaces.ip("-n", nsA, "link", "set", ifA, "up");
    NetNamespaces.ip("-n", nsB, "addr", "add", addrB + "/24", "dev", ifB);
    NetNamespaces.ip("-n", nsB, "link", "set", ifB, "up");
  }

  /** IP forwarding on in {@code ns}: a new namespace starts with it off. */
  private static void forward(String ns) throws IOException, InterruptedException {
    // /proc/sys/net is the namespace's own, as seen from a process inside it.
    run("ip", "netns", "exec", ns, "sh", "-c", "echo 1 > /proc/sys/net/ipv4/ip_forward");
  }

  /** Loads an nftables ruleset into namespace {@code ns} ({@code nft -f -}). */
  private static void nft(String ns, String ruleset) throws IOException, InterruptedException {
    Process p =
        new ProcessBuilder("ip", "netns", "exec", ns, "nft", "-f", "-")
            .redirectErrorStream(true)
            .start();
    try (var in = p.getOutputStream()) {
      in.write(ruleset.getBytes(StandardCharsets.UTF_8));
    }
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
      p.destroyForcibly();
      throw new IOException(
          "nft -f - in " + ns + " failed: " + new String(out, StandardCharsets.UTF_8));
    }
  }

  /**
   * Ends every process still in one of the namespaces (the test stops its own first; this catches
   * what escaped it), deletes the namespaces (their veths go with them), and checks none is left.
   */
  public void close() throws IOException, InterruptedException {
    List<String> left = new ArrayList<>();
    for (int i = namespaces.size() - 1; i >= 0; i--) {
      String ns = namespaces.get(i);
      for (String pid : run("ip", "netns", "pids", ns).lines().toList()) {
        if (!pid.isBlank()) {
          ProcessHandle.of(Long.parseLong(pid.strip()))
              .ifPresent(
                  p -> {
                    p.destroyForcibly();
                    p.onExit().orTimeout(10, TimeUnit.SECONDS).exceptionally(t -> p).join();
                  });
        }
      }
      NetNamespaces.run(List.of("ip", "netns", "del", ns));
    }
    String list = run("ip", "netns", "list");
    for (String ns : namespaces) {
      for (String line : list.lines().toList()) {
        if (line.split(" ", -1)[0].equals(ns)) {
          left.add(ns);
        }
      }
    }
    if (!left.isEmpty()) {
      throw new IOException("network namespaces left behind: " + left);
    }
  }

  /** Runs a command; its stdout. Throws when it fails or takes over 10 s. */
  private static String run(String... cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    p.getOutputStream().close();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
      p.destroyForcibly();
      throw new IOException(
          String.join(" ", cmd) + " failed: " + new String(out, StandardCharsets.UTF_8));
    }
    return new String(out, StandardCharsets.UTF_8);
  }
}
