package org.grapevine.node.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.channel.EventLoopGroup;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.grapevine.node.LoopbackNodes;
import org.grapevine.node.Node;
import org.grapevine.protocol.testing.TestAuthors;
import org.openqa.selenium.By;

/**
 * A real node with its local API on 127.0.0.1, for the web app's browser tests: what {@code
 * grapevine open} does (a login link with the bearer token), and the bearer-token API for setting
 * up what a screen shows.
 *
 * <p>Call order: {@link #start} (or {@link #serve}), then any of {@link #loginLink}, {@link
 * #signIn}, {@link #signOut}, {@link #call}, {@link #setName}; {@link #close} last (an
 * {@code @AfterAll}).
 */
final class WebTestNode implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The API's bearer token: what the CLI reads from the data directory. */
  static final String TOKEN = "ef".repeat(32);

  private final LoopbackNodes nodes; // null when the node is someone else's to close
  private final Node node;
  private final ApiServer api;
  private final String origin;
  private final HttpClient http = HttpClient.newHttpClient();

  private WebTestNode(LoopbackNodes nodes, Node node, ApiServer api) {
    this.nodes = nodes;
    this.node = node;
    this.api = api;
    this.origin = "http://127.0.0.1:" + api.address().getPort();
  }

  /** A node of the test author {@code name} ({@link TestAuthors#person}) in {@code dir}. */
  static WebTestNode start(Path dir, String name) throws Exception {
    LoopbackNodes nodes = new LoopbackNodes(dir);
    try {
      Node node = nodes.start(name, TestAuthors.person(name));
      return new WebTestNode(nodes, node, ApiServer.start(node, 0, TOKEN, nodes.group()));
    } catch (Exception | Error e) {
      nodes.close();
      throw e;
    }
  }

  /**
   * The API and web app of a node the caller started (and closes): {@link #close} closes the API
   * only.
   */
  static WebTestNode serve(Node node, EventLoopGroup group) throws IOException {
    return new WebTestNode(null, node, ApiServer.start(node, 0, TOKEN, group));
  }

  Node node() {
    return node;
  }

  /** {@code http://127.0.0.1:PORT}: where the web app is, and what its pages must call home. */
  String origin() {
    return origin;
  }

  /** A one-time login link, made with the token as {@code grapevine open} makes it. */
  String loginLink() throws IOException, InterruptedException {
    HttpResponse<String> r = call("POST", WebRoutes.LOGIN_LINKS, null);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    String url = JSON.readTree(r.body()).path("url").asText();
    assertThat(url).startsWith(origin + "/login?t=");
    return url;
  }

  /** Signs {@code browser} in with a fresh link; returns once it shows the home page. */
  void signIn(Browser browser) throws IOException, InterruptedException {
    browser.open(loginLink());
    browser.waitFor(d -> d.getCurrentUrl().equals(origin + "/"));
    browser.waitFor(By.tagName("h1"));
  }

  /**
   * Signs {@code browser} out and empties its console: for an {@code @BeforeEach} when one browser
   * serves a whole class. Cookies belong to a site, so the browser goes to ours first.
   */
  void signOut(Browser browser) {
    browser.open(origin + "/v1/status");
    browser.deleteCookies();
    browser.takeConsoleErrors();
  }

  /**
   * One API request with the bearer token, as a script would send it; {@code json} is the body (or
   * null for none).
   */
  HttpResponse<String> call(String method, String path, JsonNode json)
      throws IOException, InterruptedException {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(origin + path))
            .header("Authorization", "Bearer " + TOKEN)
            .method(
                method,
                json == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(json.toString()));
    if (json != null) {
      b.header("Content-Type", "application/json");
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** Sets this node's profile name through the API ({@code PUT /v1/profile}). */
  void setName(String name) throws IOException, InterruptedException {
    HttpResponse<String> r = call("PUT", "/v1/profile", JSON.createObjectNode().put("name", name));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
  }

  @Override
  public void close() {
    try {
      api.close();
    } finally {
      if (nodes != null) {
        nodes.close();
      }
    }
  }
}
