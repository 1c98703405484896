package org.grapevine.simulations.k8s;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.grapevine.simulations.scenario.Scenario;

/**
 * {@code grapevine-sim run --engine k8s}: creates a run's objects ({@link RunManifests}) through
 * the API server, follows the coordinator's Job until it succeeds, fails or the time is up (saying
 * what the pods are doing as it changes, the coordinator's log tail on failure), starts the results
 * reader, says how to copy the results, and deletes the run's objects unless asked to keep them
 * (the results claim and its reader stay until the results are copied).
 */
public final class ClusterRun {
  /** How a run on the cluster ended. */
  public enum Outcome {
    SUCCEEDED,
    FAILED,
    TIMED_OUT
  }

  /** Lines of the coordinator's log shown when the run fails. */
  static final int LOG_TAIL = 40;

  /** Distinct pod problems printed per poll; the rest are counted. */
  static final int MAX_PROBLEM_LINES = 20;

  private final KubernetesClient client;
  private final K8sOptions options;
  private final PrintWriter out;
  private final Map<String, String> lastSeen = new HashMap<>();
  private String lastAgentSummary = "";

  public ClusterRun(KubernetesClient client, K8sOptions options, PrintWriter out) {
    this.client = client;
    this.options = options;
    this.out = out;
  }

