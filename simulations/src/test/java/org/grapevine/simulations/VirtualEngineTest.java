package org.grapevine.simulations;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.grapevine.simulations.metrics.DeliveryLog;
import org.grapevine.simulations.metrics.OutputFiles;
import org.grapevine.simulations.scenario.Scenario;
import org.grapevine.simulations.scenario.ScenarioReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VirtualEngineTest {
  private static final String BASE =
      """
      name: test
      seed: 3
      duration: 40s
      warmUp: 5s
      nodes: {count: 40}
      connections: {model: random, degree: 3}
      latency: {model: uniform, min: 5ms, max: 60ms, jitter: 3ms}
      follows: {model: zipf, perNode: 4}
      workload: {posts: 25, postsPerSecond: 1, arrivals: constant}
      """;

  @TempDir Path dir;

  @Test
  void run_noLossNoFaults_deliversEveryPostToEveryFollower() throws Exception {
    SimulationRun.Outcome o = SimulationRun.run(ScenarioReader.parse(BASE, "test"), null);

    DeliveryLog log = o.data().log();
    assertThat(log.pairs()).isGreaterThan(100);
    for (int s = 0; s < log.pairs(); s++) {
      assertThat(log.firstNanos(s)).as("slot %d", s).isGreaterThanOrEqualTo(0);
      assertThat(log.via(s))
          .isNotEqualTo(DeliveryLog.NOT_DELIVERED); // Mostly gossip; a sync round may come first.
      assertThat(log.hops(s)).isPositive();
      assertThat(log.copies(s)).isPositive();
    }
    assertThat(o.results().path("delivery").path("ratio").asDouble()).isEqualTo(1.0);
    assertThat(o.results().path("delivery").path("syncShare").asDouble()).isLessThan(0.1);
    // Nothing beats the flood lower bound on the same graph.
    assertThat(o.results().path("stretch").path("p50").asDouble()).isGreaterThanOrEqualTo(1.0);
    for (int k = 0; k < log.posts(); k++) {
      for (int s = log.firstSlot(k); s < log.endSlot(k); s++) {
        assertThat(log.firstNanos(s) - log.publishedNanos(k))
            .isGreaterThanOrEqualTo(log.lowerBoundNanos(s));
        // Only the topic's subscribers relay: every copy came through them.
        assertThat(log.topicBoundNanos(s)).isNotEqualTo(Long.MAX_VALUE);
        assertThat(log.topicBoundNanos(s)).isGreaterThanOrEqualTo(log.lowerBoundNanos(s));
        assertThat(log.firstNanos(s) - log.publishedNanos(k))
            .isGreaterThanOrEqualTo(log.topicBoundNanos(s));
      }
    }
  }

  @Test
  void run_shortcutThroughANonSubscriber_topicBoundTakesTheSubscribersPath() throws Exception {
    // 0 -> 1 -> 2 is the shortest path, but 1 does not follow 0: its router never relays 0's
    // topic, so 0's posts reach 2 over 0 -> 3 -> 4 -> 2, three hops of 40 ms against two.
    Scenario s =
        ScenarioReader.parse(
            """
            name: detour
            duration: 20s
            warmUp: 5s
            nodes: {count: 5}
            connections: {model: explicit, edges: [[0, 1], [1, 2], [0, 3], [3, 4], [4, 2]],
              topicPeers: 0}
            latency: {model: constant, oneWay: 40ms}
            follows: {model: explicit, edges: [[2, 0], [3, 0], [4, 0]]}
            workload: {posts: 5, postsPerSecond: 1, arrivals: constant}
            dht: {enabled: false}
            """,
            "detour");
    SimulationRun.Outcome o = SimulationRun.run(s, null);

    DeliveryLog log = o.data().log();
    assertThat(o.results().path("delivery").path("ratio").asDouble()).isEqualTo(1.0);
    for (int k = 0; k < log.posts(); k++) {
      for (int slot = log.firstSlot(k); slot < log.endSlot(k); slot++) {
        long delay = log.firstNanos(slot) - log.publishedNanos(k);
        if (log.recipient(k, slot) == 2) {
          assertThat(log.lowerBoundNanos(slot)).isBetween(80_000_000L, 90_000_000L);
          assertThat(log.topicBoundNanos(slot)).isBetween(120_000_000L, 130_000_000L);
        }
        assertThat(delay).isGreaterThanOrEqualTo(log.topicBoundNanos(slot));
      }
    }
    assertThat(o.results().path("topicBound").path("overOfFloodBound").path("max").asDouble())
        .isGreaterThan(1.4);
    assertThat(o.results().path("topicBound").path("unreachable").asInt()).isZero();
  }

  @Test
  void run_partition_deliveryBoundedByGroupsThenSyncCompletesIt() throws Exception {
    String groupA =
        IntStream.range(0, 20).mapToObj(Integer::toString).collect(Collectors.joining(", "));
    Scenario s =
        ScenarioReader.parse(
            BASE.replace("duration: 40s", "duration: 80s")
                + """
        faults:
          partitions:
            - {at: 10s, heal: 30s, groups: [[%s]]}
        protocol: {syncInterval: 4s}
        """
                    .formatted(groupA),
            "test");

    SimulationRun.Outcome o = SimulationRun.run(s, null);

    DeliveryLog log = o.data().log();
    long at = 10_000_000_000L;
    long heal = 30_000_000_000L;
    int crossDuringSplit = 0;
    for (int k = 0; k < log.posts(); k++) {
      long published = log.publishedNanos(k);
      if (published <= at || published >= heal) {
        continue;
      }
      int author = log.workload().author(k);
      for (int slot = log.firstSlot(k); slot < log.endSlot(k); slot++) {
        int recipient = log.recipient(k, slot);
        if ((author < 20) != (recipient < 20)) {
          crossDuringSplit++;
          assertThat(log.firstNanos(slot))
              .as("post %d to the other side", k)
              .isGreaterThanOrEqualTo(heal);
        }
      }
    }
    assertThat(crossDuringSplit).isPositive();
    assertThat(o.results().path("delivery").path("ratio").asDouble()).isEqualTo(1.0);
    assertThat(o.results().path("delivery").path("bySync").asInt()).isPositive();
  }

  @Test
  void runTo_sameSeed_byteIdenticalFiles_otherSeed_differentResults() throws Exception {
    Scenario s = ScenarioReader.parse(BASE + "loss: 0.02\n", "test");
    SimulationRun.runTo(s, dir.resolve("a"), null);
    SimulationRun.runTo(s, dir.resolve("b"), null);
    SimulationRun.runTo(s.withSeed(4), dir.resolve("c"), null);

    for (String file :
        new String[] {
          OutputFiles.RESULTS, OutputFiles.DELIVERIES, OutputFiles.NODES, OutputFiles.SCENARIO
        }) {
      assertThat(Files.readAllBytes(dir.resolve("b").resolve(file)))
          .as(file)
          .isEqualTo(Files.readAllBytes(dir.resolve("a").resolve(file)));
    }
    assertThat(Files.readString(dir.resolve("c").resolve(OutputFiles.RESULTS)))
        .isNotEqualTo(Files.readString(dir.resolve("a").resolve(OutputFiles.RESULTS)));
  }

  @Test
  void runTo_scenarioAsRun_readsBackToTheSameRun() throws Exception {
    Scenario s = ScenarioReader.parse(BASE, "test");
    SimulationRun.runTo(s, dir.resolve("a"), null);
    Scenario again = ScenarioReader.read(dir.resolve("a").resolve(OutputFiles.SCENARIO));
    SimulationRun.runTo(again, dir.resolve("b"), null);

    assertThat(Files.readAllBytes(dir.resolve("b").resolve(OutputFiles.RESULTS)))
        .isEqualTo(Files.readAllBytes(dir.resolve("a").resolve(OutputFiles.RESULTS)));
    assertThat(Files.readAllLines(dir.resolve("a").resolve(OutputFiles.DELIVERIES)).get(0))
        .isEqualTo(
            "post,author,recipient,published_ms,delivered_ms,delay_ms,hops,copies,via,lower_bound_ms,stretch,topic_bound_ms");
  }

  @Test
  void run_churnAndBadForwarders_stillDeliverMostAndCountOutages() throws Exception {
    Scenario s =
        ScenarioReader.parse(
            BASE.replace("duration: 40s", "duration: 60s")
                + """
        faults:
          churn:
            leavesPerHour: 60
            meanDowntime: 5s
          badForwarders: {count: 4, mode: drop}
        protocol: {syncInterval: 3s}
        """,
            "test");

    SimulationRun.Outcome o = SimulationRun.run(s, null);

    assertThat(o.results().path("faults").path("outages").asInt()).isPositive();
    assertThat(o.results().path("delivery").path("ratio").asDouble()).isGreaterThan(0.8);
  }
}
