package org.grapevine.simulations.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.grapevine.simulations.scenario.Scenario;
import org.grapevine.simulations.scenario.ScenarioReader;
import org.junit.jupiter.api.Test;

/**
 * {@code run --engine k8s} through {@link ClusterRun}, the code the command runs once it has a
 * client, against fabric8's mock API server in CRUD mode: a fake of the Kubernetes API server that
 * stores what is created and serves it back, because a real API server (and the cluster behind it)
 * cannot run here. It has no controllers: nothing starts pods or finishes Jobs, so the tests set
 * the Job's status (and create the coordinator's pod) themselves, standing in for the cluster's Job
 * controller and kubelet.
 */
@EnableKubernetesMockClient(crud = true)
class ClusterRunTest {
  static final String NS = "sims";
  static final String ID = "gv-cluster-test-9";

  KubernetesClient client;

  private final StringWriter text = new StringWriter();

  private Scenario scenario() throws Exception {
    return ScenarioReader.parse(K8sManifestsTest.SCENARIO, "cluster.yaml");
  }

  private ClusterRun clusterRun() {
    return new ClusterRun(
        client, new K8sOptions(NS, "grapevine-sim:test", ID, "1Gi"), new PrintWriter(text, true));
  }

  /** Once the run has created its Job, sets the Job's status as the cluster would. */
  private Thread controller(UnaryOperator<JobBuilder> status, Pod coordinatorPod) {
    Thread t =
        new Thread(
            () -> {
              var job =
                  client
                      .batch()
                      .v1()
                      .jobs()
                      .inNamespace(NS)
                      .withName(ID + "-coordinator")
                      .waitUntilCondition(j -> j != null, 60, TimeUnit.SECONDS);
              if (coordinatorPod != null) {
                client.resource(coordinatorPod).inNamespace(NS).create();
              }
              client
                  .batch()
                  .v1()
                  .jobs()
                  .inNamespace(NS)
                  .withName(job.getMetadata().getName())
                  .editStatus(j -> status.apply(new JobBuilder(j)).build());
            },
            "stand-in-job-controller");
    t.start();
    return t;
  }

  @Test
  void run_jobSucceeds_objectsOnTheServerAsRendered_exitZero() throws Exception {
    Thread controller = controller(b -> b.withNewStatus().withSucceeded(1).endStatus(), null);

    int code = clusterRun().run(scenario(), Duration.ofMinutes(5), Duration.ofMillis(50), true);
    controller.join();

    assertThat(code).as(text.toString()).isZero();
    assertThat(text.toString())
        .contains(
            "created StatefulSet/" + ID + "-agent in namespace sims",
            "the coordinator's Job " + ID + "-coordinator succeeded",
            "kubectl -n sims cp " + ID + "-results:/results/" + ID + " results/" + ID,
            "run " + ID + ": succeeded");
    // Read back from the API server: what render writes is what was applied.
    StatefulSet agents = client.apps().statefulSets().inNamespace(NS).withName(ID + "-agent").get();
    assertThat(agents.getSpec().getReplicas()).isEqualTo(3);
    assertThat(agents.getSpec().getPodManagementPolicy()).isEqualTo("Parallel");
    assertThat(agents.getSpec().getTemplate().getSpec().getInitContainers().get(0).getCommand())
        .containsSubsequence("netem", "delay", "20000us", "5000us", "rate", "100000kbit");
    Job job = client.batch().v1().jobs().inNamespace(NS).withName(ID + "-coordinator").get();
    assertThat(job.getSpec().getTemplate().getSpec().getContainers().get(0).getCommand())
        .containsExactlyElementsOf(RunManifests.coordinatorCommand(ID, true))
        .endsWith("--kernel-netem"); // The pods apply netem: the agents add no delay on top.
    Service svc = client.services().inNamespace(NS).withName(ID + "-coordinator").get();
    assertThat(svc.getSpec().getClusterIP()).isEqualTo("None");
    ConfigMap cm = client.configMaps().inNamespace(NS).withName(ID + "-scenario").get();
    assertThat(ScenarioReader.parse(cm.getData().get("scenario.yaml"), "cm").hosts().count())
        .isEqualTo(3);
    // Everything of the run is found by its label, reader pod included.
    assertThat(client.pods().inNamespace(NS).withLabel(RunLabels.RUN, ID).list().getItems())
        .extracting(p -> p.getMetadata().getName())
        .containsExactly(ID + "-results");
    assertThat(
            client
                .persistentVolumeClaims()
                .inNamespace(NS)
                .withLabel(RunLabels.RUN, ID)
                .list()
                .getItems())
        .hasSize(1);
  }

