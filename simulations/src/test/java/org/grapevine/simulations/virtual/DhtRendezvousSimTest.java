package org.grapevine.simulations.virtual;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import org.grapevine.simulations.SimulationRun;
import org.grapevine.simulations.scenario.Scenario;
import org.grapevine.simulations.scenario.ScenarioReader;
import org.junit.jupiter.api.Test;

/**
 * The virtual engine with every node's real DHT and rendezvous and no topic-peer oracle: 200 nodes
 * with three random connections and three bootstrap peers each, a heavy-tailed (Zipf) follow graph.
 * The followers of an identity are rarely connected to it or to each other, so only the topic peers
 * the DHT lookups find can carry its posts: the same run without the DHT is the control, and must
 * fall short.
 */
class DhtRendezvousSimTest {
  private static final String SCENARIO =
      """
      name: dht-200
      seed: 5
      duration: 200s
      warmUp: 10s
      nodes: {count: 200}
      connections: {model: random, degree: 3}
      latency: {model: uniform, min: 10ms, max: 80ms, jitter: 5ms}
      follows: {model: zipf, perNode: 5, exponent: 1.0}
      workload: {posts: 40, postsPerSecond: 2, arrivals: constant}
      """;

  @Test
  void run_dhtOnNoOracle_deliversEverythingThroughLookups() throws Exception {
    Scenario s = ScenarioReader.parse(SCENARIO, "dht-200");
    assertThat(s.connections().topicPeers()).isZero(); // The oracle is off by default.
    assertThat(s.dht().enabled()).isTrue();

    JsonNode r = SimulationRun.run(s, null).results();

    // Every post reaches every follower. (With a first lookup retried only after 120 s, 10 pairs
    // whose lookup raced the author's announcement stayed apart: the backoff now starts at 10 s.)
    // The control, without DHT and oracle, gets < 90%.
    assertThat(r.path("delivery").path("ratio").asDouble())
        .as(r.path("delivery").toString())
        .isEqualTo(1.0);
    JsonNode dht = r.path("dht");
    assertThat(dht.path("topicLookups").path("count").asLong()).isGreaterThan(200);
    assertThat(dht.path("topicLookups").path("hops").path("p50").asLong()).isPositive();
    assertThat(dht.path("topicLookups").path("messages").path("p50").asLong()).isPositive();
    assertThat(dht.path("topicConnections").asLong()).isPositive();
    assertThat(dht.path("queries").path("provide").path("succeeded").asLong()).isPositive();
    assertThat(r.path("bytes").path("dhtReceived").asLong()).isPositive();
    JsonNode follow = r.path("followToFirstDeliveryMs");
    assertThat(follow.path("undelivered").asLong()).as(follow.toString()).isZero();
  }

  @Test
  void run_noDhtNoOracle_missesPosts() throws Exception {
    Scenario s = ScenarioReader.parse(SCENARIO + "dht: {enabled: false}\n", "no-dht");
    assertThat(s.connections().topicPeers()).isEqualTo(2); // Without a DHT the oracle is on...

    Scenario bare =
        ScenarioReader.parse(
            SCENARIO.replace("degree: 3}", "degree: 3, topicPeers: 0}") + "dht: {enabled: false}\n",
            "bare");
    JsonNode r = SimulationRun.run(bare, null).results(); // ...unless turned off: the control.

    assertThat(r.path("delivery").path("ratio").asDouble()).isLessThan(0.9);
    assertThat(r.path("dht").path("enabled").asBoolean()).isFalse();
  }
}
