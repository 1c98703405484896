package org.grapevine.simulations;

import org.grapevine.simulations.metrics.RunData;

/**
 * What both engines do: run one scenario and return what was measured, in the same {@link RunData},
 * so results, reports and sweeps do not care which engine ran.
 */
public interface SimulationEngine {
  /** Told of progress now and then; the caller reads the wall clock, not the engine. */
  @FunctionalInterface
  interface Progress {
    void update(long simNanos, long durationNanos, long events);
  }

  /**
   * Runs the scenario to its duration.
   *
   * @param clockStarted called once, when the scenario's clock starts (after the engine's own
   *     set-up: the real engine starts and connects its nodes first)
   * @throws java.io.IOException if the engine cannot create what it runs on (data directories)
   */
  RunData run(Progress progress, Runnable clockStarted) throws java.io.IOException;

  /**
   * Adds what only this engine knows to the run's {@code results.json} (the distributed engine: its
   * hosts, clock offsets, and whether every agent finished); nothing by default.
   */
  default void annotate(com.fasterxml.jackson.databind.node.ObjectNode results) {}
}
