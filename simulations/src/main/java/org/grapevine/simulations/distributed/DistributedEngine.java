package org.grapevine.simulations.distributed;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.grapevine.simulations.EngineKind;
import org.grapevine.simulations.SimulationEngine;
import org.grapevine.simulations.SimulationRun;
import org.grapevine.simulations.metrics.RunData;
import org.grapevine.simulations.real.RealEngine;
import org.grapevine.simulations.scenario.Scenario;

/**
 * The distributed real engine as a {@link SimulationEngine}: a {@link Coordinator} in this JVM and
 * its agents, either started here as child processes ({@link #local}: {@code --engine agents}) or
 * started elsewhere and connecting to the given server socket ({@link #coordinate}: {@code
 * grapevine-sim coordinate}, e.g. on Kubernetes).
 *
 * <p>Its results carry a {@code hosts} object (agents, nodes each, clock offsets and their
 * uncertainty, the netem settings and how the delay was applied), and {@code complete: false} with
 * {@code failedAgents} when an agent failed during the run: the folder is still written with what
 * arrived.
 */
public final class DistributedEngine implements SimulationEngine {
  /** How long an agent may stay silent (it sends a heartbeat every second). */
  static final Duration HEARTBEAT = Duration.ofSeconds(5);

  static final Duration SETUP = Duration.ofMinutes(10);

  private final SimulationRun.Inputs in;
  private final ServerSocket server;
  private final Coordinator.Options options;
  private final Launcher launcher;
  private final PrintStream log;
  private Coordinator coordinator;

  /** Starts the agents once the coordinator listens; closing it ends them. */
  @FunctionalInterface
  interface Launcher {
    AutoCloseable launch(String coordinator) throws IOException;
  }

  private DistributedEngine(
      SimulationRun.Inputs in,
      ServerSocket server,
      Coordinator.Options options,
      Launcher launcher,
      PrintStream log) {
    this.in = in;
    this.server = server;
    this.options = options;
    this.launcher = launcher;
    this.log = log;
  }

  /** What of the scenario the distributed engine cannot run here, said for its author. */
  public static List<String> unsupported(Scenario s, EngineKind kind) {
    List<String> out = new ArrayList<>();
    for (String p : RealEngine.unsupported(s)) {
      if (!p.startsWith("nodes.count")) { // The nodes are spread over the agents.
        out.add(p);
      }
    }
    Scenario.Netem netem = s.hosts().netem();
    if (kind == EngineKind.AGENTS && netem.loss() > 0) {
      out.add(
          "hosts.netem.loss: the agents engine delays in user space and cannot lose packets;"
              + " use --engine netns on a kernel with netem");
    }
    if (kind == EngineKind.AGENTS && netem.rateMbps() > 0) {
      out.add("hosts.netem.rateMbps: the agents engine on loopback cannot limit rates; use netns");
    }
    if (s.nodes().count() / s.hosts().count() > 2000) {
      out.add("nodes.count: more than 2000 real nodes per agent; raise hosts.count");
    }
    return out;
  }

  /**
   * {@code --engine agents}: the coordinator on 127.0.0.1 and {@code hosts.count} agent processes
   * on this machine, logs in {@code out/agents} (a temporary folder without {@code out}).
   */
  public static DistributedEngine local(SimulationRun.Inputs in, EngineKind kind, Path out)
      throws IOException {
    if (kind == EngineKind.NETNS) {
      return NetnsHosts.engine(in, out);
    }
    Scenario s = in.scenario();
    ServerSocket server = new ServerSocket();
    server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    Path logs =
        out != null ? out.resolve("agents") : Files.createTempDirectory("grapevine-agents-");
    Scenario.Netem netem = s.hosts().netem();
    Coordinator.Options options =
        new Coordinator.Options(
            Duration.ofMinutes(2),
            SETUP,
            HEARTBEAT,
            netem.delayNanos(),
            netem.jitterNanos(),
            netem.delayNanos() > 0 || netem.jitterNanos() > 0
                ? "user space: at the dialling side of each connection between agents, both"
                    + " directions"
                : "none",
            kind.label());
    int heap = Math.max(256, s.hosts().memoryMiB() * 3 / 4);
    return new DistributedEngine(
        in,
        server,
        options,
        coordinator ->
            AgentProcesses.start(
                s.hosts().count(), coordinator, logs, heap, i -> List.of(), i -> null),
        System.err);
  }

  static DistributedEngine withLauncher(
      SimulationRun.Inputs in,
      ServerSocket server,
      Coordinator.Options options,
      Launcher launcher) {
    return new DistributedEngine(in, server, options, launcher, System.err);
  }

  /**
   * {@code grapevine-sim coordinate}: waits on {@code server} for agents started elsewhere.
   *
   * @param kernelDelay whether the network between the agents applies the hosts' netem (then the
   *     agents add nothing), or the agents add its delay in user space
   */
  public static DistributedEngine coordinate(
      SimulationRun.Inputs in, ServerSocket server, boolean kernelDelay, Duration joinTimeout) {
    Scenario.Netem netem = in.scenario().hosts().netem();
    boolean any = netem.delayNanos() > 0 || netem.jitterNanos() > 0;
    Coordinator.Options options =
        new Coordinator.Options(
            joinTimeout,
            SETUP,
            HEARTBEAT,
            kernelDelay ? 0 : netem.delayNanos(),
            kernelDelay ? 0 : netem.jitterNanos(),
            !any
                ? "none"
                : kernelDelay
                    ? "kernel netem on the agents' interfaces (applied outside grapevine-sim)"
                    : "user space: at the dialling side of each connection between agents, both"
                        + " directions",
            "distributed");
    return new DistributedEngine(in, server, options, c -> () -> {}, System.err);
  }

  @Override
  public RunData run(Progress progress, Runnable clockStarted) throws IOException {
    String address = server.getInetAddress().getHostAddress() + ":" + server.getLocalPort();
    log.println(
        "coordinator: listening on "
            + address
            + " for "
            + in.scenario().hosts().count()
            + " agents");
    try (server;
        Coordinator c = new Coordinator(in, server, options, log)) {
      coordinator = c;
      AutoCloseable agents = launcher.launch(address);
      try {
        RunData data = c.run(progress, clockStarted);
        if (!c.complete()) {
          log.println("coordinator: " + c.failureText());
        }
        return data;
      } finally {
        try {
          agents.close();
        } catch (Exception e) {
          log.println("coordinator: ending the agents failed: " + e);
        }
      }
    }
  }

  /** Whether every agent ran to the end (after {@link #run}). */
  public boolean complete() {
    return coordinator != null && coordinator.complete();
  }

  /** What failed, one clause per agent; empty when nothing did. */
  public String failureText() {
    return coordinator == null ? "" : coordinator.failureText();
  }

  @Override
  public void annotate(ObjectNode results) {
    if (coordinator == null) {
      return;
    }
    ObjectNode hosts = coordinator.hostsJson();
    results.put("complete", coordinator.complete());
    results.set("failedAgents", hosts.get("failedAgents"));
    if (!coordinator.complete()) {
      results.put("failure", coordinator.failureText());
    }
    results.set("hosts", hosts);
  }
}
