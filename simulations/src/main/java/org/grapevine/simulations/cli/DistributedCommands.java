package org.grapevine.simulations.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.grapevine.simulations.EngineKind;
import org.grapevine.simulations.SimulationRun;
import org.grapevine.simulations.distributed.Agent;
import org.grapevine.simulations.distributed.DistributedEngine;
import org.grapevine.simulations.scenario.Scenario;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code grapevine-sim coordinate} and {@code grapevine-sim agent}: the distributed real engine's
 * two sides when the agents run on other hosts (simulations/README.md, "Real nodes on many hosts").
 */
final class DistributedCommands {
  private DistributedCommands() {}

  @Command(
      name = "coordinate",
      mixinStandardHelpOptions = true,
      description = {
        "Runs a scenario on hosts.count agents started elsewhere (grapevine-sim agent) and writes",
        "its result folder. Exit 1 when an agent failed (the folder keeps what arrived)."
      })
  static final class Coordinate implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "<scenario>", description = "Scenario file.")
    Path scenario;

    @Option(names = "--seed", description = "Overrides the scenario's seed.")
    Long seed;

    @Option(names = "--out", description = "Result folder (default: results/<name>-<seed>).")
    Path out;

    @Option(names = "--port", defaultValue = "7400", description = "Port to listen on (7400).")
    int port;

    @Option(
        names = "--bind",
        defaultValue = "0.0.0.0",
        description = "Address to listen on (0.0.0.0).")
    String bind;

    @Option(
        names = "--join-timeout",
        defaultValue = "300",
        description = "Seconds to wait for every agent to connect (300).")
    int joinSeconds;

    @Option(
        names = "--kernel-netem",
        description = {
          "The network between the agents applies hosts.netem already (tc netem on their",
          "interfaces): the agents add no delay themselves."
        })
    boolean kernelNetem;

    @Override
    public Integer call() {
      PrintWriter err = spec.commandLine().getErr();
      Scenario s = GrapevineSim.load(scenario, err);
      if (s == null) {
        return 1;
      }
      if (seed != null) {
        s = s.withSeed(seed);
      }
      EngineKind kind = kernelNetem ? EngineKind.NETNS : EngineKind.AGENTS;
      if (!GrapevineSim.runnable(s, kind, err)) {
        return 1;
      }
      Path dir = out != null ? out : Path.of("results", s.name() + "-" + s.seed());
      try {
        ServerSocket server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(new InetSocketAddress(InetAddress.getByName(bind), port));
        SimulationRun.Outcome o =
            SimulationRun.runTo(
                s,
                in ->
                    DistributedEngine.coordinate(
                        in, server, kernelNetem, Duration.ofSeconds(joinSeconds)),
                dir,
                GrapevineSimProgress.stream());
        return GrapevineSim.runSummary(spec, err, o, dir);
      } catch (IOException e) {
        err.println(
            "grapevine-sim: the distributed run into " + dir + " failed: " + e.getMessage());
        return 1;
      }
    }
  }

  @Command(
      name = "agent",
      mixinStandardHelpOptions = true,
      description = {
        "Runs one agent of a distributed run: a share of the scenario's real nodes, as the",
        "coordinator says. Ends when the run ends (exit 0) or the coordinator is gone (exit 1)."
      })
  static final class AgentCommand implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(
        names = "--coordinator",
        required = true,
        paramLabel = "HOST:PORT",
        description = "Where the coordinator listens.")
    String coordinator;

    @Option(
        names = "--advertise",
        paramLabel = "ADDR",
        description =
            "Address the nodes listen on (default: the one the coordinator is reached from).")
    String advertise;

    @Option(
        names = "--number",
        defaultValue = "-1",
        description = "Agent number to ask for (default: the next free one).")
    int number;

    @Override
    public Integer call() {
      int colon = coordinator.lastIndexOf(':');
      int p;
      try {
        p = Integer.parseInt(coordinator.substring(colon + 1));
      } catch (NumberFormatException | IndexOutOfBoundsException e) {
        spec.commandLine()
            .getErr()
            .println("grapevine-sim: --coordinator wants HOST:PORT, not " + coordinator);
        return 2;
      }
      if (colon <= 0 || p <= 0 || p > 65535) {
        spec.commandLine()
            .getErr()
            .println("grapevine-sim: --coordinator wants HOST:PORT, not " + coordinator);
        return 2;
      }
      return Agent.run(coordinator.substring(0, colon), p, advertise, number, System.out);
    }
  }

  /** The progress stream, as the run command uses. */
  static final class GrapevineSimProgress {
    private GrapevineSimProgress() {}

    static java.io.PrintStream stream() {
      return new java.io.PrintStream(
          new java.io.FileOutputStream(java.io.FileDescriptor.err), true);
    }
  }
}
