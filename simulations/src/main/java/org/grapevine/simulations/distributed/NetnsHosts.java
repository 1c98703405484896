package org.grapevine.simulations.distributed;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.grapevine.simulations.EngineKind;
import org.grapevine.simulations.SimulationRun;
import org.grapevine.simulations.scenario.Scenario;

/**
 * {@code --engine netns}: each agent in its own network namespace (root and iproute2 needed), wired
 * by a veth pair to a bridge in this (the root) namespace, addresses in one {@code /24} of
 * 198.18.0.0/15 (the benchmarking range, routed nowhere) picked from this process's id: the
 * coordinator listens on the bridge's {@code .1}, agent {@code i} on {@code .(i+2)}. Every name
 * carries the process id, so parallel runs do not collide; everything (processes first, then
 * namespaces and the bridge) is removed at the end, on failure, and by a shutdown hook.
 *
 * <p>The hosts' netem applies on each agent's interface, egress: by the kernel ({@code tc qdisc ...
 * netem}) where it has netem; otherwise the rate with {@code tbf} in the kernel and the delay in
 * user space by the agents (see {@link org.grapevine.simulations.real.RealCluster.Share}), and a
 * loss cannot be applied at all: refused.
 */
final class NetnsHosts implements AutoCloseable {
  private static final int MAX_AGENTS = 250;

  private final String tag;
  private final int agents;
  private final String subnet;
  private final List<String> namespaces = new ArrayList<>();
  private final String bridge;
  private final Thread hook = new Thread(this::removeQuietly, "netns-hosts-cleanup");
  private boolean bridgeMade;

  private NetnsHosts(int agents) {
    long pid = ProcessHandle.current().pid();
    this.tag = "gvs" + pid;
    this.agents = agents;
    // One /24 of 198.18.0.0/15 (512 of them) by process id; a clash with a live run shows as an
    // `ip addr add` error naming the address.
    int slot = (int) (pid % 512);
    this.subnet = "198." + (18 + slot / 256) + "." + (slot % 256);
    this.bridge = tag + "b";
  }

  String coordinatorAddress() {
    return subnet + ".1";
  }

  String agentAddress(int i) {
    return subnet + "." + (i + 2);
  }

  String namespace(int i) {
    return tag + "a" + i;
  }

  /**
   * The engine: builds the namespaces now (to probe netem), the agents once the coordinator
   * listens.
   */
  static DistributedEngine engine(SimulationRun.Inputs in, Path out) throws IOException {
    Scenario s = in.scenario();
    int count = s.hosts().count();
    if (count > MAX_AGENTS) {
      throw new IOException(
          "hosts.count " + count + ": --engine netns makes at most " + MAX_AGENTS + " namespaces");
    }
    NetnsHosts net = new NetnsHosts(count);
    try {
      net.create();
      Scenario.Netem netem = s.hosts().netem();
      boolean kernelNetem = net.hasNetem();
      String applied;
      long delay = 0;
      long jitter = 0;
      if (!netem.active() && netem.jitterNanos() == 0) {
        applied = "none";
      } else if (kernelNetem) {
        for (int i = 0; i < count; i++) {
          List<String> args =
              new ArrayList<>(List.of("tc", "qdisc", "add", "dev", "eth0", "root", "netem"));
          args.addAll(netem.tcArgs());
          net.inNs(i, args);
        }
        applied =
            "kernel netem on each agent's interface (egress): " + String.join(" ", netem.tcArgs());
      } else {
        if (netem.loss() > 0) {
          throw new IOException(
              "hosts.netem.loss "
                  + netem.loss()
                  + ": this kernel has no netem (CONFIG_NET_SCH_NETEM), so no loss can be applied;"
                  + " set loss to 0 or run on a kernel with sch_netem");
        }
        delay = netem.delayNanos();
        jitter = netem.jitterNanos();
        List<String> parts = new ArrayList<>();
        if (delay > 0 || jitter > 0) {
          parts.add(
              "delay in user space at the dialling side of each connection between agents, both"
                  + " directions (the kernel has no netem)");
        }
        if (netem.rateMbps() > 0) {
          long kbit = Math.round(netem.rateMbps() * 1000);
          for (int i = 0; i < count; i++) {
            net.inNs(
                i,
                List.of(
                    "tc",
                    "qdisc",
                    "add",
                    "dev",
                    "eth0",
                    "root",
                    "tbf",
                    "rate",
                    kbit + "kbit",
                    "burst",
                    Math.max(32, kbit / 100) + "kbit",
                    "latency",
                    "400ms"));
          }
          parts.add("rate with kernel tbf on each agent's interface (egress)");
        }
        applied = String.join("; ", parts);
      }
      ServerSocket server = new ServerSocket();
      server.bind(new InetSocketAddress(InetAddress.getByName(net.coordinatorAddress()), 0));
      Path logs =
          out != null ? out.resolve("agents") : Files.createTempDirectory("grapevine-agents-");
      Coordinator.Options options =
          new Coordinator.Options(
              Duration.ofMinutes(2),
              DistributedEngine.SETUP,
              DistributedEngine.HEARTBEAT,
              delay,
              jitter,
              applied,
              EngineKind.NETNS.label());
      int heap = Math.max(256, s.hosts().memoryMiB() * 3 / 4);
      return DistributedEngine.withLauncher(
          in,
          server,
          options,
          coordinator -> {
            AgentProcesses p;
            try {
              p =
                  AgentProcesses.start(
                      count,
                      coordinator,
                      logs,
                      heap,
                      i -> List.of("ip", "netns", "exec", net.namespace(i)),
                      net::agentAddress);
            } catch (IOException | RuntimeException e) {
              net.close();
              throw e;
            }
            return () -> {
              try {
                p.close();
              } finally {
                net.close();
              }
            };
          });
    } catch (IOException | RuntimeException e) {
      net.close();
      throw e;
    }
  }

