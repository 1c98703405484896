package org.grapevine.simulations.cli;

import io.fabric8.kubernetes.api.model.HasMetadata;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.grapevine.simulations.k8s.K8sOptions;
import org.grapevine.simulations.k8s.ManifestFiles;
import org.grapevine.simulations.k8s.RunLabels;
import org.grapevine.simulations.k8s.RunManifests;
import org.grapevine.simulations.k8s.SweepManifests;
import org.grapevine.simulations.scenario.Scenario;
import org.grapevine.simulations.scenario.ScenarioException;
import org.grapevine.simulations.sweep.SweepGrid;
import org.grapevine.simulations.sweep.SweepSpec;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code grapevine-sim k8s render|render-sweep}: the Kubernetes objects of a run, as YAML files.
 */
@Command(
    name = "k8s",
    mixinStandardHelpOptions = true,
    subcommands = {K8sCommands.Render.class, K8sCommands.RenderSweep.class},
    description = {
      "Kubernetes manifests of a distributed run or of a sweep (simulations/README.md,",
      "\"10,000 real nodes on a cluster\"). To apply and follow a run: run <scenario> --engine k8s."
    })
final class K8sCommands implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** The options every Kubernetes command takes. */
  static final class Where {
    @Option(
        names = "--namespace",
        defaultValue = K8sOptions.DEFAULT_NAMESPACE,
        description = "Namespace of every object (must exist; default: default).")
    String namespace;

    @Option(
        names = "--image",
        defaultValue = K8sOptions.DEFAULT_IMAGE,
        description =
            "The grapevine-sim image (simulations/Dockerfile; default: grapevine-sim:latest).")
    String image;

    @Option(
        names = "--run-id",
        description = "Names and label of the run's objects (default: gv-<scenario name>-<seed>).")
    String runId;

    @Option(
        names = "--results-size",
        defaultValue = K8sOptions.DEFAULT_RESULTS_SIZE,
        description = "Size of the results volume claim (default: 5Gi).")
    String resultsSize;

    /** The options, or null after saying on {@code err} what is wrong. */
    K8sOptions options(String name, long seed, PrintWriter err) {
      try {
        return new K8sOptions(
            namespace, image, runId != null ? runId : RunLabels.runId(name, seed), resultsSize);
      } catch (IllegalArgumentException e) {
        err.println("grapevine-sim: " + e.getMessage());
        return null;
      }
    }
  }

  @Command(
      name = "render",
      mixinStandardHelpOptions = true,
      description = {
        "Writes the objects of a distributed run, one YAML file per object, into DIR",
        "(kubectl apply -f DIR) and the results reader into DIR/after/."
      })
  static final class Render implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "<scenario>", description = "Scenario file.")
    Path scenario;

    @Option(names = "--seed", description = "Overrides the scenario's seed.")
    Long seed;

    @Option(names = "--out", description = "Folder of the files (default: k8s/<run id>).")
    Path out;

    @Mixin Where where;

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
      K8sOptions o = where.options(s.name(), s.seed(), err);
      if (o == null) {
        return 2;
      }
      RunManifests.Objects objects = RunManifests.build(s, o);
      Path dir = out != null ? out : Path.of("k8s", o.runId());
      try {
        List<Path> files = ManifestFiles.write(dir, objects.all());
        ManifestFiles.write(
            dir.resolve(ManifestFiles.AFTER),
            List.of(
                RunManifests.resultsReader(
                    o.runId(), objects.results().getMetadata().getName(), o)));
        PrintWriter w = spec.commandLine().getOut();
        w.printf(
            "%s: %d objects of run %s (%d agents%s); apply: kubectl apply -f %s%n",
            dir,
            files.size(),
            o.runId(),
            s.hosts().count(),
            s.hosts().netem().active()
                ? ", netem " + String.join(" ", s.hosts().netem().tcArgs())
                : "",
            dir);
        w.printf(
            "after the Job %s has finished: kubectl apply -f %s, then kubectl cp (README)%n",
            RunManifests.coordinatorJob(o.runId()), dir.resolve(ManifestFiles.AFTER));
        return 0;
      } catch (IOException e) {
        err.println("grapevine-sim: cannot write " + dir + ": " + e.getMessage());
        return 1;
      }
    }
  }

  @Command(
      name = "render-sweep",
      mixinStandardHelpOptions = true,
      description = {
        "Writes a sweep as an Indexed Job (one completion per point, --workers pods at a time),",
        "its grid in a ConfigMap; afterwards copy the results out and run sweep-merge on them."
      })
  static final class RenderSweep implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "<scenario>", description = "Base scenario file.")
    Path scenario;

    @Option(
        names = "--param",
        required = true,
        paramLabel = "key=v1,v2,...",
        description = "A swept parameter, as for sweep. Repeat for a grid.")
    List<String> params;

    @Option(names = "--seed", description = "Overrides the scenario's seed at every point.")
    Long seed;

    @Option(
        names = "--engine",
        defaultValue = "virtual",
        description = "The engine each point runs on in its pod: virtual (default) or real.")
    GrapevineSim.EngineName engine;

    @Option(
        names = "--workers",
        defaultValue = "4",
        description = "Pods at a time (the Job's parallelism; default 4).")
    int workers;

    @Option(names = "--out", description = "Folder of the files (default: k8s/<run id>).")
    Path out;

    @Mixin Where where;

    @Override
    public Integer call() {
      PrintWriter err = spec.commandLine().getErr();
      if (engine.kind == null) {
        err.println(
            "grapevine-sim: render-sweep --engine: virtual or real (the engine in each pod)");
        return 2;
      }
      if (workers < 1) {
        err.println("grapevine-sim: --workers " + workers + ": at least 1");
        return 2;
      }
      SweepSpec sweep;
      SweepGrid grid;
      try {
        List<SweepGrid.Param> parsed = new java.util.ArrayList<>(SweepGrid.parseParams(params));
        if (seed != null) {
          parsed.add(new SweepGrid.Param("seed", "seed", List.of(String.valueOf(seed))));
        }
        if (!Files.isRegularFile(scenario)) {
          throw new NoSuchFileException(scenario.toString());
        }
        sweep = new SweepSpec(scenario.toString(), Files.readString(scenario), parsed);
        grid = sweep.grid();
      } catch (IllegalArgumentException e) {
        err.println("grapevine-sim: " + e.getMessage());
        return 2;
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
        if (!GrapevineSim.runnable(p.scenario(), engine.kind, err)) {
          return 1;
        }
      }
      Scenario first = grid.points().get(0).scenario();
      K8sOptions o = where.options(first.name() + "-sweep", first.seed(), err);
      if (o == null) {
        return 2;
      }
      SweepManifests.Objects objects = SweepManifests.build(sweep, grid, engine.kind, workers, o);
      Path dir = out != null ? out : Path.of("k8s", o.runId());
      try {
        List<HasMetadata> all = objects.all();
        ManifestFiles.write(dir, all);
        ManifestFiles.write(
            dir.resolve(ManifestFiles.AFTER),
            List.of(
                RunManifests.resultsReader(
                    o.runId(), objects.results().getMetadata().getName(), o)));
        spec.commandLine()
            .getOut()
            .printf(
                "%s: Indexed Job %s of %d points, %d pods at a time; apply: kubectl apply -f %s%n",
                dir,
                objects.job().getMetadata().getName(),
                grid.points().size(),
                objects.job().getSpec().getParallelism(),
                dir);
        return 0;
      } catch (IOException e) {
        err.println("grapevine-sim: cannot write " + dir + ": " + e.getMessage());
        return 1;
      }
    }
  }
}
