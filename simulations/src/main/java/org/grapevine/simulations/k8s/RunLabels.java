package org.grapevine.simulations.k8s;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The names and labels of one run's Kubernetes objects. Every object of a run carries {@link #RUN}
 * = the run's id, so one selector finds all of them ({@code kubectl get all,cm,pvc -l
 * grapevine.org/run=ID}) and deletes them; {@link #ROLE} tells agents, coordinator, sweep workers
 * and the results reader apart.
 */
public final class RunLabels {
  public static final String RUN = "grapevine.org/run";
  public static final String ROLE = "grapevine.org/role";
  public static final String APP = "app.kubernetes.io/name";
  public static final String APP_NAME = "grapevine-sim";

  public static final String AGENT = "agent";
  public static final String COORDINATOR = "coordinator";
  public static final String SWEEP = "sweep-point";
  public static final String RESULTS = "results";

  /** Object names get suffixes of up to 12 characters; Kubernetes allows 63 for a label value. */
  static final int MAX_ID = 40;

  private RunLabels() {}

  /**
   * A run id from a scenario name and seed, as Kubernetes names allow (RFC 1123 label: lower case
   * letters, digits and '-', starting with a letter, at most {@link #MAX_ID} characters).
   */
  public static String runId(String scenarioName, long seed) {
    String base = scenarioName.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]+", "-");
    base = base.replaceAll("-+", "-").replaceAll("^-|-$", "");
    String suffix = "-" + Long.toUnsignedString(seed);
    String id = "gv-" + base;
    id = id.substring(0, Math.min(id.length(), MAX_ID - suffix.length())).replaceAll("-$", "");
    return id + suffix;
  }

  /**
   * Checks an id given on the command line.
   *
   * @throws IllegalArgumentException saying what Kubernetes allows (the user's mistake)
   */
  public static String checkId(String id) {
    if (!id.matches("[a-z]([a-z0-9-]*[a-z0-9])?") || id.length() > MAX_ID) {
      throw new IllegalArgumentException(
          "run id "
              + id
              + ": Kubernetes needs lower case letters, digits and '-', a letter first, at most "
              + MAX_ID
              + " characters");
    }
    return id;
  }

  /** The labels of a run's object with the given role. */
  public static Map<String, String> of(String runId, String role) {
    Map<String, String> m = new LinkedHashMap<>();
    m.put(APP, APP_NAME);
    m.put(RUN, runId);
    m.put(ROLE, role);
    return m;
  }

  /** What selects a run's pods of one role. */
  public static Map<String, String> selector(String runId, String role) {
    Map<String, String> m = new LinkedHashMap<>();
    m.put(RUN, runId);
    m.put(ROLE, role);
    return m;
  }
}
