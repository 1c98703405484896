package org.grapevine.node.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.concurrent.TimeUnit;
import org.grapevine.libp2p.crypto.PrivKey;
import org.grapevine.node.Node;
import org.grapevine.node.NodeLauncher;
import org.grapevine.node.config.DataDir;
import org.grapevine.node.config.NodeConfig;
import org.grapevine.protocol.testing.TestAuthors;
import org.openqa.selenium.By;

/**
 * A real node with its local API on 127.0.0.1, for the web app's browser tests: what {@code
 * grapevine open} does (a login link with the bearer token), and the bearer-token API for setting
 * up what a screen shows.
 *
 * <p>Call order: {@link #start}, then any of {@link #loginLink}, {@link #signIn}, {@link #signOut},
 * {@link #call}, {@link #setName}; {@link #close} last (an {@code @AfterAll}).
 */
final class WebTestNode implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The API's bearer token: what the CLI reads from the data directory. */
  static final String TOKEN = "ef".repeat(32);

  private final MultiThreadIoEventLoopGroup group;
  private final Node node;
  private final ApiServer api;
  private final String origin;
  private final HttpClient http = HttpClient.newHttpClient();

  private WebTestNode(MultiThreadIoEventLoopGroup group, Node node, ApiServer api) {
    this.group = group;
    this.node = node;
    this.api = api;
    this.origin = "http://127.0.0.1:" + api.address().getPort();
  }

  /** A node of the test author {@code name} ({@link TestAuthors#person}) in {@code dir}. */
  static WebTestNode start(Path dir, String name) throws Exception {
    MultiThreadIoEventLoopGroup group =
        new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    Node node = null;
    try {
      TestAuthors.Person p = TestAuthors.person(name);
      node =
          NodeLauncher.of(
                  NodeConfig.loopback(),
                  dir.resolve(name),
                  new DataDir.Keys(
                      p.identity,
                      p.root,
                      p.deviceKey("laptop"),
                      PrivKey.generate(new SecureRandom())),
                  group)
              .start();
      return new WebTestNode(group, node, ApiServer.start(node, 0, TOKEN, group));
    } catch (Exception | Error e) {
      if (node != null) {
        node.close();
      }
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
      throw e;
    }
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
      try {
        node.close();
      } finally {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
      }
    }
  }
}
