package org.grapevine.simulations.k8s;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.grapevine.simulations.scenario.Scenario;
import org.grapevine.simulations.scenario.ScenarioWriter;

/**
 * The Kubernetes objects of one distributed run (the real engine across pods), built with fabric8's
 * typed builders so that {@code k8s render} (YAML files) and {@code run --engine k8s} (API calls)
 * use the same objects:
 *
 * <ul>
 *   <li>a ConfigMap {@code ID-scenario} holding {@code scenario.yaml} as run (seed applied);
 *   <li>a PersistentVolumeClaim {@code ID-results} for the results: a claim rather than an {@code
 *       emptyDir} because the folder must outlive the coordinator's pod (an emptyDir goes with the
 *       pod, and {@code kubectl cp} needs a running container), and the Job's success must stay the
 *       coordinator's own exit code rather than a container kept sleeping for a copy;
 *   <li>a headless Service {@code ID-coordinator} (port 7400) the agents dial by name;
 *   <li>a headless Service {@code ID-agents} governing the agents' StatefulSet (stable pod names
 *       {@code ID-agent-0 ...});
 *   <li>a StatefulSet {@code ID-agent} of {@code hosts.count} agent pods started all at once
 *       ({@code podManagementPolicy: Parallel}), each with an init container installing the
 *       scenario's {@code tc netem} on {@code eth0} (only when the netem section changes anything),
 *       resources from {@code hosts.cpu} and {@code hosts.memoryMiB} (heap three quarters of it);
 *   <li>a Job {@code ID-coordinator} running {@code grapevine-sim coordinate} once (no retries: a
 *       second attempt would be a different run), writing to {@code /results/ID}.
 * </ul>
 *
 * <p>After the Job has finished, {@link #resultsReader} is a pod that mounts the claim and sleeps,
 * for {@code kubectl cp} (the claim is ReadWriteOnce, so it cannot be mounted while the coordinator
 * runs on another node).
 */
public final class RunManifests {
  public static final String SCENARIO_KEY = "scenario.yaml";
  public static final String SCENARIO_DIR = "/scenario";
  public static final String RESULTS_DIR = "/results";

  /** How long the results reader waits for a copy before it ends by itself. */
  static final long READER_SECONDS = 6 * 3600;

  private RunManifests() {}

  /** The run's objects, in the order to create them. */
  public record Objects(
      ConfigMap scenario,
      PersistentVolumeClaim results,
      Service coordinatorService,
      Service agentService,
      StatefulSet agents,
      Job coordinator) {
    public List<HasMetadata> all() {
      return List.of(scenario, results, coordinatorService, agentService, agents, coordinator);
    }
  }

