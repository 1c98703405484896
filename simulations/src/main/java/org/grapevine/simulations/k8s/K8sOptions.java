package org.grapevine.simulations.k8s;

/**
 * Where and with what a run goes on Kubernetes.
 *
 * @param namespace the namespace of every object (must exist)
 * @param image the grapevine-sim image (simulations/Dockerfile)
 * @param runId the run's id: names and the {@link RunLabels#RUN} label
 * @param resultsSize the size of the results volume claim, a Kubernetes quantity (e.g. {@code 5Gi})
 */
public record K8sOptions(String namespace, String image, String runId, String resultsSize) {
  public static final String DEFAULT_NAMESPACE = "default";
  public static final String DEFAULT_IMAGE = "grapevine-sim:latest";
  public static final String DEFAULT_RESULTS_SIZE = "5Gi";

  /** The coordinator's port (the distributed engine's default). */
  public static final int COORDINATOR_PORT = 7400;

  public K8sOptions {
    if (!namespace.matches("[a-z0-9]([a-z0-9-]*[a-z0-9])?") || namespace.length() > 63) {
      throw new IllegalArgumentException(
          "--namespace " + namespace + ": not a Kubernetes namespace name");
    }
    if (image.isBlank()
        || image.length() > 512
        || image.chars().anyMatch(Character::isWhitespace)) {
      throw new IllegalArgumentException("--image '" + image + "': not an image reference");
    }
    RunLabels.checkId(runId);
    if (!resultsSize.matches("[0-9]+(Ki|Mi|Gi|Ti)")) {
      throw new IllegalArgumentException(
          "--results-size " + resultsSize + ": a size such as 500Mi or 5Gi");
    }
  }
}
