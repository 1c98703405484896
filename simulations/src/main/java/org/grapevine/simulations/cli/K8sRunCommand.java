package org.grapevine.simulations.cli;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.PrintWriter;
import java.time.Duration;
import org.grapevine.simulations.k8s.ClusterRun;
import org.grapevine.simulations.k8s.K8sOptions;
import org.grapevine.simulations.scenario.Durations;
import org.grapevine.simulations.scenario.Scenario;

/** {@code run --engine k8s}: the options read, a client made, then {@link ClusterRun}. */
final class K8sRunCommand {
  /** How often the run's Job and pods are looked at. */
  static final Duration POLL = Duration.ofSeconds(5);

  private K8sRunCommand() {}

  static int run(
      Scenario s,
      K8sCommands.Where where,
      String timeoutText,
      boolean keep,
      PrintWriter out,
      PrintWriter err) {
    K8sOptions o = where.options(s.name(), s.seed(), err);
    if (o == null) {
      return 2;
    }
    long nanos = Durations.parseNanos(timeoutText);
    if (nanos <= 0) {
      err.println("grapevine-sim: --timeout " + timeoutText + ": a duration such as 30m or 2h");
      return 2;
    }
    Duration timeout = Duration.ofNanos(nanos);
    // The kubeconfig as kubectl finds it: $KUBECONFIG, ~/.kube/config, or the pod's service
    // account.
    try (KubernetesClient client = new KubernetesClientBuilder().build()) {
      return new ClusterRun(client, o, out).run(s, timeout, POLL, keep);
    } catch (KubernetesClientException e) {
      err.println(
          "grapevine-sim: the Kubernetes API cannot be reached (kubeconfig: $KUBECONFIG or"
              + " ~/.kube/config): "
              + e.getMessage());
      return 1;
    }
  }
}
