package org.grapevine.simulations.distributed;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.grapevine.simulations.cli.GrapevineSim;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code grapevine-sim run --engine agents}: a coordinator in this JVM and three agent processes
 * (real child JVMs) holding four real nodes each, the hosts' delay added in user space between
 * agents.
 */
@Timeout(300)
class DistributedAgentsIT {
  private static final String SCENARIO =
      """
      name: agents-small
      seed: 7
      duration: %s
      warmUp: 2s
      nodes: {count: 12}
      connections: {model: random, degree: 4}
      latency: {model: constant, oneWay: 10ms}
      follows: {model: zipf, perNode: 3}
      workload: {posts: %d, postsPerSecond: 2, arrivals: constant}
      protocol: {syncInterval: 2s}
      dht: {enabled: false}
      hosts: {count: 3, netem: {delay: 25ms}}
      """;

  @TempDir Path dir;

  private static final Pattern PID = Pattern.compile("agent: pid (\\d+) ");

  @Test
  void everyPostArrivesAndCrossAgentDeliveriesTakeAtLeastTheHostsDelay() throws Exception {
    Path scenario = dir.resolve("s.yaml");
    Files.writeString(scenario, SCENARIO.formatted("8s", 10));
    Path out = dir.resolve("out");
    StringWriter err = new StringWriter();
    int code =
        GrapevineSim.execute(
            new PrintWriter(new StringWriter(), true),
            new PrintWriter(err, true),
            "run",
            scenario.toString(),
            "--engine",
            "agents",
            "--out",
            out.toString());
    assertThat(code).as(err.toString()).isZero();
    JsonNode results = new ObjectMapper().readTree(out.resolve("results.json").toFile());
    assertThat(results.path("engine").asText()).isEqualTo("agents");
    assertThat(results.path("complete").asBoolean()).isTrue();
    assertThat(results.path("delivery").path("ratio").asDouble()).isEqualTo(1.0);
    JsonNode hosts = results.path("hosts");
    assertThat(hosts.path("agents").asInt()).isEqualTo(3);
    assertThat(hosts.path("agentList")).hasSize(3);
    for (JsonNode a : hosts.path("agentList")) {
      assertThat(a.path("nodes").asInt()).isEqualTo(4);
      // One machine, one CLOCK_MONOTONIC: the offset estimate is within its own uncertainty.
      assertThat(Math.abs(a.path("clockOffsetMs").asDouble()))
          .isLessThanOrEqualTo(a.path("clockUncertaintyMs").asDouble() + 0.001);
    }
    int cross = 0;
    List<String> rows = Files.readAllLines(out.resolve("deliveries.csv"));
    for (String row : rows.subList(1, rows.size())) {
      String[] f = row.split(",", -1);
      int author = Integer.parseInt(f[1]);
      int recipient = Integer.parseInt(f[2]);
      if (author % 3 != recipient % 3) {
        cross++;
        assertThat(Double.parseDouble(f[5])).as(row).isGreaterThanOrEqualTo(25.0);
      }
    }
    assertThat(cross).isPositive();
    assertAgentsGone(out);
  }

  @Test
  void aKilledAgentEndsTheRunWithItsNameAndKeepsThePartialResults() throws Exception {
    Path scenario = dir.resolve("s.yaml");
    Files.writeString(scenario, SCENARIO.formatted("60s", 100));
    Path out = dir.resolve("out");
    StringWriter err = new StringWriter();
    CompletableFuture<Integer> run =
        CompletableFuture.supplyAsync(
            () ->
                GrapevineSim.execute(
                    new PrintWriter(new StringWriter(), true),
                    new PrintWriter(err, true),
                    "run",
                    scenario.toString(),
                    "--engine",
                    "agents",
                    "--out",
                    out.toString()));
    Path log1 = out.resolve("agents").resolve("agent-1.log");
    while (!(Files.exists(log1) && Files.readString(log1).contains("go received"))) {
      assertThat(run).as("the run ended before its clock started: " + err).isNotDone();
      TimeUnit.MILLISECONDS.sleep(200);
    }
    TimeUnit.SECONDS.sleep(5); // Posts start after the 2 s warm-up: some delivered first, to keep.
    long victim = pid(log1);
    ProcessHandle.of(victim).orElseThrow().destroyForcibly(); // SIGKILL: no goodbye.
    int code = run.get(120, TimeUnit.SECONDS);
    assertThat(code).isEqualTo(1);
    assertThat(err.toString())
        .contains("agent 1 (")
        .contains("pid " + victim)
        .contains("into the run")
        // A SIGKILL reads as EOF or, when the kernel still held unread bytes for it, a reset.
        .containsAnyOf("its connection closed (EOF", "its connection failed: Connection reset")
        .contains("partial results in");
    JsonNode results = new ObjectMapper().readTree(out.resolve("results.json").toFile());
    assertThat(results.path("complete").asBoolean(true)).isFalse();
    assertThat(results.path("failedAgents")).hasSize(1);
    assertThat(results.path("failedAgents").get(0).path("agent").asInt()).isEqualTo(1);
    assertThat(results.path("delivery").path("delivered").asLong()).isPositive();
    assertThat(out.resolve("deliveries.csv")).exists();
    assertAgentsGone(out);
  }

  private static long pid(Path log) throws Exception {
    Matcher m = PID.matcher(Files.readString(log));
    assertThat(m.find()).as(log.toString()).isTrue();
    return Long.parseLong(m.group(1));
  }

  /** Every agent process has ended by the time the command returned. */
  private static void assertAgentsGone(Path out) throws Exception {
    List<Long> pids = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      pids.add(pid(out.resolve("agents").resolve("agent-" + i + ".log")));
    }
    for (long p : pids) {
      assertThat(ProcessHandle.of(p).map(ProcessHandle::isAlive).orElse(false))
          .as("agent process " + p)
          .isFalse();
    }
  }
}