  @Test
  void run_jobFails_saysWhyAndWhichPod_deletesAllButTheResults_exitOne() throws Exception {
    Pod failed =
        new PodBuilder()
            .withNewMetadata()
            .withName(ID + "-coordinator-x7k2p")
            .withLabels(RunLabels.of(ID, RunLabels.COORDINATOR))
            .endMetadata()
            .withNewStatus()
            .withPhase("Failed")
            .addNewContainerStatus()
            .withName("coordinator")
            .withNewState()
            .withNewTerminated()
            .withExitCode(1)
            .withReason("Error")
            .endTerminated()
            .endState()
            .endContainerStatus()
            .endStatus()
            .build();
    Thread controller =
        controller(
            b ->
                b.withNewStatus()
                    .withFailed(1)
                    .addNewCondition()
                    .withType("Failed")
                    .withStatus("True")
                    .withReason("BackoffLimitExceeded")
                    .withMessage("Job has reached the specified backoff limit")
                    .endCondition()
                    .endStatus(),
            failed);

    int code = clusterRun().run(scenario(), Duration.ofMinutes(5), Duration.ofMillis(50), false);
    controller.join();

    assertThat(code).isEqualTo(1);
    assertThat(text.toString())
        .contains(
            "failed: BackoffLimitExceeded: Job has reached the specified backoff limit",
            "pod " + ID + "-coordinator-x7k2p: Failed (coordinator exited 1 Error)",
            ID + "-coordinator-x7k2p", // its log, or why it cannot be read
            "run " + ID + ": failed");
    // Not kept: the run's objects are gone, but for the results claim and its reader.
    assertThat(client.apps().statefulSets().inNamespace(NS).withName(ID + "-agent").get()).isNull();
    assertThat(client.batch().v1().jobs().inNamespace(NS).withName(ID + "-coordinator").get())
        .isNull();
    assertThat(client.configMaps().inNamespace(NS).withName(ID + "-scenario").get()).isNull();
    assertThat(client.services().inNamespace(NS).withLabel(RunLabels.RUN, ID).list().getItems())
        .isEmpty();
    PersistentVolumeClaim claim =
        client.persistentVolumeClaims().inNamespace(NS).withName(ID + "-results").get();
    assertThat(claim).isNotNull();
    assertThat(client.pods().inNamespace(NS).withName(ID + "-results").get()).isNotNull();
  }

  @Test
  void run_jobNeverFinishes_timesOutAndCleansUp() throws Exception {
    int code = clusterRun().run(scenario(), Duration.ofMillis(300), Duration.ofMillis(50), false);

    assertThat(code).isEqualTo(1);
    assertThat(text.toString())
        .contains("has not finished after 0.3 s (--timeout)", "no coordinator pod was started")
        .doesNotContain("kubectl -n sims cp");
    assertThat(client.batch().v1().jobs().inNamespace(NS).list().getItems()).isEmpty();
  }

  @Test
  void run_alreadyThere_refusedWithTheCommandToDeleteIt() throws Exception {
    client
        .resource(RunManifests.build(scenario(), new K8sOptions(NS, "i:1", ID, "1Gi")).scenario())
        .inNamespace(NS)
        .create();

    int code = clusterRun().run(scenario(), Duration.ofMinutes(1), Duration.ofMillis(50), false);

    assertThat(code).isEqualTo(1);
    assertThat(text.toString())
        .contains(
            "refused ConfigMap/" + ID + "-scenario: HTTP 409",
            "delete all,cm,pvc -l grapevine.org/run=" + ID);
  }
}