  /** The objects that run {@code s} (its seed as given) with the options. */
  public static Objects build(Scenario s, K8sOptions o) {
    String id = o.runId();
    ConfigMap config =
        new ConfigMapBuilder()
            .withNewMetadata()
            .withName(id + "-scenario")
            .withNamespace(o.namespace())
            .withLabels(RunLabels.of(id, RunLabels.COORDINATOR))
            .endMetadata()
            .withData(Map.of(SCENARIO_KEY, ScenarioWriter.toYaml(s)))
            .build();
    PersistentVolumeClaim claim = resultsClaim(id + "-results", id, RunLabels.COORDINATOR, o);
    Service coordinatorService =
        new ServiceBuilder()
            .withNewMetadata()
            .withName(coordinatorService(id))
            .withNamespace(o.namespace())
            .withLabels(RunLabels.of(id, RunLabels.COORDINATOR))
            .endMetadata()
            .withNewSpec()
            .withClusterIP("None")
            // Agents may dial before the coordinator is ready; its address must resolve anyway.
            .withPublishNotReadyAddresses(true)
            .withSelector(RunLabels.selector(id, RunLabels.COORDINATOR))
            .addNewPort()
            .withName("coordinator")
            .withPort(K8sOptions.COORDINATOR_PORT)
            .withNewTargetPort(K8sOptions.COORDINATOR_PORT)
            .endPort()
            .endSpec()
            .build();
    Service agentService =
        new ServiceBuilder()
            .withNewMetadata()
            .withName(id + "-agents")
            .withNamespace(o.namespace())
            .withLabels(RunLabels.of(id, RunLabels.AGENT))
            .endMetadata()
            .withNewSpec()
            .withClusterIP("None")
            .withPublishNotReadyAddresses(true)
            .withSelector(RunLabels.selector(id, RunLabels.AGENT))
            .endSpec()
            .build();
    Scenario.Hosts hosts = s.hosts();
    List<Container> init = new ArrayList<>();
    if (hosts.netem().active()) {
      init.add(netem(o.image(), hosts.netem()));
    }
    Container agent =
        new ContainerBuilder()
            .withName("agent")
            .withImage(o.image())
            .withImagePullPolicy("IfNotPresent")
            .withCommand(
                "grapevine-sim",
                "agent",
                "--coordinator",
                coordinatorService(id) + ":" + K8sOptions.COORDINATOR_PORT,
                "--advertise",
                "$(POD_IP)")
            .withEnv(podIp(), heap(hosts))
            .withResources(resources(hosts))
            .build();
    StatefulSet agents =
        new StatefulSetBuilder()
            .withNewMetadata()
            .withName(id + "-agent")
            .withNamespace(o.namespace())
            .withLabels(RunLabels.of(id, RunLabels.AGENT))
            .endMetadata()
            .withNewSpec()
            .withReplicas(hosts.count())
            .withServiceName(agentService.getMetadata().getName())
            // All agents start at once: the run waits for every one, in any order.
            .withPodManagementPolicy("Parallel")
            .withNewSelector()
            .withMatchLabels(RunLabels.selector(id, RunLabels.AGENT))
            .endSelector()
            .withNewTemplate()
            .withNewMetadata()
            .withLabels(RunLabels.of(id, RunLabels.AGENT))
            .endMetadata()
            .withNewSpec()
            .withInitContainers(init)
            .withContainers(agent)
            .endSpec()
            .endTemplate()
            .endSpec()
            .build();
    Container coordinate =
        new ContainerBuilder()
            .withName("coordinator")
            .withImage(o.image())
            .withImagePullPolicy("IfNotPresent")
            .withCommand(coordinatorCommand(id, hosts.netem().active()))
            .withEnv(heap(hosts))
            .withResources(resources(hosts))
            .addNewPort()
            .withName("coordinator")
            .withContainerPort(K8sOptions.COORDINATOR_PORT)
            .endPort()
            .withVolumeMounts(
                mount("scenario", SCENARIO_DIR, true), mount("results", RESULTS_DIR, false))
            .build();
    Job job =
        new JobBuilder()
            .withNewMetadata()
            .withName(coordinatorJob(id))
            .withNamespace(o.namespace())
            .withLabels(RunLabels.of(id, RunLabels.COORDINATOR))
            .endMetadata()
            .withNewSpec()
            .withBackoffLimit(0)
            .withCompletions(1)
            .withParallelism(1)
            .withNewTemplate()
            .withNewMetadata()
            .withLabels(RunLabels.of(id, RunLabels.COORDINATOR))
            .endMetadata()
            .withNewSpec()
            .withRestartPolicy("Never")
            .withContainers(coordinate)
            .withVolumes(
                configVolume("scenario", config.getMetadata().getName()),
                claimVolume("results", claim.getMetadata().getName()))
            .endSpec()
            .endTemplate()
            .endSpec()
            .build();
    return new Objects(config, claim, coordinatorService, agentService, agents, job);
  }

  /**
   * The coordinator's command line in its container; {@code kernelNetem} when the agents' init
   * container applies {@code hosts.netem} on the pods' interfaces, so the agents add no delay of
   * their own on top.
   */
  public static List<String> coordinatorCommand(String id, boolean kernelNetem) {
    List<String> command =
        new ArrayList<>(
            List.of(
                "grapevine-sim",
                "coordinate",
                SCENARIO_DIR + "/" + SCENARIO_KEY,
                "--out",
                resultsPath(id),
                "--port",
                Integer.toString(K8sOptions.COORDINATOR_PORT)));
    if (kernelNetem) {
      command.add("--kernel-netem");
    }
    return List.copyOf(command);
  }

  /** Where the run's folder is, on the results volume. */
  public static String resultsPath(String id) {
    return RESULTS_DIR + "/" + id;
  }

  public static String coordinatorService(String id) {
    return id + "-coordinator";
  }