  /** The bridge, and one namespace per agent with its veth on the bridge. */
  private void create() throws IOException {
    Runtime.getRuntime().addShutdownHook(hook);
    ip("link", "add", bridge, "type", "bridge");
    bridgeMade = true;
    ip("addr", "add", coordinatorAddress() + "/24", "dev", bridge);
    ip("link", "set", bridge, "up");
    for (int i = 0; i < agents; i++) {
      String ns = namespace(i);
      ip("netns", "add", ns);
      namespaces.add(ns);
      String outside = tag + "x" + i;
      String inside = tag + "y" + i;
      ip("link", "add", outside, "type", "veth", "peer", "name", inside);
      ip("link", "set", outside, "master", bridge);
      ip("link", "set", outside, "up");
      ip("link", "set", inside, "netns", ns);
      inNs(i, List.of("ip", "link", "set", inside, "name", "eth0"));
      inNs(i, List.of("ip", "addr", "add", agentAddress(i) + "/24", "dev", "eth0"));
      inNs(i, List.of("ip", "link", "set", "eth0", "up"));
      inNs(i, List.of("ip", "link", "set", "lo", "up"));
    }
  }

  /** Whether the kernel has netem: tried on agent 0's interface, and removed again. */
  private boolean hasNetem() throws IOException {
    String[] r =
        run(
            List.of(
                "ip",
                "netns",
                "exec",
                namespace(0),
                "tc",
                "qdisc",
                "add",
                "dev",
                "eth0",
                "root",
                "netem",
                "delay",
                "1ms"));
    if (!r[0].equals("0")) {
      return false;
    }
    inNs(0, List.of("tc", "qdisc", "del", "dev", "eth0", "root"));
    return true;
  }

  private void inNs(int agent, List<String> cmd) throws IOException {
    List<String> all = new ArrayList<>(List.of("ip", "netns", "exec", namespace(agent)));
    all.addAll(cmd);
    check(all);
  }

  private static void ip(String... args) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add("ip");
    cmd.addAll(List.of(args));
    check(cmd);
  }

  private static void check(List<String> cmd) throws IOException {
    String[] r = run(cmd);
    if (!r[0].equals("0")) {
      throw new IOException(
          "--engine netns: `"
              + String.join(" ", cmd)
              + "` failed ("
              + r[0]
              + "): "
              + r[1].strip()
              + " (needs root and iproute2)");
    }
  }

  /** Exit code (or "timeout") and output of a command that must end within 10 s. */
  private static String[] run(List<String> cmd) throws IOException {
    Process p;
    try {
      p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    } catch (IOException e) {
      throw new IOException("--engine netns: cannot run " + cmd.get(0) + ": " + e.getMessage(), e);
    }
    try {
      byte[] out = p.getInputStream().readNBytes(64 << 10);
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return new String[] {"timeout", new String(out, StandardCharsets.UTF_8)};
      }
      return new String[] {String.valueOf(p.exitValue()), new String(out, StandardCharsets.UTF_8)};
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      p.destroyForcibly();
      throw new IOException("interrupted", e);
    }
  }

  /** Removes the namespaces (their veth ends with them) and the bridge; says what it could not. */
  @Override
  public synchronized void close() {
    removeQuietly();
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // Shutting down: the hook runs anyway (and finds nothing left).
    }
  }

  private synchronized void removeQuietly() {
    for (String ns : namespaces) {
      try {
        String[] r = run(List.of("ip", "netns", "del", ns));
        if (!r[0].equals("0")) {
          System.err.println(
              "grapevine-sim: could not remove namespace " + ns + ": " + r[1].strip());
        }
      } catch (IOException e) {
        System.err.println(
            "grapevine-sim: could not remove namespace " + ns + ": " + e.getMessage());
      }
    }
    namespaces.clear();
    for (int i = 0; i < agents; i++) { // A veth not yet moved into its namespace.
      try {
        run(List.of("ip", "link", "del", tag + "x" + i));
      } catch (IOException e) {
        // Gone with its namespace, or never made.
      }
    }
    if (bridgeMade) {
      try {
        run(List.of("ip", "link", "del", bridge));
      } catch (IOException e) {
        System.err.println(
            "grapevine-sim: could not remove bridge " + bridge + ": " + e.getMessage());
      }
      bridgeMade = false;
    }
  }
}
