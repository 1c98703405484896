package org.grapevine.simulations.scenario;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.grapevine.libp2p.gossipsub.GossipConfig;
import org.junit.jupiter.api.Test;

class ScenarioReaderTest {
  @Test
  void parse_emptyDocument_givesEveryDefault() throws Exception {
    Scenario s = ScenarioReader.parse("{}", "empty");

    assertThat(s.seed()).isEqualTo(1);
    assertThat(s.durationNanos()).isEqualTo(120_000_000_000L);
    assertThat(s.nodes().count()).isEqualTo(50);
    assertThat(s.nodes().classes()).hasSize(1);
    assertThat(s.connections().model()).isEqualTo(Scenario.TopologyModel.RANDOM);
    assertThat(s.latency().constantNanos()).isEqualTo(50_000_000L);
    assertThat(s.follows().model()).isEqualTo(Scenario.FollowModel.ZIPF);
    assertThat(s.protocol().syncIntervalNanos()).isEqualTo(10_000_000_000L);
    GossipConfig config = RouterParams.config(s.protocol());
    assertThat(config.d()).isEqualTo(GossipConfig.builder().build().d());
  }

  @Test
  void parse_dht_onByDefaultWithTheOracleOff_explicitOracleKept() throws Exception {
    Scenario def = ScenarioReader.parse("{}", "empty");
    Scenario oracle = ScenarioReader.parse("connections: {topicPeers: 3}", "oracle");
    Scenario off = ScenarioReader.parse("dht: {enabled: false}", "off");

    assertThat(def.dht()).isEqualTo(new Scenario.Dht(true, 3, 0, 4, true));
    assertThat(def.connections().topicPeers()).isZero();
    assertThat(oracle.connections().topicPeers()).isEqualTo(3);
    assertThat(oracle.dht().enabled()).isTrue();
    assertThat(off.connections().topicPeers()).isEqualTo(2);
    Scenario back = ScenarioReader.parse(ScenarioWriter.toYaml(oracle), "back");
    assertThat(back.dht()).isEqualTo(oracle.dht());
    assertThat(back.connections().topicPeers()).isEqualTo(3);
  }

  @Test
  void parse_hosts_defaultsNetemArgumentsAndRoundTrip() throws Exception {
    Scenario def = ScenarioReader.parse("{}", "empty");
    Scenario s =
        ScenarioReader.parse(
            "nodes: {count: 12}\n"
                + "hosts: {count: 3, netem: {delay: 20ms, jitter: 2.5ms, loss: 0.005,"
                + " rateMbps: 100}, cpu: 1.5, memoryMiB: 2048}",
            "hosts");

    assertThat(def.hosts()).isEqualTo(Scenario.Hosts.ONE);
    assertThat(def.hosts().netem().active()).isFalse();
    assertThat(def.hosts().netem().tcArgs()).isEmpty();
    assertThat(s.hosts().count()).isEqualTo(3);
    assertThat(s.hosts().netem().tcArgs())
        .containsExactly("delay", "20000us", "2500us", "loss", "0.5%", "rate", "100000kbit");
    assertThat(ScenarioReader.parse(ScenarioWriter.toYaml(s), "back").hosts()).isEqualTo(s.hosts());
  }

  @Test
  void parse_badHosts_reportsEachProblem() {
    ScenarioException e =
        catchThrowableOfType(
            ScenarioException.class,
            () ->
                ScenarioReader.parse(
                    "nodes: {count: 4}\n"
                        + "hosts: {count: 5, netem: {delay: 1ms, jitter: 2ms, loss: 1, burst: 3},"
                        + " memoryMiB: 10}",
                    "bad"));

    assertThat(e.problems())
        .extracting(ScenarioProblem::path)
        .containsExactlyInAnyOrder(
            "hosts.count",
            "hosts.netem.jitter",
            "hosts.netem.loss",
            "hosts.netem.burst",
            "hosts.memoryMiB");
  }

  @Test
  void parse_badDht_reportsEachProblem() {
    ScenarioException e =
        catchThrowableOfType(
            ScenarioException.class,
            () ->
                ScenarioReader.parse(
                    "dht: {enabled: yes please, bootstrapPeers: 0, clientFraction: 2, peers: 1}",
                    "bad"));

    assertThat(e.problems())
        .extracting(ScenarioProblem::path)
        .contains("dht.enabled", "dht.clientFraction", "dht.peers");
  }

  @Test
  void parse_json_sameAsYaml() throws Exception {
    Scenario yaml =
        ScenarioReader.parse(
            "nodes:\n  count: 12\nprotocol:\n  gossip:\n    d: 5\n    heartbeatInterval: 700ms\n",
            "y");
    Scenario json =
        ScenarioReader.parse(
            "{\"nodes\": {\"count\": 12}, \"protocol\": {\"gossip\": {\"d\": 5, \"heartbeatInterval\": 0.7}}}",
            "j");

    assertThat(ScenarioWriter.toYaml(json)).isEqualTo(ScenarioWriter.toYaml(yaml));
    assertThat(RouterParams.config(json.protocol()).heartbeatIntervalNanos())
        .isEqualTo(700_000_000L);
    assertThat(RouterParams.config(json.protocol()).d()).isEqualTo(5);
  }