  /**
   * The whole of {@code run --engine k8s}: apply, follow, reader, clean-up. Returns the exit code
   * (0 when the coordinator's Job succeeded).
   */
  public int run(Scenario s, Duration timeout, Duration poll, boolean keep) {
    RunManifests.Objects objects = RunManifests.build(s, options);
    String ns = options.namespace();
    String id = options.runId();
    List<HasMetadata> created = java.util.Collections.synchronizedList(new ArrayList<>());
    // Ctrl-C: the hooks run, and the run's pods must not stay behind on the cluster.
    Thread cleaner =
        new Thread(
            () -> {
              if (!keep) {
                delete(created, false);
              }
            },
            "k8s-run-cleanup");
    Runtime.getRuntime().addShutdownHook(cleaner);
    Outcome outcome;
    try {
      try {
        for (HasMetadata o : objects.all()) {
          client.resource(o).inNamespace(ns).create();
          created.add(o);
          out.printf("created %s/%s in namespace %s%n", o.getKind(), o.getMetadata().getName(), ns);
        }
      } catch (KubernetesClientException e) {
        if (e.getCode() <= 0) { // No HTTP answer at all.
          out.println(
              "grapevine-sim: the Kubernetes API at "
                  + client.getMasterUrl()
                  + " cannot be reached (kubeconfig: $KUBECONFIG or ~/.kube/config, as kubectl): "
                  + rootCause(e));
          return 1;
        }
        out.println(
            "grapevine-sim: the cluster refused "
                + (created.size() < objects.all().size()
                    ? objects.all().get(created.size()).getKind()
                        + "/"
                        + objects.all().get(created.size()).getMetadata().getName()
                    : "an object")
                + ": HTTP "
                + e.getCode()
                + " "
                + e.getMessage()
                + (e.getCode() == 409
                    ? " (a run with this id exists: kubectl -n "
                        + ns
                        + " delete all,cm,pvc -l "
                        + RunLabels.RUN
                        + "="
                        + id
                        + ", or pass another --run-id)"
                    : ""));
        if (!keep) {
          delete(created, true);
        }
        return 1;
      }
      outcome = follow(RunManifests.coordinatorJob(id), timeout, poll);
      if (outcome != Outcome.SUCCEEDED) {
        printCoordinatorLog();
      }
      if (outcome != Outcome.TIMED_OUT) {
        startReader(objects);
      }
    } finally {
      if (!keep) {
        delete(created, false);
      }
      try {
        Runtime.getRuntime().removeShutdownHook(cleaner);
      } catch (IllegalStateException shuttingDown) {
        // The hook runs already.
      }
    }
    if (keep) {
      out.printf(
          "kept the run's objects (--keep); delete them all with: kubectl -n %s delete"
              + " all,cm,pvc -l %s=%s%n",
          ns, RunLabels.RUN, id);
    }
    out.println(
        "run " + id + ": " + outcome.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' '));
    return outcome == Outcome.SUCCEEDED ? 0 : 1;
  }

  /**
   * Follows the Job until it succeeds, fails, or {@code timeout} passes, checking every {@code
   * poll}; prints the pods' phases as they change.
   */
  public Outcome follow(String jobName, Duration timeout, Duration poll) {
    String ns = options.namespace();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      Job job = client.batch().v1().jobs().inNamespace(ns).withName(jobName).get();
      if (job == null) {
        out.println(
            "grapevine-sim: the Job " + jobName + " is gone from namespace " + ns + " (deleted?)");
        return Outcome.FAILED;
      }
      reportPods();
      JobStatus st = job.getStatus();
      if (st != null) {
        if (st.getSucceeded() != null && st.getSucceeded() > 0) {
          out.println("the coordinator's Job " + jobName + " succeeded");
          return Outcome.SUCCEEDED;
        }
        String failed = failure(st);
        if (failed != null) {
          out.println("the coordinator's Job " + jobName + " failed: " + failed);
          return Outcome.FAILED;
        }
      }
      if (System.nanoTime() - deadline >= 0) {
        out.println(
            "grapevine-sim: the coordinator's Job "
                + jobName
                + " has not finished after "
                + String.format(java.util.Locale.ROOT, "%.1f", timeout.toMillis() / 1000.0)
                + " s (--timeout); stopping");
        return Outcome.TIMED_OUT;
      }
      try {
        Thread.sleep(poll.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        out.println("grapevine-sim: interrupted while following " + jobName);
        return Outcome.TIMED_OUT;
      }
    }
  }

  private static String rootCause(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t == e
        ? String.valueOf(e.getMessage())
        : t.getClass().getSimpleName() + ": " + t.getMessage();
  }

  /** Why the Job failed, or null while it has not. */
  static String failure(JobStatus st) {
    if (st.getConditions() != null) {
      for (JobCondition c : st.getConditions()) {
        if ("Failed".equals(c.getType()) && "True".equals(c.getStatus())) {
          return c.getReason() + (c.getMessage() == null ? "" : ": " + c.getMessage());
        }
      }
    }
    if (st.getFailed() != null && st.getFailed() > 0) {
      return st.getFailed() + " pod(s) failed";
    }
    return null;
  }

  /**
   * Prints what changed: the coordinator's pods one by one, the agents as counts by phase, and
   * every pod's problem (waiting for an image, crashing, ended with an error).
   */
  void reportPods() {
    List<Pod> pods =
        client
            .pods()
            .inNamespace(options.namespace())
            .withLabel(RunLabels.RUN, options.runId())
            .list()
            .getItems();
    Map<String, Integer> agents = new TreeMap<>();
    int problems = 0;
    int unprinted = 0;
    for (Pod p : pods) {
      String name = p.getMetadata().getName();
      Map<String, String> labels = p.getMetadata().getLabels();
      String role = labels == null ? "?" : labels.getOrDefault(RunLabels.ROLE, "?");
      String phase = p.getStatus() == null ? "Unknown" : String.valueOf(p.getStatus().getPhase());
      String problem = problem(p);
      if (RunLabels.AGENT.equals(role)) {
        agents.merge(phase, 1, Integer::sum);
      }
      String state = phase + (problem == null ? "" : " (" + problem + ")");
      if (!state.equals(lastSeen.put(name, state))
          && (!RunLabels.AGENT.equals(role) || problem != null)) {
        if (problems++ < MAX_PROBLEM_LINES) {
          out.println("pod " + name + ": " + state);
        } else {
          unprinted++;
        }
      }
    }
    if (unprinted > 0) {
      out.println("... and " + unprinted + " more pods changed");
    }
    if (!agents.isEmpty()) {
      StringBuilder b = new StringBuilder("agents:");
      agents.forEach((phase, n) -> b.append(' ').append(n).append(' ').append(phase));
      if (!b.toString().equals(lastAgentSummary)) {
        lastAgentSummary = b.toString();
        out.println(lastAgentSummary);
      }
    }
  }

  /** A pod's trouble in a few words, or null when it has none. */
  static String problem(Pod p) {
    if (p.getStatus() == null) {
      return null;
    }
    List<ContainerStatus> all = new ArrayList<>();
    if (p.getStatus().getInitContainerStatuses() != null) {
      all.addAll(p.getStatus().getInitContainerStatuses());
    }
    if (p.getStatus().getContainerStatuses() != null) {
      all.addAll(p.getStatus().getContainerStatuses());
    }
    for (ContainerStatus c : all) {
      if (c.getState() == null) {
        continue;
      }
      var waiting = c.getState().getWaiting();
      if (waiting != null
          && waiting.getReason() != null
          && !waiting.getReason().equals("ContainerCreating")
          && !waiting.getReason().equals("PodInitializing")) {
        return c.getName()
            + " waiting: "
            + waiting.getReason()
            + (waiting.getMessage() == null ? "" : " " + waiting.getMessage());
      }
      var term = c.getState().getTerminated();
      if (term != null && term.getExitCode() != null && term.getExitCode() != 0) {
        return c.getName()
            + " exited "
            + term.getExitCode()
            + (term.getReason() == null ? "" : " " + term.getReason());
      }
    }
    if ("Pending".equals(p.getStatus().getPhase()) && p.getStatus().getConditions() != null) {
      for (var c : p.getStatus().getConditions()) {
        if ("PodScheduled".equals(c.getType()) && "False".equals(c.getStatus())) {
          return "unschedulable: " + c.getMessage(); // Often: not enough CPU or memory free.
        }
      }
    }
    return null;
  }

  private void printCoordinatorLog() {
    List<Pod> pods =
        client
            .pods()
            .inNamespace(options.namespace())
            .withLabels(RunLabels.selector(options.runId(), RunLabels.COORDINATOR))
            .list()
            .getItems();
    if (pods.isEmpty()) {
      out.println("no coordinator pod was started (see the pods' states above)");
      return;
    }
    for (Pod p : pods) {
      String name = p.getMetadata().getName();
      try {
        String log =
            client
                .pods()
                .inNamespace(options.namespace())
                .withName(name)
                .tailingLines(LOG_TAIL)
                .getLog();
        out.println("last " + LOG_TAIL + " lines of " + name + "'s log:");
        for (String line : (log == null ? "" : log).split("\n", -1)) {
          out.println("  | " + line);
        }
      } catch (KubernetesClientException e) {
        out.println(
            "the log of " + name + " cannot be read: HTTP " + e.getCode() + " " + e.getMessage());
      }
    }
  }

  private void startReader(RunManifests.Objects objects) {
    String ns = options.namespace();
    String id = options.runId();
    Pod reader = RunManifests.resultsReader(id, objects.results().getMetadata().getName(), options);
    try {
      client.resource(reader).inNamespace(ns).create();
    } catch (KubernetesClientException e) {
      out.println(
          "grapevine-sim: the results reader pod could not be created: HTTP "
              + e.getCode()
              + " "
              + e.getMessage()
              + " (the results stay on claim "
              + objects.results().getMetadata().getName()
              + ")");
      return;
    }
    String name = reader.getMetadata().getName();
    out.printf(
        "results are on claim %s; copy them with:%n"
            + "  kubectl -n %s wait --for=condition=Ready pod/%s%n"
            + "  kubectl -n %s cp %s:%s results/%s%n"
            + "then free the claim: kubectl -n %s delete pod,pvc -l %s=%s%n",
        objects.results().getMetadata().getName(),
        ns,
        name,
        ns,
        name,
        RunManifests.resultsPath(id),
        id,
        ns,
        RunLabels.RUN,
        id);
  }

  /**
   * Deletes the objects (pods of the StatefulSet and the Job with them), except the results claim
   * unless {@code withResults}: it holds what the run wrote.
   */
  private void delete(List<HasMetadata> objects, boolean withResults) {
    List<HasMetadata> copy;
    synchronized (objects) {
      copy = new ArrayList<>(objects);
      objects.clear();
    }
    for (HasMetadata o : copy) {
      if (!withResults && "PersistentVolumeClaim".equals(o.getKind())) {
        continue;
      }
      try {
        client
            .resource(o)
            .inNamespace(options.namespace())
            .withPropagationPolicy(DeletionPropagation.BACKGROUND)
            .delete();
        out.printf("deleted %s/%s%n", o.getKind(), o.getMetadata().getName());
      } catch (KubernetesClientException e) {
        out.printf(
            "grapevine-sim: could not delete %s/%s: HTTP %d %s%n",
            o.getKind(), o.getMetadata().getName(), e.getCode(), e.getMessage());
      }
    }
  }
}
