package org.grapevine.simulations.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.Callable;
import org.grapevine.simulations.scenario.ScenarioException;
import org.grapevine.simulations.sweep.SweepGrid;
import org.grapevine.simulations.sweep.SweepRun;
import org.grapevine.simulations.sweep.SweepSpec;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The commands of sweeps run elsewhere: {@code sweep-point} runs one point of a sweep spec (a
 * worker process of {@code sweep --workers N}, or a pod of the Indexed Job of {@code k8s
 * render-sweep}), {@code sweep-merge} makes the table from a sweep folder whose points were run
 * that way.
 */
final class SweepPointCommands {
  private SweepPointCommands() {}

  @Command(
      name = "sweep-point",
      hidden = true,
      mixinStandardHelpOptions = true,
      description = {
        "Runs one point of a sweep into DIR/points/<point>/ (what a sweep's worker process or pod runs).",
        "The point is --index, by default the Indexed Job's JOB_COMPLETION_INDEX."
      })
  static final class SweepPoint implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--spec", required = true, description = "The sweep's sweep-spec.json.")
    Path specFile;

    @Option(
        names = "--index",
        defaultValue = "${env:JOB_COMPLETION_INDEX}",
        description = "The point, from 0 in grid order (default: $JOB_COMPLETION_INDEX).")
    Integer index;

    @Option(names = "--engine", defaultValue = "virtual", description = "virtual or real.")
    GrapevineSim.EngineName engine;

    @Option(names = "--out", required = true, description = "The sweep folder.")
    Path out;

    @Override
    public Integer call() {
      PrintWriter err = spec.commandLine().getErr();
      if (engine.kind == null) {
        err.println("grapevine-sim: sweep-point runs a point here: --engine virtual or real");
        return 2;
      }
      if (index == null) {
        err.println("grapevine-sim: sweep-point needs --index (or JOB_COMPLETION_INDEX)");
        return 2;
      }
      SweepGrid grid;
      SweepSpec sweep;
      try {
        sweep = SweepSpec.read(specFile);
        grid = sweep.grid();
      } catch (ScenarioException e) {
        err.println(e.getMessage());
        return 1;
      } catch (IOException e) {
        err.println("grapevine-sim: the sweep spec " + specFile + ": " + e.getMessage());
        return 1;
      }
      if (index < 0 || index >= grid.points().size()) {
        err.println(
            "grapevine-sim: --index "
                + index
                + ": the sweep has points 0 to "
                + (grid.points().size() - 1));
        return 2;
      }
      SweepGrid.Point p = grid.points().get(index);
      if (!GrapevineSim.runnable(p.scenario(), engine.kind, err)) {
        return 1;
      }
      try {
        copySpec(sweep, out);
        SweepRun.runPoint(grid, p, engine.kind, out, GrapevineSim.progress());
        spec.commandLine()
            .getOut()
            .println(
                "point "
                    + index
                    + " ("
                    + p.label(grid.params())
                    + ") done: "
                    + SweepRun.pointDir(grid, p, out));
        return 0;
      } catch (IOException e) {
        err.println(
            "grapevine-sim: point "
                + index
                + " ("
                + p.label(grid.params())
                + ") into "
                + out
                + " failed: "
                + e.getMessage());
        return 1;
      }
    }

    /** The spec beside the points (for sweep-merge); written whole or not at all. */
    private static void copySpec(SweepSpec sweep, Path out) throws IOException {
      Files.createDirectories(out);
      Path target = out.resolve(SweepSpec.FILE);
      if (Files.isRegularFile(target)) {
        return;
      }
      Path tmp = Files.createTempFile(out, ".sweep-spec", ".tmp");
      Files.writeString(tmp, sweep.toText(), StandardCharsets.UTF_8);
      Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
  }

  @Command(
      name = "sweep-merge",
      mixinStandardHelpOptions = true,
      description = {
        "Writes sweep.csv, sweep.json and sweep.html of a sweep folder whose points ran elsewhere",
        "(pods of k8s render-sweep, copied out), from DIR/sweep-spec.json and DIR/points/."
      })
  static final class SweepMerge implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "<dir>", description = "The sweep folder.")
    Path dir;

    @Option(
        names = "--engine",
        defaultValue = "virtual",
        description = "The engine the points ran on (recorded in sweep.json).")
    GrapevineSim.EngineName engine;

    @Override
    public Integer call() {
      PrintWriter err = spec.commandLine().getErr();
      if (engine.kind == null) {
        err.println("grapevine-sim: sweep-merge --engine: virtual or real");
        return 2;
      }
      try {
        SweepGrid grid = SweepSpec.read(dir.resolve(SweepSpec.FILE)).grid();
        List<SweepRun.Row> rows = SweepRun.readRows(grid, dir);
        SweepRun.writeTables(grid, engine.kind, dir, rows);
        GrapevineSim.sweepSummary(spec, dir, rows.size());
        return 0;
      } catch (ScenarioException e) {
        err.println(e.getMessage());
        return 1;
      } catch (IOException e) {
        err.println("grapevine-sim: sweep-merge " + dir + ": " + e.getMessage());
        return 1;
      }
    }
  }
}
