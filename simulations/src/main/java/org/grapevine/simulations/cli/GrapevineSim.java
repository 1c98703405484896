package org.grapevine.simulations.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.grapevine.simulations.EngineKind;
import org.grapevine.simulations.SimulationRun;
import org.grapevine.simulations.real.RealEngine;
import org.grapevine.simulations.report.RunReport;
import org.grapevine.simulations.report.SweepReport;
import org.grapevine.simulations.scenario.Scenario;
import org.grapevine.simulations.scenario.ScenarioException;
import org.grapevine.simulations.scenario.ScenarioProblem;
import org.grapevine.simulations.scenario.ScenarioReader;
import org.grapevine.simulations.sweep.SweepGrid;
import org.grapevine.simulations.sweep.SweepRun;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The {@code grapevine-sim} command: {@code run} a scenario, {@code sweep} a grid of parameters,
 * {@code validate} a scenario file. Exit codes: 0 done, 1 the scenario or the run failed (said on
 * stderr), 2 usage error.
 */
@Command(
    name = "grapevine-sim",
    mixinStandardHelpOptions = true,
    version = "grapevine-sim 0.1.0",
    subcommands = {
      GrapevineSim.Run.class,
      GrapevineSim.Sweep.class,
      GrapevineSim.Validate.class,
      DhtLookups.class,
      DistributedCommands.Coordinate.class,
      DistributedCommands.AgentCommand.class,
      SweepPointCommands.SweepPoint.class,
      SweepPointCommands.SweepMerge.class,
      K8sCommands.class,
      CommandLine.HelpCommand.class
    },
    description = {
      "Runs Grapevine simulations: the real GossipSub router and ingestion cores on a modelled"
          + " network",
      "(--engine virtual), or real nodes on loopback with injected latency (--engine real).",
      "Scenario keys and output files: simulations/README.md."
    })
