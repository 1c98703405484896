package org.grapevine.simulations.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.grapevine.simulations.cli.GrapevineSim;
import org.grapevine.simulations.scenario.ScenarioReader;
import org.grapevine.simulations.sweep.SweepSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code k8s render} and {@code k8s render-sweep}: the files, read back as objects. */
class K8sManifestsTest {
  static final String SCENARIO =
      """
      name: Cluster Test
      seed: 9
      duration: 20s
      warmUp: 5s
      nodes: {count: 30}
      workload: {posts: 5}
      hosts:
        count: 3
        netem: {delay: 20ms, jitter: 5ms, rateMbps: 100}
        cpu: 1.5
        memoryMiB: 2048
      """;

  private static final KubernetesSerialization SERIAL = new KubernetesSerialization();

  @TempDir Path dir;

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    return GrapevineSim.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
  }

  private <T> T read(Path folder, String suffix, Class<T> type) throws Exception {
    try (Stream<Path> files = Files.list(folder)) {
      Path f =
          files
              .filter(p -> p.getFileName().toString().endsWith(suffix))
              .findFirst()
              .orElseThrow(() -> new AssertionError("no file *" + suffix + " in " + folder));
      return SERIAL.unmarshal(Files.readString(f), type);
    }
  }

  @Test
  void render_threeAgentsWithNetem_everyObjectAsSpecified() throws Exception {
    Path scenario = dir.resolve("cluster.yaml");
    Files.writeString(scenario, SCENARIO);
    Path k8s = dir.resolve("k8s");

    assertThat(
            run(
                "k8s",
                "render",
                scenario.toString(),
                "--image",
                "registry.example/grapevine-sim:1",
                "--namespace",
                "sims",
                "--seed",
                "11",
                "--out",
                k8s.toString()))
        .as(err.toString())
        .isZero();

    String id = "gv-cluster-test-11";
    try (Stream<Path> files = Files.list(k8s)) {
      assertThat(files.map(p -> p.getFileName().toString()).sorted().toList())
          .containsExactly(
              "01-configmap-" + id + "-scenario.yaml",
              "02-persistentvolumeclaim-" + id + "-results.yaml",
              "03-service-" + id + "-coordinator.yaml",
              "04-service-" + id + "-agents.yaml",
              "05-statefulset-" + id + "-agent.yaml",
              "06-job-" + id + "-coordinator.yaml",
              "after");
    }
    // The scenario as run: the seed given on the command line, read back as a scenario.
    ConfigMap config = read(k8s, "-scenario.yaml", ConfigMap.class);
    assertThat(ScenarioReader.parse(config.getData().get("scenario.yaml"), "cm").seed())
        .isEqualTo(11);
    assertThat(config.getMetadata().getNamespace()).isEqualTo("sims");

    StatefulSet agents = read(k8s, "-agent.yaml", StatefulSet.class);
    assertThat(agents.getSpec().getReplicas()).isEqualTo(3);
    assertThat(agents.getSpec().getPodManagementPolicy()).isEqualTo("Parallel");
    assertThat(agents.getSpec().getServiceName()).isEqualTo(id + "-agents");
    assertThat(agents.getMetadata().getLabels())
        .containsEntry(RunLabels.RUN, id)
        .containsEntry(RunLabels.ROLE, RunLabels.AGENT);
    var pod = agents.getSpec().getTemplate().getSpec();
    assertThat(pod.getInitContainers()).hasSize(1);
    Container netem = pod.getInitContainers().get(0);
    assertThat(netem.getCommand())
        .containsExactly(
            "tc",
            "qdisc",
            "add",
            "dev",
            "eth0",
            "root",
            "netem",
            "delay",
            "20000us",
            "5000us",
            "rate",
            "100000kbit");
    assertThat(netem.getSecurityContext().getCapabilities().getAdd()).containsExactly("NET_ADMIN");
    Container agent = pod.getContainers().get(0);
    assertThat(agent.getImage()).isEqualTo("registry.example/grapevine-sim:1");
    assertThat(agent.getCommand())
        .containsExactly(
            "grapevine-sim",
            "agent",
            "--coordinator",
            id + "-coordinator:7400",
            "--advertise",
            "$(POD_IP)");
    assertThat(agent.getResources().getRequests())
        .containsEntry("cpu", new Quantity("1500m"))
        .containsEntry("memory", new Quantity("2048Mi"));
    assertThat(agent.getResources().getLimits()).isEqualTo(agent.getResources().getRequests());
    assertThat(agent.getEnv())
        .anySatisfy(
            e -> {
              assertThat(e.getName()).isEqualTo("JAVA_TOOL_OPTIONS");
              assertThat(e.getValue()).isEqualTo("-Xmx1536m");
            });

    Job job = read(k8s, "-job-" + id + "-coordinator.yaml", Job.class);
    assertThat(job.getSpec().getBackoffLimit()).isZero();
    Container coordinator = job.getSpec().getTemplate().getSpec().getContainers().get(0);
    assertThat(coordinator.getCommand())
        .containsExactly(
            "grapevine-sim",
            "coordinate",
            "/scenario/scenario.yaml",
            "--out",
            "/results/" + id,
            "--port",
            "7400",
            "--kernel-netem"); // netem is on the pods' interfaces: the agents add no delay.
    var volumes = job.getSpec().getTemplate().getSpec().getVolumes();
    assertThat(volumes)
        .extracting(
            v ->
                v.getPersistentVolumeClaim() == null
                    ? ""
                    : v.getPersistentVolumeClaim().getClaimName())
        .contains(id + "-results");
    assertThat(volumes)
        .extracting(v -> v.getConfigMap() == null ? "" : v.getConfigMap().getName())
        .contains(id + "-scenario");

    Service coordinatorService = read(k8s, "-service-" + id + "-coordinator.yaml", Service.class);
    assertThat(coordinatorService.getSpec().getClusterIP()).isEqualTo("None");
    assertThat(coordinatorService.getSpec().getPorts().get(0).getPort()).isEqualTo(7400);
    assertThat(coordinatorService.getSpec().getSelector())
        .isEqualTo(Map.of(RunLabels.RUN, id, RunLabels.ROLE, RunLabels.COORDINATOR));
    Service agentService = read(k8s, "-service-" + id + "-agents.yaml", Service.class);
    assertThat(agentService.getSpec().getClusterIP()).isEqualTo("None");
    assertThat(agentService.getSpec().getSelector())
        .isEqualTo(Map.of(RunLabels.RUN, id, RunLabels.ROLE, RunLabels.AGENT));

    var reader =
        read(k8s.resolve("after"), "-results.yaml", io.fabric8.kubernetes.api.model.Pod.class);
    assertThat(reader.getSpec().getVolumes().get(0).getPersistentVolumeClaim().getClaimName())
        .isEqualTo(id + "-results");
  }

  @Test
  void render_withoutNetem_noInitContainer() throws Exception {
    Path scenario = dir.resolve("plain.yaml");
    Files.writeString(
        scenario, SCENARIO.replace("  netem: {delay: 20ms, jitter: 5ms, rateMbps: 100}\n", ""));
    Path k8s = dir.resolve("k8s");

    assertThat(run("k8s", "render", scenario.toString(), "--out", k8s.toString()))
        .as(err.toString())
        .isZero();

    StatefulSet agents = read(k8s, "-agent.yaml", StatefulSet.class);
    assertThat(agents.getSpec().getTemplate().getSpec().getInitContainers()).isEmpty();
    assertThat(agents.getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
        .isEqualTo(K8sOptions.DEFAULT_IMAGE);
  }

  @Test
  void renderSweep_indexedJobOfOnePodPerPoint() throws Exception {
    Path scenario = dir.resolve("cluster.yaml");
    Files.writeString(scenario, SCENARIO);
    Path k8s = dir.resolve("sweep");

    assertThat(
            run(
                "k8s",
                "render-sweep",
                scenario.toString(),
                "--param",
                "D=4,6,8",
                "--param",
                "latency.oneWay=20ms,80ms",
                "--workers",
                "4",
                "--out",
                k8s.toString()))
        .as(err.toString())
        .isZero();

    Job job = read(k8s, "-job-gv-cluster-test-sweep-9-sweep.yaml", Job.class);
    assertThat(job.getSpec().getCompletionMode()).isEqualTo("Indexed");
    assertThat(job.getSpec().getCompletions()).isEqualTo(6);
    assertThat(job.getSpec().getParallelism()).isEqualTo(4);
    assertThat(job.getSpec().getBackoffLimitPerIndex()).isZero();
    Container c = job.getSpec().getTemplate().getSpec().getContainers().get(0);
    assertThat(c.getCommand())
        .containsExactly(
            "grapevine-sim",
            "sweep-point",
            "--spec",
            "/sweep/sweep-spec.json",
            "--engine",
            "virtual",
            "--out",
            "/results/gv-cluster-test-sweep-9");
    assertThat(c.getEnv())
        .anySatisfy(
            e -> {
              assertThat(e.getName()).isEqualTo("JOB_COMPLETION_INDEX");
              assertThat(e.getValueFrom().getFieldRef().getFieldPath())
                  .isEqualTo("metadata.annotations['batch.kubernetes.io/job-completion-index']");
            });
    ConfigMap config = read(k8s, "-configmap-gv-cluster-test-sweep-9-sweep.yaml", ConfigMap.class);
    SweepSpec spec = SweepSpec.parse(config.getData().get(SweepSpec.FILE), "cm");
    assertThat(spec.grid().points()).hasSize(6);
    assertThat(spec.params().get(0).values()).isEqualTo(List.of("4", "6", "8"));
    var claim =
        read(k8s, "-results.yaml", io.fabric8.kubernetes.api.model.PersistentVolumeClaim.class);
    assertThat(claim.getSpec().getAccessModes()).containsExactly("ReadWriteMany");
  }

  @Test
  void runId_fromNameAndSeed_isAKubernetesName() {
    assertThat(RunLabels.runId("Cluster Test", 11)).isEqualTo("gv-cluster-test-11");
    String longId = RunLabels.runId("a".repeat(100) + "_", -1);
    assertThat(longId).hasSizeLessThanOrEqualTo(RunLabels.MAX_ID).endsWith("-18446744073709551615");
    assertThat(RunLabels.checkId(longId)).isEqualTo(longId);
  }
}
