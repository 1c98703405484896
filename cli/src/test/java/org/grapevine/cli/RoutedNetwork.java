package org.grapevine.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.grapevine.libp2p.testing.NetNamespaces;

/**
 * Networks joined by a router, made of network namespaces ({@code ip netns}, root and iproute2): a
 * router namespace with IP forwarding on, and one namespace per network, each joined to the router
 * by its own veth pair on its own /24 ({@code P.1} the router's side, {@code P.2} the network's
 * single host, default route via {@code P.1}). No NAT: every host reaches every other by its own
 * address. For {@link DhtNetnsIT}.
 *
 * <p>Call order: {@link #RoutedNetwork}, {@link #network} for each network, then {@link #close},
 * also after a failure part-way: it ends whatever still runs in the namespaces and deletes them,
 * and throws if one is left.
 */
final class RoutedNetwork {
  private final String router;
  private final List<String> namespaces = new ArrayList<>();

  /** Creates the router namespace {@code router} (short: interface names derive from it). */
  RoutedNetwork(String router) throws IOException, InterruptedException {
    this.router = router;
    NetNamespaces.ip("netns", "add", router);
    namespaces.add(router);
    NetNamespaces.ip("-n", router, "link", "set", "lo", "up");
    // A new namespace starts with forwarding off; /proc/sys/net is the caller's namespace's.
    run("ip", "netns", "exec", router, "sh", "-c", "echo 1 > /proc/sys/net/ipv4/ip_forward");
  }

  /**
   * A network {@code prefix}.0/24 (e.g. {@code "10.213.2"}) with one host namespace, named the
   * router's name plus {@code name}; returns that namespace. Its host is {@code prefix.2}.
   */
  String network(String name, String prefix) throws IOException, InterruptedException {
    String ns = router + name;
    NetNamespaces.ip("netns", "add", ns);
    namespaces.add(ns);
    String routerSide = "v" + name;
    NetNamespaces.ip("-n", ns, "link", "set", "lo", "up");
    NetNamespaces.ip(
        "-n",
        router,
        "link",
        "add",
        routerSide,
        "type",
        "veth",
        "peer",
        "name",
        "eth0",
        "netns",
        ns);
    NetNamespaces.ip("-n", router, "addr", "add", prefix + ".1/24", "dev", routerSide);
    NetNamespaces.ip("-n", router, "link", "set", routerSide, "up");
    NetNamespaces.ip("-n", ns, "addr", "add", prefix + ".2/24", "dev", "eth0");
    NetNamespaces.ip("-n", ns, "link", "set", "eth0", "up");
    NetNamespaces.ip("-n", ns, "route", "add", "default", "via", prefix + ".1");
    return ns;
  }

  /**
   * Ends every process still in one of the namespaces (the test stops its own first; this catches
   * what escaped it), deletes the namespaces (their veths go with them), and checks none is left.
   */
  void close() throws IOException, InterruptedException {
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