  @Test
  void parse_manyProblems_reportsEachWithPathValueAndWhatIsAllowed() {
    ScenarioException e =
        catchThrowableOfType(
            ScenarioException.class,
            () ->
                ScenarioReader.parse(
                    """
        duration: ten seconds
        nodes: {count: 1}
        latency: {model: wormhole}
        follows: {model: zipf, perNode: 3, exponnent: 1.2}
        protocol: {gossip: {d: -1}}
        """,
                    "bad.yaml"));

    List<String> lines = e.problems().stream().map(ScenarioProblem::toString).toList();
    assertThat(lines)
        .anySatisfy(
            l -> assertThat(l).startsWith("duration: \"ten seconds\"").contains("a duration"));
    assertThat(lines)
        .anySatisfy(l -> assertThat(l).startsWith("nodes.count: 1").contains("from 2 to"));
    assertThat(lines)
        .anySatisfy(
            l ->
                assertThat(l)
                    .startsWith("latency.model: \"wormhole\"")
                    .contains("constant, uniform, normal, regions"));
    assertThat(lines)
        .anySatisfy(
            l ->
                assertThat(l).startsWith("follows.exponnent: an unknown key").contains("exponent"));
    assertThat(lines).anySatisfy(l -> assertThat(l).startsWith("protocol.gossip.d: -1"));
    assertThat(e.getMessage()).startsWith("bad.yaml: ");
  }

  @Test
  void parse_crossFieldRules_explained() {
    ScenarioException e =
        catchThrowableOfType(
            ScenarioException.class,
            () ->
                ScenarioReader.parse(
                    """
        duration: 10s
        warmUp: 20s
        nodes: {count: 5}
        connections: {model: explicit, edges: [[0, 1], [2, 9], [3, 3]]}
        workload: {posts: 1000, postsPerSecond: 1}
        faults:
          partitions: [{at: 5s, heal: 2s}]
        protocol: {gossip: {d: 3, dLo: 4}}
        """,
                    "bad.yaml"));

    List<String> paths = e.problems().stream().map(ScenarioProblem::path).toList();
    assertThat(paths)
        .contains(
            "warmUp", "connections.edges[1][1]", "connections.edges", "faults.partitions[0].heal");
    assertThat(e.problems()).anySatisfy(p -> assertThat(p.path()).isEqualTo("workload.posts"));
  }

  @Test
  void parse_invalidRouterCombination_namesTheRule() {
    ScenarioException e =
        catchThrowableOfType(
            ScenarioException.class,
            () -> ScenarioReader.parse("protocol: {gossip: {d: 3, dLo: 4}}", "bad.yaml"));

    assertThat(e.problems())
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.path()).isEqualTo("protocol");
              assertThat(p.allowed()).contains("D_lo <= D");
            });
  }

  @Test
  void parse_notYaml_saysWhere() {
    ScenarioException e =
        catchThrowableOfType(
            ScenarioException.class, () -> ScenarioReader.parse("nodes: [1, 2\n", "x"));

    assertThat(e.problems())
        .singleElement()
        .satisfies(p -> assertThat(p.path()).startsWith("line "));
  }

  @Test
  void read_oversizeFile_refusedBeforeParsing(@org.junit.jupiter.api.io.TempDir Path dir)
      throws IOException {
    Path big = dir.resolve("big.yaml");
    try (var out = Files.newOutputStream(big)) {
      byte[] line =
          "# padding padding padding padding padding padding padding padding\n".getBytes(UTF_8);
      for (long written = 0; written <= ScenarioReader.MAX_FILE_BYTES; written += line.length) {
        out.write(line);
      }
    }
    assertThatThrownBy(() -> ScenarioReader.read(big))
        .isInstanceOf(ScenarioException.class)
        .hasMessageContaining("at most");
  }

  @Test
  void read_everyExampleScenario_isValidAndRoundTrips() throws Exception {
    try (Stream<Path> files = Files.list(Path.of("scenarios"))) {
      List<Path> all =
          files
              .filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".json"))
              .sorted()
              .toList();
      assertThat(all).hasSizeGreaterThanOrEqualTo(4);
      for (Path file : all) {
        Scenario s = ScenarioReader.read(file);
        String yaml = ScenarioWriter.toYaml(s);
        assertThat(ScenarioWriter.toYaml(ScenarioReader.parse(yaml, file + " as run")))
            .as(file.toString())
            .isEqualTo(yaml);
      }
    }
  }
}
