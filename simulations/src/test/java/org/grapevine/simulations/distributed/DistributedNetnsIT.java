package org.grapevine.simulations.distributed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.grapevine.simulations.cli.GrapevineSim;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code grapevine-sim run --engine netns}: three agents, each in its own network namespace with
 * four real nodes, the hosts' delay of 25 ms on every connection between agents (kernel netem where
 * the kernel has it, else in user space). Every post arrives, every delivery between nodes of two
 * agents takes at least the delay, and no namespace, link or process is left.
 *
 * <p>Needs root and iproute2; without them the test is skipped, except with {@code CI=true}, where
 * it fails.
 */
@Timeout(300)
class DistributedNetnsIT {
  private static final String SCENARIO =
      """
      name: netns-small
      seed: 11
      duration: 8s
      warmUp: 2s
      nodes: {count: 12}
      connections: {model: random, degree: 4}
      latency: {model: constant, oneWay: 5ms}
      follows: {model: zipf, perNode: 3}
      workload: {posts: 10, postsPerSecond: 2, arrivals: constant}
      protocol: {syncInterval: 2s}
      dht: {enabled: false}
      hosts: {count: 3, netem: {delay: 25ms}}
      """;

  @TempDir Path dir;

  @BeforeEach
  void rootAndIp() throws Exception {
    String why = null;
    try {
      Process p =
          new ProcessBuilder("ip", "netns", "list")
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start();
      if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
        why = "`ip netns list` failed";
      }
    } catch (java.io.IOException e) {
      why = "no `ip` command (" + e.getMessage() + ")";
    }
    if (why == null && !"root".equals(System.getProperty("user.name"))) {
      why = "not root";
    }
    if (why != null) {
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        fail("the distributed netns test cannot run on CI: " + why);
      }
      Assumptions.abort(
          "skipping the distributed netns test: "
              + why
              + " (needs root and iproute2; CI=true makes this a failure)");
    }
  }

  @Test
  void everyPostArrivesAndNoDeliveryBetweenAgentsBeatsTheHostsDelay() throws Exception {
    Path scenario = dir.resolve("s.yaml");
    Files.writeString(scenario, SCENARIO);
    Path out = dir.resolve("out");
    StringWriter err = new StringWriter();
    int code =
        GrapevineSim.execute(
            new PrintWriter(new StringWriter(), true),
            new PrintWriter(err, true),
            "run",
            scenario.toString(),
            "--engine",
            "netns",
            "--out",
            out.toString());
    try {
      assertThat(code).as(err.toString()).isZero();
      JsonNode results = new ObjectMapper().readTree(out.resolve("results.json").toFile());
      assertThat(results.path("engine").asText()).isEqualTo("netns");
      assertThat(results.path("delivery").path("ratio").asDouble()).isEqualTo(1.0);
      JsonNode hosts = results.path("hosts");
      assertThat(hosts.path("agentList")).hasSize(3);
      assertThat(hosts.path("agentList").get(1).path("address").asText()).startsWith("198.1");
      assertThat(hosts.path("delayAppliedBy").asText()).isNotEqualTo("none");
      int cross = 0;
      List<String> rows = Files.readAllLines(out.resolve("deliveries.csv"));
      for (String row : rows.subList(1, rows.size())) {
        String[] f = row.split(",", -1);
        if (Integer.parseInt(f[1]) % 3 != Integer.parseInt(f[2]) % 3) {
          cross++;
          assertThat(Double.parseDouble(f[5])).as(row).isGreaterThanOrEqualTo(25.0);
        }
      }
      assertThat(cross).isPositive();
    } finally {
      String tag = "gvs" + ProcessHandle.current().pid();
      Process p = new ProcessBuilder("ip", "netns", "list").redirectErrorStream(true).start();
      String list = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      p.waitFor(10, TimeUnit.SECONDS);
      assertThat(list).as("namespaces left").doesNotContain(tag);
      Process l = new ProcessBuilder("ip", "-o", "link").redirectErrorStream(true).start();
      String links = new String(l.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      l.waitFor(10, TimeUnit.SECONDS);
      assertThat(links).as("links left").doesNotContain(tag);
      assertThat(ProcessHandle.current().children().filter(ProcessHandle::isAlive).count())
          .as("agent processes left")
          .isZero();
    }
  }
}
