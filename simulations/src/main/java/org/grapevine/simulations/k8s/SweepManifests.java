package org.grapevine.simulations.k8s;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import java.util.List;
import java.util.Map;
import org.grapevine.simulations.EngineKind;
import org.grapevine.simulations.scenario.Scenario;
import org.grapevine.simulations.sweep.SweepGrid;
import org.grapevine.simulations.sweep.SweepSpec;

/**
 * A sweep on Kubernetes: an Indexed Job with one completion per point of the grid, {@code workers}
 * pods at a time, each running {@code grapevine-sim sweep-point} for the point numbered by its
 * completion index ({@code JOB_COMPLETION_INDEX}), the grid rebuilt from {@code sweep-spec.json} in
 * a ConfigMap. Every pod writes its point's folder to one results claim, {@code ReadWriteMany}
 * because the pods run on many nodes at once (the cluster needs a storage class that offers it:
 * NFS, EFS, Filestore, CephFS, ...). A failing point does not stop the others ({@code
 * backoffLimitPerIndex: 0}, Kubernetes 1.29+): the Job then ends failed, naming the failed indexes
 * in its status. The table is made afterwards from the copied folder: {@code grapevine-sim
 * sweep-merge DIR}.
 */
public final class SweepManifests {
  public static final String SPEC_DIR = "/sweep";

  private SweepManifests() {}

  /** The sweep's objects: ConfigMap, results claim, Indexed Job. */
  public record Objects(ConfigMap spec, PersistentVolumeClaim results, Job job) {
    public List<HasMetadata> all() {
      return List.of(spec, results, job);
    }
  }

  /** The objects of a sweep over {@code grid} (made from {@code spec}) with the options. */
  public static Objects build(
      SweepSpec spec, SweepGrid grid, EngineKind engine, int workers, K8sOptions o) {
    if (workers < 1) {
      throw new IllegalArgumentException("--workers " + workers + ": at least 1");
    }
    String id = o.runId();
    ConfigMap config =
        new ConfigMapBuilder()
            .withNewMetadata()
            .withName(id + "-sweep")
            .withNamespace(o.namespace())
            .withLabels(RunLabels.of(id, RunLabels.SWEEP))
            .endMetadata()
            .withData(Map.of(SweepSpec.FILE, spec.toText()))
            .build();
    PersistentVolumeClaim claim =
        RunManifests.resultsClaim(id + "-results", id, RunLabels.SWEEP, o);
    claim.getSpec().setAccessModes(List.of("ReadWriteMany"));
    // Every point is sized alike: the largest point's hosts section (one pod runs one point).
    Scenario.Hosts hosts = grid.points().get(0).scenario().hosts();
    for (SweepGrid.Point p : grid.points()) {
      if (p.scenario().hosts().memoryMiB() > hosts.memoryMiB()
          || p.scenario().hosts().cpu() > hosts.cpu()) {
        hosts = p.scenario().hosts();
      }
    }
    Container worker =
        new ContainerBuilder()
            .withName("sweep-point")
            .withImage(o.image())
            .withImagePullPolicy("IfNotPresent")
            .withCommand(pointCommand(id, engine))
            .withEnv(
                new EnvVarBuilder()
                    .withName("JOB_COMPLETION_INDEX")
                    .withNewValueFrom()
                    .withNewFieldRef()
                    .withFieldPath(
                        "metadata.annotations['batch.kubernetes.io/job-completion-index']")
                    .endFieldRef()
                    .endValueFrom()
                    .build(),
                RunManifests.heap(hosts))
            .withResources(RunManifests.resources(hosts))
            .withVolumeMounts(
                RunManifests.mount("spec", SPEC_DIR, true),
                RunManifests.mount("results", RunManifests.RESULTS_DIR, false))
            .build();
    int points = grid.points().size();
    Job job =
        new JobBuilder()
            .withNewMetadata()
            .withName(id + "-sweep")
            .withNamespace(o.namespace())
            .withLabels(RunLabels.of(id, RunLabels.SWEEP))
            .endMetadata()
            .withNewSpec()
            .withCompletionMode("Indexed")
            .withCompletions(points)
            .withParallelism(Math.min(workers, points))
            .withBackoffLimitPerIndex(0)
            .withNewTemplate()
            .withNewMetadata()
            .withLabels(RunLabels.of(id, RunLabels.SWEEP))
            .endMetadata()
            .withNewSpec()
            .withRestartPolicy("Never")
            .withContainers(worker)
            .withVolumes(
                RunManifests.configVolume("spec", config.getMetadata().getName()),
                RunManifests.claimVolume("results", claim.getMetadata().getName()))
            .endSpec()
            .endTemplate()
            .endSpec()
            .build();
    return new Objects(config, claim, job);
  }

  /** A worker pod's command: the point comes from JOB_COMPLETION_INDEX. */
  public static List<String> pointCommand(String id, EngineKind engine) {
    return List.of(
        "grapevine-sim",
        "sweep-point",
        "--spec",
        SPEC_DIR + "/" + SweepSpec.FILE,
        "--engine",
        engine.label(),
        "--out",
        RunManifests.resultsPath(id));
  }
}
