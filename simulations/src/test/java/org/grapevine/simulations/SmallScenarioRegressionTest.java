package org.grapevine.simulations;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.grapevine.simulations.metrics.OutputFiles;
import org.grapevine.simulations.scenario.ScenarioReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The regression guard: {@code scenarios/small.yaml} with its fixed seed must give, byte for byte,
 * the {@code results.json} recorded below. A virtual run is deterministic (virtual time, seeded
 * randomness, fixed JSON formatting), so any change to the router, the node core, the engine or the
 * metrics that moves any figure fails here, not just a move past a tolerance. Nothing in {@code
 * results.json} legitimately varies between equal runs: the wall clock, speed and heap figures go
 * to {@code speed.json} ({@link OutputFiles}), which is not digested.
 *
 * <p>When the change is intended, update {@link #RECORDED} deliberately: run the scenario on the
 * commit before and after ({@code ./grapevine-sim run simulations/scenarios/small.yaml --out DIR}),
 * diff the two {@code results.json}, check that every figure that moved should have moved, paste
 * the new digest (the failure message prints it) and say in the commit which figures moved and why.
 */
class SmallScenarioRegressionTest {
  /**
   * SHA-256 of results.json for scenarios/small.yaml, recorded at the commit that last changed it.
   */
  static final String RECORDED = "2b99b0f4addc0cfebee38d7f0f623b154b8c41d8d586cf57bf642619e64dfcc6";

  @Test
  void smallScenario_resultsJson_isByteIdenticalToTheRecordedRun(@TempDir Path dir)
      throws Exception {
    SimulationRun.Outcome o =
        SimulationRun.run(ScenarioReader.read(Path.of("scenarios/small.yaml")), null);
    Path file = dir.resolve(OutputFiles.RESULTS);
    OutputFiles.writeJson(file, o.results()); // The same bytes as a run folder's results.json.
    byte[] bytes = Files.readAllBytes(file);
    String digest = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));

    assertThat(digest)
        .as(
            "results.json of scenarios/small.yaml changed: SHA-256 %s, recorded %s. If the change is intended, diff it"
                + " against a run of the previous commit (./grapevine-sim run simulations/scenarios/small.yaml --out DIR), set"
                + " SmallScenarioRegressionTest.RECORDED to the new digest and say in the commit which figures moved and"
                + " why. This run's results.json:%n%s",
            digest, RECORDED, new String(bytes, StandardCharsets.UTF_8))
        .isEqualTo(RECORDED);
  }
}