  public static String coordinatorJob(String id) {
    return id + "-coordinator";
  }

  /** The init container that installs the netem discipline; it needs NET_ADMIN, nothing else. */
  static Container netem(String image, Scenario.Netem netem) {
    List<String> cmd =
        new ArrayList<>(List.of("tc", "qdisc", "add", "dev", "eth0", "root", "netem"));
    cmd.addAll(netem.tcArgs());
    return new ContainerBuilder()
        .withName("netem")
        .withImage(image)
        .withImagePullPolicy("IfNotPresent")
        .withCommand(cmd)
        .withNewSecurityContext()
        .withNewCapabilities()
        .withAdd("NET_ADMIN")
        .endCapabilities()
        .endSecurityContext()
        .build();
  }

  /**
   * Requests equal to limits (the Guaranteed class): a run measures latency, so an agent must not
   * be squeezed by a neighbour's burst, and must not use more than the figures it was sized by.
   */
  static ResourceRequirements resources(Scenario.Hosts hosts) {
    Quantity cpu = new Quantity(Math.round(hosts.cpu() * 1000) + "m");
    Quantity memory = new Quantity(hosts.memoryMiB() + "Mi");
    return new ResourceRequirementsBuilder()
        .addToRequests("cpu", cpu)
        .addToRequests("memory", memory)
        .addToLimits("cpu", cpu)
        .addToLimits("memory", memory)
        .build();
  }

  /**
   * The JVM's heap: three quarters of the container's memory (the rest: RocksDB, Netty's direct
   * buffers, thread stacks, metaspace). JAVA_TOOL_OPTIONS is read by every JVM, whatever starts it.
   */
  static EnvVar heap(Scenario.Hosts hosts) {
    return new EnvVarBuilder()
        .withName("JAVA_TOOL_OPTIONS")
        .withValue("-Xmx" + (long) hosts.memoryMiB() * 3 / 4 + "m")
        .build();
  }

  private static EnvVar podIp() {
    return new EnvVarBuilder()
        .withName("POD_IP")
        .withNewValueFrom()
        .withNewFieldRef()
        .withFieldPath("status.podIP")
        .endFieldRef()
        .endValueFrom()
        .build();
  }

  static PersistentVolumeClaim resultsClaim(String name, String id, String role, K8sOptions o) {
    return new PersistentVolumeClaimBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace(o.namespace())
        .withLabels(RunLabels.of(id, role))
        .endMetadata()
        .withNewSpec()
        .withAccessModes("ReadWriteOnce")
        .withNewResources()
        .addToRequests("storage", new Quantity(o.resultsSize()))
        .endResources()
        .endSpec()
        .build();
  }

  /**
   * A pod that mounts the results claim and waits, to copy the results out with {@code kubectl cp};
   * it ends by itself after {@link #READER_SECONDS}.
   */
  public static Pod resultsReader(String id, String claimName, K8sOptions o) {
    return new PodBuilder()
        .withNewMetadata()
        .withName(id + "-results")
        .withNamespace(o.namespace())
        .withLabels(RunLabels.of(id, RunLabels.RESULTS))
        .endMetadata()
        .withNewSpec()
        .withRestartPolicy("Never")
        .withActiveDeadlineSeconds(READER_SECONDS)
        .addNewContainer()
        .withName("results")
        .withImage(o.image())
        .withImagePullPolicy("IfNotPresent")
        .withCommand("sleep", Long.toString(READER_SECONDS))
        .withVolumeMounts(mount("results", RESULTS_DIR, true))
        .endContainer()
        .withVolumes(claimVolume("results", claimName))
        .endSpec()
        .build();
  }

  static VolumeMount mount(String name, String path, boolean readOnly) {
    return new VolumeMountBuilder()
        .withName(name)
        .withMountPath(path)
        .withReadOnly(readOnly)
        .build();
  }

  static Volume configVolume(String name, String configMap) {
    return new VolumeBuilder()
        .withName(name)
        .withNewConfigMap()
        .withName(configMap)
        .endConfigMap()
        .build();
  }

  static Volume claimVolume(String name, String claim) {
    return new VolumeBuilder()
        .withName(name)
        .withNewPersistentVolumeClaim()
        .withClaimName(claim)
        .endPersistentVolumeClaim()
        .build();
  }
}
