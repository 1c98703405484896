package org.grapevine.simulations;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import org.grapevine.simulations.scenario.ScenarioReader;
import org.junit.jupiter.api.Test;

/**
 * The regression guard (STYLE.md C8.6): {@code scenarios/small.yaml} with its fixed seed, key
 * figures against the values recorded when it was written. A change to the router, the engine or
 * the metrics that moves them fails here; if the move is intended, record the new values (and say
 * why in the commit).
 */
class SmallScenarioRegressionTest {
  @Test
  void smallScenario_keyFigures_matchRecordedValues() throws Exception {
    JsonNode r = SimulationRun.run(ScenarioReader.read(Path.of("scenarios/small.yaml")), null).results();

    assertThat(r.path("workload").path("recipientPairs").asInt()).isEqualTo(547);
    assertThat(r.path("delivery").path("ratio").asDouble()).isEqualTo(1.0);
    assertThat(r.path("floodLowerBoundMs").path("p50").asDouble()).isEqualTo(55.22);
    assertThat(r.path("latencyMs").path("p50").asDouble()).isCloseTo(78.441, within(4.0));
    assertThat(r.path("latencyMs").path("p99").asDouble()).isCloseTo(137.645, within(7.0));
    assertThat(r.path("duplicates").path("perDelivery").asDouble()).isCloseTo(5.576, within(0.3));
    assertThat(r.path("hops").path("mean").asDouble()).isCloseTo(2.024, within(0.1));
    assertThat(r.path("bytes").path("payloadOverIdeal").asDouble()).isCloseTo(7.984, within(0.4));
    assertThat(r.path("mesh").path("stableAtSeconds").asInt()).isEqualTo(1);
  }
}
