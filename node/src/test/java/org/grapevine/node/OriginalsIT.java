package org.grapevine.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.grapevine.node.LoopbackNodes.addr;
import static org.grapevine.node.LoopbackNodes.await;
import static org.grapevine.node.LoopbackNodes.counter;
import static org.grapevine.protocol.testing.TestAuthors.post;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.grapevine.node.api.ApiServer;
import org.grapevine.node.config.NodeConfig;
import org.grapevine.protocol.entry.EntryId;
import org.grapevine.protocol.entry.LogEntry;
import org.grapevine.protocol.testing.TestAuthors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reposts and quotes resolve to the original, fetched by sync when not held (issue 15; sync.proto
 * step 5a), over real nodes (RocksDB, TCP on 127.0.0.1, Noise, Yamux, GossipSub) and Carol's HTTP
 * API. Bob follows Alice; Carol follows Bob, not Alice, and never connects to her. Alice posts, Bob
 * gets it, Alice stops; Bob reposts and quotes her post. Carol's node receives both without the
 * original, asks Bob for it by reference, stores it loose (Alice's chain is not held), and her API
 * shows the repost and the quote with Alice's text.
 */
@Timeout(120)
class OriginalsIT {
  private static final String TOKEN = "cd".repeat(32);

  @TempDir Path dir;
  private LoopbackNodes nodes;
  private ApiServer api;

  @AfterEach
  void close() {
    if (api != null) {
      api.close();
    }
    nodes.close();
  }

  @Test
  void repostAndQuoteOfAPostNotHeld_originalFetchedFromBob_apiShowsAlicesText() throws Exception {
    nodes = new LoopbackNodes(dir);
    TestAuthors.Person alice = TestAuthors.person("alice");
    TestAuthors.Person bob = TestAuthors.person("bob");
    TestAuthors.Person carol = TestAuthors.person("carol");
    Node a = nodes.start("a", alice);
    Node b = nodes.start("b", bob);
    // Without the extended circle (issue 17): with it, Carol keeps the log of Alice, whom Bob
    // follows, and the original arrives chained with it, not by reference.
    Node c =
        nodes.start(
            "c",
            carol,
            NodeConfig.loopback()
                .withCircle(new NodeConfig.Circle(false, 1L << 20, 64L << 20, 500)));
    b.connect(addr(a)).get(10, TimeUnit.SECONDS);
    c.connect(addr(b)).get(10, TimeUnit.SECONDS);
    b.follow(alice.identity);
    c.follow(bob.identity);
    Thread.sleep(1500); // Subscriptions travel and meshes form (heartbeat 1 s).

    LogEntry hello = a.post(post("hello from alice"));
    await("bob has alice's post", () -> b.store().entryById(hello.id()).isPresent() ? 1 : 0, 1);
    nodes.stop(a); // From now on only Bob can give it to Carol.

    long start = System.nanoTime();
    LogEntry repost = b.repost(hello.id());
    LogEntry quote = b.post("worth reading", "", hello.id());
    await(
        "carol has bob's repost and quote",
        () ->
            (c.store().entryById(repost.id()).isPresent() ? 1 : 0)
                + (c.store().entryById(quote.id()).isPresent() ? 1 : 0),
        2);
    await("carol fetched the original", () -> counter(c, "by_ref.stored_loose"), 1);
    long fetched = System.nanoTime() - start;

    assertThat(c.store().entryById(hello.id()).orElseThrow().content()).isEqualTo(hello.content());
    assertThat(counter(c, "by_ref.stored_loose")).as("fetched once for both").isEqualTo(1);
    assertThat(c.store().follows()).doesNotContain(alice.identity);
    assertThat(c.store().contiguousHead(hello.header().author()))
        .as("alice's chain is not held: the original is loose")
        .isZero();

    api = ApiServer.start(c, 0, TOKEN, nodes.group());
    JsonNode r = get(repost.id());
    assertThat(r.path("original_held").asBoolean()).isTrue();
    assertThat(r.path("original").path("content").path("text").asText())
        .isEqualTo("hello from alice");
    JsonNode q = get(quote.id());
    assertThat(q.path("quote_held").asBoolean()).isTrue();
    assertThat(q.path("quote").path("content").path("text").asText()).isEqualTo("hello from alice");
    assertThat(q.path("quote").path("counts").path("reposts").asInt()).isEqualTo(1);
    assertThat(q.path("quote").path("counts").path("quotes").asInt()).isEqualTo(1);
    System.out.printf(
        java.util.Locale.ROOT,
        "OriginalsIT: from Bob's repost to the original stored on Carol's node: %.1f ms%n",
        fetched / 1e6);
  }

  private JsonNode get(EntryId id) throws Exception {
    HttpResponse<String> resp =
        HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(10))
            .build()
            .send(
                HttpRequest.newBuilder(URI.create(api.url() + "/v1/entries/" + id.toHex()))
                    .header("authorization", "Bearer " + TOKEN)
                    .GET()
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(resp.statusCode()).as(resp.body()).isEqualTo(200);
    return new ObjectMapper().readTree(resp.body());
  }
}
