package org.grapevine.simulations.scenario;

import java.util.List;

/** A scenario file that cannot be run: every problem found, not only the first. */
public final class ScenarioException extends Exception {
  private static final long serialVersionUID = 1L;

  private final transient List<ScenarioProblem> problems;

  public ScenarioException(String source, List<ScenarioProblem> problems) {
    super(
        source
            + ": "
            + problems.size()
            + (problems.size() == 1 ? " problem" : " problems")
            + "\n"
            + String.join("\n", problems.stream().map(p -> "  " + p).toList()));
    this.problems = List.copyOf(problems);
  }

  public List<ScenarioProblem> problems() {
    return problems;
  }
}
