package org.grapevine.simulations.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GrapevineSimTest {
  @TempDir
  Path dir;

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    return GrapevineSim.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
  }

  @Test
  void validate_goodScenario_okExitZero() {
    assertThat(run("validate", "scenarios/small.yaml")).isZero();
    assertThat(out.toString()).contains("ok (50 nodes, 40 posts");
  }

  @Test
  void validate_badScenario_listsEveryProblemExitOne() throws Exception {
    Path bad = dir.resolve("bad.yaml");
    Files.writeString(bad, "nodes: {count: 0}\nloss: 2\ncolour: blue\n");

    assertThat(run("validate", bad.toString())).isEqualTo(1);
    assertThat(err.toString()).contains("3 problems", "nodes.count: 0", "loss: 2", "colour: an unknown key");
  }

  @Test
  void validate_missingFile_saysSo() {
    assertThat(run("validate", dir.resolve("nope.yaml").toString())).isEqualTo(1);
    assertThat(err.toString()).contains("no such file");
  }

  @Test
  void run_smallScenario_writesTheFolder() {
    Path outDir = dir.resolve("out");
    assertThat(run("run", "scenarios/small.yaml", "--seed", "5", "--out", outDir.toString())).isZero();
    for (String f : new String[] {"scenario.yaml", "results.json", "deliveries.csv", "nodes.csv", "speed.json"}) {
      assertThat(outDir.resolve(f)).isRegularFile();
    }
    assertThat(out.toString()).contains("delivery 1.0000");
  }

  @Test
  void run_realEngine_notYet() {
    assertThat(run("run", "scenarios/small.yaml", "--engine", "real")).isEqualTo(1);
    assertThat(err.toString()).contains("not built yet");
  }
}
