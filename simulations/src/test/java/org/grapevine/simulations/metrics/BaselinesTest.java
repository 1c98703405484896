package org.grapevine.simulations.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.grapevine.simulations.SimulationRun;
import org.grapevine.simulations.scenario.ScenarioReader;
import org.junit.jupiter.api.Test;

/**
 * The bounds computed by several workers are the ones one worker computes: groups write disjoint
 * slots, and every worker has its own buffers.
 */
class BaselinesTest {
  @Test
  void severalWorkers_giveTheBoundsOfOne() throws Exception {
    SimulationRun.Inputs in =
        SimulationRun.Inputs.generate(ScenarioReader.read(Path.of("scenarios/small.yaml")));
    int[] bytes = new int[in.workload().posts()];
    for (int k = 0; k < bytes.length; k++) {
      bytes[k] = 300 + 200 * (k % 3); // several sizes per author: several groups each
    }
    DeliveryLog one = new DeliveryLog(in.follows(), in.workload());
    Baselines.compute(one, in.topology(), in.network(), bytes, 1);
    DeliveryLog three = new DeliveryLog(in.follows(), in.workload());
    Baselines.compute(three, in.topology(), in.network(), bytes, 3);

    assertThat(one.pairs()).isGreaterThan(100);
    int positive = 0;
    for (int s = 0; s < one.pairs(); s++) {
      assertThat(three.lowerBoundNanos(s)).as("slot %d", s).isEqualTo(one.lowerBoundNanos(s));
      assertThat(three.topicBoundNanos(s)).as("slot %d", s).isEqualTo(one.topicBoundNanos(s));
      assertThat(one.topicBoundNanos(s)).isGreaterThanOrEqualTo(one.lowerBoundNanos(s));
      if (one.lowerBoundNanos(s) > 0) {
        positive++;
      }
    }
    assertThat(positive).isEqualTo(one.pairs()); // every pair got a bound (all reachable here)
  }
}
