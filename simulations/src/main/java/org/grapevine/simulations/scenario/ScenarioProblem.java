package org.grapevine.simulations.scenario;

/**
 * One thing wrong with a scenario file, said so that its author can fix it.
 *
 * @param path where, e.g. {@code latency.regions[1].weight} ({@code $} for the whole file)
 * @param value what the file holds there (abbreviated), or {@code (missing)}
 * @param allowed what would be accepted
 */
public record ScenarioProblem(String path, String value, String allowed) {
  @Override
  public String toString() {
    return path + ": " + value + " is not allowed; expected " + allowed;
  }
}