public final class GrapevineSim implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    // The console's own charset, as the terminal reading it expects.
    java.nio.charset.Charset console = java.nio.charset.Charset.defaultCharset();
    System.exit(
        execute(
            new PrintWriter(new java.io.OutputStreamWriter(System.out, console), true),
            new PrintWriter(new java.io.OutputStreamWriter(System.err, console), true),
            args));
  }

  public static int execute(PrintWriter out, PrintWriter err, String... args) {
    CommandLine cli = new CommandLine(new GrapevineSim());
    cli.setOut(out);
    cli.setErr(err);
    return cli.execute(args);
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** The engine names on the command line. */
  enum EngineName {
    virtual(EngineKind.VIRTUAL),
    real(EngineKind.REAL),
    agents(EngineKind.AGENTS),
    netns(EngineKind.NETNS),
    /** The distributed engine on a Kubernetes cluster (run only); no engine runs in this JVM. */
    k8s(null);

    /** The engine in this JVM; null for k8s. */
    final EngineKind kind;

    EngineName(EngineKind kind) {
      this.kind = kind;
    }
  }

  @Command(
      name = "run",
      mixinStandardHelpOptions = true,
      description = "Runs a scenario and writes its result folder.")
  static final class Run implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Parameters(
        index = "0",
        paramLabel = "<scenario>",
        description = "Scenario file (YAML or JSON).")
    Path scenario;

    @Option(
        names = "--engine",
        defaultValue = "virtual",
        description = {
          "virtual (default), real (real nodes on loopback), agents (real nodes in hosts.count",
          "agent processes here), netns (each agent in a network namespace; root), or k8s (the",
          "distributed engine on a Kubernetes cluster: the kubeconfig as kubectl finds it; see k8s",
          "render)."
        })
    EngineName engine;

    @Option(names = "--seed", description = "Overrides the scenario's seed.")
    Long seed;

    @Option(
        names = "--out",
        description = "Result folder (default: results/<scenario name>-<seed>).")
    Path out;

    @CommandLine.Mixin K8sCommands.Where where;

    @Option(
        names = "--keep",
        description = "k8s: keep the run's objects on the cluster after the run.")
    boolean keep;

    @Option(
        names = "--timeout",
        defaultValue = "2h",
        description = "k8s: how long to wait for the coordinator's Job (default 2h; e.g. 30m).")
    String timeout;

    @Override
    public Integer call() {
      PrintWriter err = spec.commandLine().getErr();
      Scenario s = load(scenario, err);
      if (s == null || !runnable(s, engine.kind, err)) {
        return 1;
      }
      if (seed != null) {
        s = s.withSeed(seed);
      }
      if (engine == EngineName.k8s) {
        return K8sRunCommand.run(s, where, timeout, keep, spec.commandLine().getOut(), err);
      }
      Path dir = out != null ? out : Path.of("results", s.name() + "-" + s.seed());
      try {
        SimulationRun.Outcome o = SimulationRun.runTo(s, engine.kind, dir, progress());
        return runSummary(spec, err, o, dir);
      } catch (IOException e) {
        err.println("grapevine-sim: the run into " + dir + " failed: " + e.getMessage());
        return 1;
      }
    }
  }

  @Command(
      name = "sweep",
      mixinStandardHelpOptions = true,
      description = {
        "Runs a scenario once per point of a grid of parameter values and writes one table and a"
            + " chart per parameter.",
        "Example: grapevine-sim sweep scenarios/small.yaml --param D=4,6,8,12 --param"
            + " nodes.count=50,100"
      })
  static final class Sweep implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Parameters(
        index = "0",
        paramLabel = "<scenario>",
        description = "Base scenario file (YAML or JSON).")
    Path scenario;

    @Option(
        names = "--param",
        required = true,
        paramLabel = "key=v1,v2,...",
        description = {
          "A swept parameter: a scenario path (protocol.gossip.d, nodes.count, latency.oneWay, ...)"
              + " and its values.",
          "D, D_lo, D_hi, D_lazy stand for protocol.gossip.d, dLo, dHi, dLazy. Repeat for a grid."
        })
    List<String> params;

    @Option(
        names = "--engine",
        defaultValue = "virtual",
        description = "virtual (default) or real.")
    EngineName engine;

    @Option(names = "--seed", description = "Overrides the scenario's seed at every point.")
    Long seed;

    @Option(names = "--out", description = "Sweep folder (default: results/<scenario name>-sweep).")
    Path out;

    @Option(
        names = "--workers",
        defaultValue = "1",
        description = {
          "Points run at once, each in its own worker JVM (default 1: one after another in this JVM).",
          "Worker output: DIR/logs/<point>.log."
        })
    int workers;

    @Option(
        names = "--worker-java-opts",
        defaultValue = "",
        paramLabel = "OPTS",
        description = "JVM options of each worker, e.g. \"-Xmx2g\" (split at spaces).")
    String workerJavaOpts;

    @Override
    public Integer call() {
      PrintWriter err = spec.commandLine().getErr();
      if (engine.kind == null) {
        err.println(
            "grapevine-sim: a sweep on Kubernetes is an Indexed Job: grapevine-sim k8s render-sweep");
        return 2;
      }
      if (workers < 1 || workers > org.grapevine.simulations.sweep.WorkerPool.MAX_WORKERS) {
        err.println(
            "grapevine-sim: --workers "
                + workers
                + ": between 1 and "
                + org.grapevine.simulations.sweep.WorkerPool.MAX_WORKERS);
        return 2;
      }
      List<SweepGrid.Param> parsed;
      try {
        parsed = SweepGrid.parseParams(params);
      } catch (IllegalArgumentException e) {
        err.println("grapevine-sim: " + e.getMessage());
        return 2;
      }
      SweepGrid grid;
      org.grapevine.simulations.sweep.SweepSpec sweepSpec;
      try {
        if (!Files.isRegularFile(scenario)) {
          throw new NoSuchFileException(scenario.toString());
        }
        String text = Files.readString(scenario);
        if (seed != null) {
          parsed = new java.util.ArrayList<>(parsed);
          parsed.add(new SweepGrid.Param("seed", "seed", List.of(String.valueOf(seed))));
        }
        sweepSpec =
            new org.grapevine.simulations.sweep.SweepSpec(scenario.toString(), text, parsed);
        grid = sweepSpec.grid();
      } catch (ScenarioException e) {
        err.println(e.getMessage());
        return 1;
      } catch (IOException e) {
        err.println(
            "grapevine-sim: cannot read "
                + scenario
                + ": "
                + (e instanceof NoSuchFileException ? "no such file" : e.getMessage()));
        return 1;
      }
      for (SweepGrid.Point p : grid.points()) {
        if (!runnable(p.scenario(), engine.kind, err)) {
          return 1;
        }
      }
      Path dir =
          out != null ? out : Path.of("results", grid.points().get(0).scenario().name() + "-sweep");
      try {
        List<SweepRun.Row> rows =
            workers == 1
                ? SweepRun.run(grid, engine.kind, dir, progress())
                : org.grapevine.simulations.sweep.WorkerPool.run(
                    sweepSpec,
                    grid,
                    engine.kind,
                    dir,
                    workers,
                    org.grapevine.simulations.sweep.WorkerPool.Launcher.current(
                        workerJavaOpts.isBlank()
                            ? List.of()
                            : List.of(workerJavaOpts.trim().split("\\s+"))),
                    progress());
        sweepSummary(spec, dir, rows.size());
        return 0;
      } catch (IOException e) {
        err.println("grapevine-sim: the sweep into " + dir + " failed: " + e.getMessage());
        return 1;
      }
    }
  }

  /**
   * A finished run's one-line summary and report link, or why it did not complete (exit 1: an agent
   * failed and the folder holds what arrived); the exit code. Shared by {@code run} and {@code
   * coordinate}.
   */
  static int runSummary(
      CommandLine.Model.CommandSpec spec, PrintWriter err, SimulationRun.Outcome o, Path dir) {
    var r = o.results();
    if (!r.path("complete").asBoolean(true)) {
      err.println(
          "grapevine-sim: the run did not complete: "
              + r.path("failure").asText()
              + "; partial results in "
              + dir);
      return 1;
    }
    spec.commandLine()
        .getOut()
        .printf(
            "%s: delivery %.4f, latency p50 %s ms p99 %s ms (flood bound p50 %s ms), %s%n",
            dir,
            r.path("delivery").path("ratio").asDouble(),
            r.path("latencyMs").path("p50").asText(),
            r.path("latencyMs").path("p99").asText(),
            r.path("floodLowerBoundMs").path("p50").asText(),
            o.speed());
    spec.commandLine()
        .getOut()
        .println("report: " + dir.resolve(RunReport.FILE).toAbsolutePath().toUri());
    return 0;
  }

  /** A written sweep's one-line summary: points, table and report. */
  static void sweepSummary(CommandLine.Model.CommandSpec spec, Path dir, int points) {
    spec.commandLine()
        .getOut()
        .println(
            dir
                + ": "
                + points
                + " points; table "
                + dir.resolve(SweepRun.CSV)
                + ", report "
                + dir.resolve(SweepReport.FILE).toAbsolutePath().toUri());
  }

  static java.io.PrintStream progress() {
    return new java.io.PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.err), true);
  }

  /** Whether the engine can run the scenario; if not, says why on {@code err}. */
  static boolean runnable(Scenario s, EngineKind engine, PrintWriter err) {
    if (engine == EngineKind.VIRTUAL) {
      return true;
    }
    List<String> problems =
        engine == EngineKind.REAL
            ? RealEngine.unsupported(s)
            : org.grapevine.simulations.distributed.DistributedEngine.unsupported(s, engine);
    for (String p : problems) {
      err.println("grapevine-sim: " + p);
    }
    return problems.isEmpty();
  }

  @Command(
      name = "validate",
      mixinStandardHelpOptions = true,
      description = "Checks a scenario file and explains every error.")
  static final class Validate implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Parameters(
        index = "0",
        paramLabel = "<scenario>",
        description = "Scenario file (YAML or JSON).")
    Path scenario;

    @Override
    public Integer call() {
      Scenario s = load(scenario, spec.commandLine().getErr());
      if (s == null) {
        return 1;
      }
      spec.commandLine()
          .getOut()
          .println(
              scenario
                  + ": ok ("
                  + s.nodes().count()
                  + " nodes, "
                  + s.workload().posts()
                  + " posts, "
                  + s.durationNanos() / 1_000_000_000.0
                  + " s)");
      return 0;
    }
  }

  /** The scenario, or null after explaining on {@code err} why it cannot be used. */
  static Scenario load(Path file, PrintWriter err) {
    try {
      if (!Files.isRegularFile(file)) {
        throw new NoSuchFileException(file.toString());
      }
      return ScenarioReader.read(file);
    } catch (ScenarioException e) {
      err.println(
          file
              + ": "
              + e.problems().size()
              + (e.problems().size() == 1 ? " problem" : " problems"));
      for (ScenarioProblem p : e.problems()) {
        err.println("  " + p);
      }
      return null;
    } catch (IOException e) {
      err.println(
          "grapevine-sim: cannot read "
              + file
              + ": "
              + (e instanceof NoSuchFileException ? "no such file" : e.getMessage()));
      return null;
    }
  }
}
