package org.grapevine.simulations.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.grapevine.simulations.SimulationRun;
import org.grapevine.simulations.scenario.Scenario;
import org.grapevine.simulations.scenario.ScenarioException;
import org.grapevine.simulations.scenario.ScenarioProblem;
import org.grapevine.simulations.scenario.ScenarioReader;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The {@code grapevine-sim} command: {@code run} a scenario, {@code validate} a scenario file.
 * Exit codes: 0 done, 1 the scenario or the run failed (said on stderr), 2 usage error.
 */
@Command(name = "grapevine-sim", mixinStandardHelpOptions = true, version = "grapevine-sim 0.1.0",
    subcommands = {GrapevineSim.Run.class, GrapevineSim.Validate.class, CommandLine.HelpCommand.class},
    description = {"Runs Grapevine simulations: the real GossipSub router and ingestion cores on a modelled network.",
        "Scenario keys and output files: simulations/README.md."})
public final class GrapevineSim implements Runnable {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(execute(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args));
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

  enum EngineKind { virtual, real }

  @Command(name = "run", mixinStandardHelpOptions = true, description = "Runs a scenario and writes its result folder.")
  static final class Run implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "<scenario>", description = "Scenario file (YAML or JSON).")
    Path scenario;

    @Option(names = "--engine", defaultValue = "virtual", description = "virtual (default) or real (not built yet).")
    EngineKind engine;

    @Option(names = "--seed", description = "Overrides the scenario's seed.")
    Long seed;

    @Option(names = "--out", description = "Result folder (default: results/<scenario name>-<seed>).")
    Path out;

    @Override
    public Integer call() {
      PrintWriter err = spec.commandLine().getErr();
      if (engine == EngineKind.real) {
        err.println("grapevine-sim: the real engine is not built yet; use --engine virtual");
        return 1;
      }
      Scenario s = load(scenario, err);
      if (s == null) {
        return 1;
      }
      if (seed != null) {
        s = s.withSeed(seed);
      }
      Path dir = out != null ? out : Path.of("results", s.name() + "-" + s.seed());
      try {
        java.io.PrintStream progress = new java.io.PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.err), true);
        SimulationRun.Outcome o = SimulationRun.runTo(s, dir, progress);
        var r = o.results();
        spec.commandLine().getOut().printf("%s: delivery %.4f, latency p50 %s ms p99 %s ms (flood bound p50 %s ms), %s%n",
            dir, r.path("delivery").path("ratio").asDouble(), r.path("latencyMs").path("p50").asText(),
            r.path("latencyMs").path("p99").asText(), r.path("floodLowerBoundMs").path("p50").asText(), o.speed());
        return 0;
      } catch (IOException e) {
        err.println("grapevine-sim: cannot write " + dir + ": " + e.getMessage());
        return 1;
      }
    }
  }

  @Command(name = "validate", mixinStandardHelpOptions = true, description = "Checks a scenario file and explains every error.")
  static final class Validate implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "<scenario>", description = "Scenario file (YAML or JSON).")
    Path scenario;

    @Override
    public Integer call() {
      Scenario s = load(scenario, spec.commandLine().getErr());
      if (s == null) {
        return 1;
      }
      spec.commandLine().getOut().println(scenario + ": ok (" + s.nodes().count() + " nodes, " + s.workload().posts()
          + " posts, " + s.durationNanos() / 1_000_000_000.0 + " s)");
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
      err.println(file + ": " + e.problems().size() + (e.problems().size() == 1 ? " problem" : " problems"));
      for (ScenarioProblem p : e.problems()) {
        err.println("  " + p);
      }
      return null;
    } catch (IOException e) {
      err.println("grapevine-sim: cannot read " + file + ": " + (e instanceof NoSuchFileException ? "no such file" : e.getMessage()));
      return null;
    }
  }
}
