package org.grapevine.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.grapevine.protocol.testing.TestAuthors.post;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.grapevine.node.api.ApiServer;
import org.grapevine.node.config.NodeConfig;
import org.grapevine.node.core.Circle;
import org.grapevine.node.core.CircleStatus;
import org.grapevine.protocol.entry.LogEntry;
import org.grapevine.protocol.testing.TestAuthors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The extended circle (issue 17) with three real nodes on 127.0.0.1: A follows B, B follows C, C
 * posts; A keeps C's log without following C, and says so in its status. With a small budget per
 * circle identity, A keeps at most that much of C and counts what it refused.
 */
@Timeout(180)
class CircleIT {
  private static final String TOKEN = "cd".repeat(32);
  @TempDir Path dir;

  private final TestAuthors.Person alice = TestAuthors.person("alice");
  private final TestAuthors.Person bob = TestAuthors.person("bob");
  private final TestAuthors.Person carol = TestAuthors.person("carol");

  /**
   * C posts, B follows C (and holds C's posts), then A follows B: what A learns of B's follows puts
   * C in A's circle, and a sync with B (who follows C) brings C's posts. Data is written before the
   * follows, so each arrives by sync, not by a gossip that may come before the mesh.
   */
  private List<LogEntry> scenario(LoopbackNodes nodes, Node a, int posts, String text)
      throws Exception {
    Node b = nodes.start("b", bob);
    Node c = nodes.start("c", carol);
    List<LogEntry> written = new ArrayList<>();
    for (int i = 0; i < posts; i++) {
      written.add(c.post(post(text + " " + i)));
    }
    b.connect(LoopbackNodes.addr(c)).get(10, TimeUnit.SECONDS);
    b.follow(carol.identity);
    LogEntry last = written.get(written.size() - 1);
    awaitTrue("b holds carol's posts", () -> b.store().entryById(last.id()).isPresent());
    a.connect(LoopbackNodes.addr(b)).get(10, TimeUnit.SECONDS);
    a.follow(bob.identity);
    return written;
  }

  @Test
  void aKeepsTheLogOfWhomItsFollowsFollow_withoutFollowingIt() throws Exception {
    try (LoopbackNodes nodes = new LoopbackNodes(dir)) {
      Node a = nodes.start("a", alice);
      List<LogEntry> written = scenario(nodes, a, 3, "hello from carol");
      for (LogEntry e : written) {
        awaitTrue(
            "a holds carol's post " + e.id(),
            () -> a.store().entryById(e.id()).map(LogEntry::hasContent).orElse(false));
      }
      assertThat(a.store().entryById(written.get(0).id()).orElseThrow().content())
          .contains(post("hello from carol 0"));
      assertThat(a.store().follows()).contains(bob.identity).doesNotContain(carol.identity);

      CircleStatus circle = a.circle();
      assertThat(circle.members())
          .extracting(Circle.Member::identity)
          .containsExactly(carol.identity);
      assertThat(circle.members().get(0).followedBy()).isEqualTo(1);
      assertThat(circle.refusedEntries()).isZero();

      try (ApiServer api = ApiServer.start(a, 0, TOKEN, nodes.group())) {
        JsonNode status = get(api, "/v1/status").path("circle");
        assertThat(status.path("enabled").asBoolean()).isTrue();
        assertThat(status.path("identities").asInt()).isEqualTo(1);
        assertThat(status.path("members").get(0).path("identity").asText())
            .isEqualTo(carol.identity.toString());
        assertThat(status.path("per_identity_bytes").asLong()).isEqualTo(1L << 20);
        assertThat(status.path("refused_entries").asLong()).isZero();
        // Carol's topic is looked up in the DHT (B, a connected subscriber, may make it needless).
        assertThat(status.path("dht_topics").asInt()).isEqualTo(1);
        assertThat(status.has("dht_topic_peers")).isTrue();
      }
    }
  }

  @Test
  void aSmallBudgetPerIdentity_isKeptAndWhatItRefusedIsCounted() throws Exception {
    long budget = 2_000;
    NodeConfig small =
        NodeConfig.loopback().withCircle(new NodeConfig.Circle(true, budget, 64L << 20, 500));
    try (LoopbackNodes nodes = new LoopbackNodes(dir)) {
      Node a = nodes.start("a", alice, small);
      List<LogEntry> written = scenario(nodes, a, 6, "x".repeat(900));
      // Every post arrives (its signed entry keeps the chain), some without their content.
      LogEntry last = written.get(written.size() - 1);
      awaitTrue("a holds carol's last entry", () -> a.store().entryById(last.id()).isPresent());
      awaitTrue("a counted refusals", () -> a.circle().refusedEntries() > 0);

      assertThat(a.store().storedBytes(carol.identity)).isLessThanOrEqualTo(budget);
      long withContent =
          written.stream()
              .filter(e -> a.store().entryById(e.id()).map(LogEntry::hasContent).orElse(false))
              .count();
      assertThat(withContent).isBetween(1L, 2L); // 900-odd bytes each within 2,000
      CircleStatus circle = a.circle();
      assertThat(circle.refusedBytes()).isGreaterThanOrEqualTo(900L * circle.refusedEntries());
      assertThat(a.store().follows()).doesNotContain(carol.identity);
      awaitTrue(
          "carol is at her budget: not fetched",
          () -> a.circle().members().stream().noneMatch(Circle.Member::fetched));
    }
  }

  private static JsonNode get(ApiServer api, String path) throws Exception {
    HttpResponse<String> r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(api.url() + path))
                    .header("Authorization", "Bearer " + TOKEN)
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return new ObjectMapper().readTree(r.body());
  }

  /** Polls {@code condition} for up to 60 s (no timed assertion: a deadline to give up by). */
  private static void awaitTrue(String what, BooleanSupplier condition)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as(what).isLessThan(deadline);
      Thread.sleep(20);
    }
  }
}
