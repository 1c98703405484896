package org.grapevine.simulations.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GrapevineSimTest {
  @TempDir Path dir;

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
    assertThat(err.toString())
        .contains("3 problems", "nodes.count: 0", "loss: 2", "colour: an unknown key");
  }

  @Test
  void validate_missingFile_saysSo() {
    assertThat(run("validate", dir.resolve("nope.yaml").toString())).isEqualTo(1);
    assertThat(err.toString()).contains("no such file");
  }

  @Test
  void run_smallScenario_writesTheFolder() {
    Path outDir = dir.resolve("out");
    assertThat(run("run", "scenarios/small.yaml", "--seed", "5", "--out", outDir.toString()))
        .isZero();
    for (String f :
        new String[] {
          "scenario.yaml", "results.json", "deliveries.csv", "nodes.csv", "speed.json"
        }) {
      assertThat(outDir.resolve(f)).isRegularFile();
    }
    assertThat(out.toString()).contains("delivery 1.0000");
  }

  @Test
  void run_resultsJson_recordsTheCodeVersionAndTheScenarioDigest() throws Exception {
    Path outDir = dir.resolve("out");
    assertThat(run("run", "scenarios/small.yaml", "--out", outDir.toString())).isZero();

    JsonNode provenance =
        new ObjectMapper().readTree(outDir.resolve("results.json").toFile()).get("provenance");
    byte[] scenario = Files.readAllBytes(outDir.resolve("scenario.yaml"));
    assertThat(provenance.get("scenarioSha256").asText())
        .isEqualTo(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(scenario)));
    // Built from this clone (the module's parent holds .git), so the commit must be known.
    if (Files.exists(Path.of("..", ".git"))) {
      assertThat(provenance.get("codeVersion").asText()).matches("[0-9a-f]{40}(-dirty)?");
    }
  }

  @Test
  void run_realEngineWithFaults_refusedSayingWhy() throws Exception {
    Path churn = dir.resolve("churn.yaml");
    Files.writeString(
        churn,
        """
        nodes: {count: 5}
        follows: {perNode: 2}
        loss: 0.1
        faults: {churn: {leavesPerHour: 2}}
        protocol: {gossip: {d: 4, dLo: 3}}
        """);
    assertThat(run("run", churn.toString(), "--engine", "real")).isEqualTo(1);
    assertThat(err.toString())
        .contains("loss: TCP on loopback", "faults.churn")
        .doesNotContain("protocol.gossip");
  }

  @Test
  void run_realEngineWithRouterSettings_runsThem() throws Exception {
    Path tuned = dir.resolve("tuned.yaml");
    Files.writeString(
        tuned,
        "name: tuned\nseed: 3\nduration: 6s\nwarmUp: 1s\nnodes: {count: 6}\n"
            + "connections: {degree: 3}\nfollows: {perNode: 2}\nworkload: {posts: 4, postsPerSecond: 2}\n"
            + "protocol: {gossip: {d: 3, dLo: 2, dHi: 5, dScore: 2, dOut: 1, heartbeatInterval: 500ms},"
            + " score: {behaviourPenaltyWeight: -5}, thresholds: {graylistThreshold: -100}}\n");
    Path outDir = dir.resolve("tuned-out");
    assertThat(run("run", tuned.toString(), "--engine", "real", "--out", outDir.toString()))
        .as(err.toString())
        .isZero();
    assertThat(out.toString()).contains("delivery 1.0000");
    assertThat(Files.readString(outDir.resolve("scenario.yaml"))).contains("heartbeatInterval");
  }

  @Test
  void sweep_twoParameters_writesTableReportAndAFolderPerPoint() throws Exception {
    Path base = dir.resolve("base.yaml");
    Files.writeString(
        base,
        """
        name: tiny
        seed: 3
        duration: 20s
        warmUp: 5s
        nodes: {count: 20}
        connections: {degree: 4}
        follows: {perNode: 3}
        workload: {posts: 5}
        """);
    Path outDir = dir.resolve("sweep");

    assertThat(
            run(
                "sweep",
                base.toString(),
                "--param",
                "D=4,8",
                "--param",
                "latency.oneWay=20ms,80ms",
                "--out",
                outDir.toString()))
        .as(err.toString())
        .isZero();

    java.util.List<String> csv = Files.readAllLines(outDir.resolve("sweep.csv"));
    assertThat(csv).hasSize(5);
    assertThat(csv.get(0)).startsWith("D,latency.oneWay,delivery_ratio,latency_p50_ms,");
    assertThat(csv.get(1)).startsWith("4,20ms,1,");
    assertThat(csv.get(4)).startsWith("8,80ms,1,");
    for (String line : csv.subList(1, 5)) {
      String folder = line.substring(line.lastIndexOf(',') + 1);
      assertThat(outDir.resolve(folder).resolve("results.json")).isRegularFile();
      assertThat(outDir.resolve(folder).resolve("report.html")).isRegularFile();
    }
    // The point's scenario really has the swept values.
    assertThat(Files.readString(outDir.resolve("points/D=8+latency.oneWay=80ms/scenario.yaml")))
        .contains("d: 8", "oneWay: 80ms");
    // Latency follows the link latency: p50 at 80 ms links is above p50 at 20 ms links.
    double p50At20 = Double.parseDouble(csv.get(1).split(",", -1)[3]);
    double p50At80 = Double.parseDouble(csv.get(2).split(",", -1)[3]);
    assertThat(p50At80).isGreaterThan(p50At20 * 2);
    String html = Files.readString(outDir.resolve("sweep.html"));
    assertThat(html)
        .contains("id=\"chart-D\"", "id=\"chart-latency.oneWay\"")
        .doesNotContain("http://", "https://");
    assertThat(Files.readString(outDir.resolve("sweep.json")))
        .contains("\"key\" : \"D\"", "\"path\" : \"protocol.gossip.d\"");
  }

  @Test
  void sweep_badValue_explainedWithItsPointNothingRun() throws Exception {
    Path outDir = dir.resolve("bad");
    assertThat(
            run(
                "sweep",
                "scenarios/small.yaml",
                "--param",
                "nodes.count=50,1",
                "--out",
                outDir.toString()))
        .isEqualTo(1);
    assertThat(err.toString()).contains("[nodes.count=1] nodes.count: 1 is not allowed");
    assertThat(outDir).doesNotExist();
  }

  @Test
  void sweep_malformedParam_usageError() {
    assertThat(run("sweep", "scenarios/small.yaml", "--param", "D")).isEqualTo(2);
    assertThat(err.toString()).contains("expected key=value1,value2");
  }
}
