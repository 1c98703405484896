package org.grapevine.node.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.grapevine.libp2p.crypto.PrivKey;
import org.grapevine.node.Node;
import org.grapevine.node.NodeLauncher;
import org.grapevine.node.config.DataDir;
import org.grapevine.node.config.NodeConfig;
import org.grapevine.node.search.SearchIndex;
import org.grapevine.node.search.SearchQuery;
import org.grapevine.protocol.testing.TestAuthors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code GET /v1/search} against a real node (RocksDB, Lucene, libp2p on 127.0.0.1): posts found by
 * a word, a hashtag and {@code from:}, in the entry form of the other routes; profiles; a deleted
 * post gone; the index kept across a clean restart; bad queries refused with their codes; a node
 * with {@code [search] enabled = false} says so.
 */
@Timeout(120)
class SearchApiIT {
  private static final String TOKEN = "cd".repeat(32);
  private static final ObjectMapper JSON = new ObjectMapper();
  @TempDir Path dir;
  private final MultiThreadIoEventLoopGroup group =
      new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  private final TestAuthors.Person alice = TestAuthors.person("alice");
  private Node node;
  private ApiServer api;

  record Answer(int status, JsonNode json) {
    String code() {
      return json.path("error").path("code").asText();
    }
  }

  private void start(NodeConfig config) throws Exception {
    node =
        NodeLauncher.of(
                config,
                dir.resolve("a"),
                new DataDir.Keys(
                    alice.identity,
                    alice.root,
                    alice.deviceKey("laptop"),
                    PrivKey.generate(new SecureRandom())),
                group)
            .start();
    api = ApiServer.start(node, 0, TOKEN, group);
  }

  private void stop() {
    if (api != null) {
      api.close();
      api = null;
    }
    if (node != null) {
      node.close();
      node = null;
    }
  }

  @AfterEach
  void close() {
    stop();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
  }

  private Answer call(String method, String path, String body) throws Exception {
    HttpRequest r =
        HttpRequest.newBuilder(URI.create(api.url() + path))
            .timeout(Duration.ofSeconds(30))
            .header("Authorization", "Bearer " + TOKEN)
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body))
            .build();
    HttpResponse<String> resp = http.send(r, HttpResponse.BodyHandlers.ofString());
    return new Answer(resp.statusCode(), JSON.readTree(resp.body()));
  }

  private Answer search(String q) throws Exception {
    return call("GET", "/v1/search?q=" + URLEncoder.encode(q, StandardCharsets.UTF_8), null);
  }

  private List<String> ids(Answer a) {
    assertThat(a.status()).as(a.json().toString()).isEqualTo(200);
    List<String> out = new ArrayList<>();
    a.json().path("entries").forEach(e -> out.add(e.path("id").asText()));
    return out;
  }

  private String post(String text) throws Exception {
    Answer a = call("POST", "/v1/posts", JSON.createObjectNode().put("text", text).toString());
    assertThat(a.status()).isEqualTo(201);
    return a.json().path("id").asText();
  }

  @Test
  void search_wordHashtagFrom_deletedGone_keptAcrossRestart() throws Exception {
    start(NodeConfig.loopback());
    assertThat(
            call("PUT", "/v1/profile", "{\"name\":\"alice\",\"bio\":\"likes lighthouses\"}")
                .status())
        .isEqualTo(200);
    String rome = post("Espresso in #Rome");
    String paris = post("espresso in #Paris");

    Answer word = search("ESPRESSO");
    assertThat(ids(word)).containsExactly(paris, rome); // Equal scores: newest first.
    JsonNode first = word.json().path("entries").get(0);
    assertThat(first.path("author_name").asText()).isEqualTo("alice"); // The entry form.
    assertThat(first.path("counts").path("replies").asInt()).isZero();
    assertThat(ids(search("#rome"))).containsExactly(rome);
    assertThat(ids(search("espresso from:" + alice.identity))).containsExactly(paris, rome);
    assertThat(ids(search("from:Alice #paris"))).containsExactly(paris);
    Answer profile = search("lighthouses");
    assertThat(profile.json().path("profiles").get(0).path("identity").asText())
        .isEqualTo(alice.identity.toString());
    assertThat(search("x from:nobody").json().path("unknown_from").get(0).asText())
        .isEqualTo("nobody");
    // Lucene's syntax is plain text: nothing to parse, so never a 500.
    assertThat(search("title:( AND \"espresso* ~").status()).isEqualTo(200);

    assertThat(call("DELETE", "/v1/entries/" + rome, null).status()).isEqualTo(200);
    assertThat(ids(search("espresso"))).containsExactly(paris);

    stop();
    start(NodeConfig.loopback());
    assertThat(node.search().orElseThrow().rebuiltBecause()).isEmpty(); // Closed cleanly.
    assertThat(ids(search("espresso"))).containsExactly(paris);
  }

  @Test
  void badQueries_are400WithTheirCode() throws Exception {
    start(NodeConfig.loopback());
    assertError(call("GET", "/v1/search", null), "empty_query");
    assertError(search("   "), "empty_query");
    assertError(search("?!"), "empty_query");
    assertError(search("x".repeat(SearchQuery.MAX_QUERY_CHARS + 1)), "query_too_long");
    assertError(search("a ".repeat(SearchQuery.MAX_TERMS + 1)), "query_too_many_terms");
    assertError(search("#"), "bad_hashtag");
    assertError(search("from:"), "bad_from");
    assertError(call("GET", "/v1/search?q=x&limit=0", null), "bad_request");
    assertError(
        call("GET", "/v1/search?q=x&limit=" + (SearchIndex.MAX_RESULTS + 1), null), "bad_request");
    assertError(call("GET", "/v1/search?q=x&sort=new", null), "bad_request");
  }

  @Test
  void searchOff_is404SearchDisabled_andNoIndexIsKept() throws Exception {
    start(NodeConfig.loopback().withSearch(new NodeConfig.Search(false)));
    Answer a = search("anything");
    assertThat(a.status()).isEqualTo(404);
    assertThat(a.code()).isEqualTo("search_disabled");
    assertThat(Files.exists(SearchIndex.directoryIn(dir.resolve("a")))).isFalse();
  }

  private static void assertError(Answer a, String code) {
    assertThat(a.status()).as(a.json().toString()).isEqualTo(400);
    assertThat(a.code()).isEqualTo(code);
    assertThat(a.json().path("error").path("message").asText()).isNotBlank();
  }
}
