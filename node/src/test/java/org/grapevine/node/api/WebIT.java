package org.grapevine.node.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.grapevine.libp2p.crypto.PrivKey;
import org.grapevine.node.Node;
import org.grapevine.node.NodeLauncher;
import org.grapevine.node.config.DataDir;
import org.grapevine.node.config.NodeConfig;
import org.grapevine.protocol.testing.TestAuthors;
import org.grapevine.protocol.testing.TestContent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The web app's door (issue 16) on a real node's API, over raw sockets so that every header is the
 * test's: a one-time login link sets an HttpOnly, SameSite=Strict session cookie; the cookie reads
 * and, from the node's own origin, writes; a used link, a foreign Host and a foreign Origin are
 * refused; a name with HTML shows as text.
 */
@Timeout(120)
class WebIT {
  private static final String TOKEN = "cd".repeat(32);
  private static final String PASSPHRASE = "correct horse";
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;
  private final MultiThreadIoEventLoopGroup group =
      new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
  private Node node;
  private ApiServer api;
  private int port;

  record Reply(int status, Map<String, String> headers, String body) {
    JsonNode json() throws Exception {
      return JSON.readTree(body);
    }
  }

  @BeforeEach
  void start() throws Exception {
    TestAuthors.Person alice = TestAuthors.person("alice");
    node =
        NodeLauncher.of(
                NodeConfig.loopback(),
                dir.resolve("a"),
                new DataDir.Keys(
                    alice.identity,
                    alice.root,
                    alice.deviceKey("laptop"),
                    PrivKey.generate(new SecureRandom())),
                group)
            .start();
    // A sealed root key file, for the recovery phrase (cheap Argon2: the test is not about it).
    Path keyFile = dir.resolve("root.key");
    java.nio.file.Files.write(
        keyFile,
        org.grapevine.protocol.keys.KeyFile.write(
            org.grapevine.protocol.keys.TinkKeys.toKeyset(alice.root),
            org.grapevine.protocol.proto.KeyRole.KEY_ROLE_ROOT,
            "test",
            PASSPHRASE.toCharArray(),
            new org.grapevine.protocol.keys.Argon2Params(1024, 1, 1),
            new SecureRandom()));
    api = ApiServer.start(node, 0, TOKEN, group, null, keyFile);
    port = api.address().getPort();
  }

  @AfterEach
  void stop() {
    if (api != null) {
      api.close();
    }
    if (node != null) {
      node.close();
    }
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
  }

  /** One request on its own connection; {@code headers} as given (Host included). */
  private Reply send(String method, String path, Map<String, String> headers, String body)
      throws Exception {
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
      StringBuilder r = new StringBuilder(method + " " + path + " HTTP/1.1\r\n");
      headers.forEach((k, v) -> r.append(k).append(": ").append(v).append("\r\n"));
      byte[] content = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
      r.append("Content-Length: ").append(content.length).append("\r\nConnection: close\r\n\r\n");
      OutputStream out = s.getOutputStream();
      out.write(r.toString().getBytes(StandardCharsets.UTF_8));
      out.write(content);
      out.flush();
      InputStream in = s.getInputStream();
      String raw = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      int end = raw.indexOf("\r\n\r\n");
      List<String> lines = raw.substring(0, end).lines().toList();
      Map<String, String> h = new LinkedHashMap<>();
      for (String line : lines.subList(1, lines.size())) {
        int colon = line.indexOf(':');
        h.put(line.substring(0, colon).toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
      }
      String statusLine = lines.get(0);
      int code = statusLine.indexOf(' ') + 1;
      return new Reply(
          Integer.parseInt(statusLine.substring(code, code + 3)), h, raw.substring(end + 4));
    }
  }

  private Map<String, String> host() {
    Map<String, String> h = new LinkedHashMap<>();
    h.put("Host", "127.0.0.1:" + port);
    return h;
  }

  private Map<String, String> with(String... pairs) {
    Map<String, String> h = host();
    for (int i = 0; i < pairs.length; i += 2) {
      h.put(pairs[i], pairs[i + 1]);
    }
    return h;
  }

  /** A login link made with the token, as {@code grapevine open} makes it: its path and query. */
  private String link() throws Exception {
    Reply r = send("POST", WebRoutes.LOGIN_LINKS, with("Authorization", "Bearer " + TOKEN), "");
    assertThat(r.status()).isEqualTo(201);
    String url = r.json().path("url").asText();
    assertThat(url).startsWith("http://127.0.0.1:" + port + "/login?t=");
    return url.substring(("http://127.0.0.1:" + port).length());
  }

  /** The session cookie a used link set. */
  private String signIn() throws Exception {
    Reply r = send("GET", link(), host(), null);
    assertThat(r.status()).isEqualTo(303);
    assertThat(r.headers().get("location")).isEqualTo("/");
    String cookie = r.headers().get("set-cookie");
    assertThat(cookie).contains("HttpOnly").contains("SameSite=Strict").contains("Path=/");
    return cookie.substring(0, cookie.indexOf(';'));
  }

  @Test
  void aLoginLink_signsInOnce_andTheCookieReadsAndWritesFromTheNodesOwnOrigin() throws Exception {
    String link = link();
    Reply first = send("GET", link, host(), null);
    assertThat(first.status()).isEqualTo(303);
    String cookie = first.headers().get("set-cookie");
    cookie = cookie.substring(0, cookie.indexOf(';'));

    Reply again = send("GET", link, host(), null);
    assertThat(again.status()).as("a used link").isEqualTo(401);
    assertThat(again.body()).contains("used already or has expired");

    Reply status = send("GET", "/v1/status", with("Cookie", cookie), null);
    assertThat(status.status()).isEqualTo(200);
    assertThat(status.headers().get("content-security-policy")).contains("script-src 'self'");

    Reply post =
        send(
            "POST",
            "/v1/posts",
            with(
                "Cookie",
                cookie,
                "Origin",
                "http://127.0.0.1:" + port,
                "Content-Type",
                "application/json"),
            "{\"text\":\"from the browser\"}");
    assertThat(post.status()).isEqualTo(201);

    // Without the cookie a browser is not signed in: the home page says how to.
    Reply home = send("GET", "/", host(), null);
    assertThat(home.status()).isEqualTo(401);
    assertThat(home.body()).contains("grapevine open");
    // The token alone never came from a browser: scripts keep working without Host or Origin.
    Reply script =
        send("GET", "/v1/status", Map.of("Authorization", "Bearer " + TOKEN, "Host", "x"), null);
    assertThat(script.status()).isEqualTo(200);
  }

  @Test
  void foreignHostOrOrigin_andASessionMakingLinks_areRefused() throws Exception {
    String cookie = signIn();

    Reply rebound =
        send("GET", "/v1/status", Map.of("Host", "evil.example:" + port, "Cookie", cookie), null);
    assertThat(rebound.status()).isEqualTo(403);
    assertThat(rebound.json().path("error").path("code").asText()).isEqualTo("forbidden_host");

    Reply reboundLink = send("GET", link(), Map.of("Host", "evil.example:" + port), null);
    assertThat(reboundLink.status()).isEqualTo(403);

    for (String origin : new String[] {null, "http://evil.example", "null"}) {
      Reply cross =
          send(
              "POST",
              "/v1/posts",
              origin == null
                  ? with("Cookie", cookie, "Content-Type", "application/json")
                  : with("Cookie", cookie, "Origin", origin, "Content-Type", "application/json"),
              "{\"text\":\"forged\"}");
      assertThat(cross.status()).as("Origin %s", origin).isEqualTo(403);
      assertThat(cross.json().path("error").path("code").asText()).isEqualTo("forbidden_origin");
    }
    assertThat(node.store().timeline(java.util.Set.of(node.identity()), Long.MAX_VALUE, 10))
        .as("nothing forged was written")
        .isEmpty();

    Reply links =
        send(
            "POST",
            WebRoutes.LOGIN_LINKS,
            with("Cookie", cookie, "Origin", "http://127.0.0.1:" + port),
            "");
    assertThat(links.status()).isEqualTo(403);
  }

  @Test
  void theHomePage_showsANameWithHtmlAsText() throws Exception {
    node.post(TestContent.profile("<script>alert(1)</script><b>Alice</b>"));
    String cookie = signIn();

    Reply home = send("GET", "/", with("Cookie", cookie), null);

    assertThat(home.status()).isEqualTo(200);
    assertThat(home.headers().get("content-type")).startsWith("text/html");
    assertThat(home.body())
        .contains("&lt;script&gt;alert(1)&lt;/script&gt;&lt;b&gt;Alice&lt;/b&gt;")
        .doesNotContain("<script>")
        .doesNotContain("<b>");
  }

  private Map<String, String> form(String cookie) {
    return with(
        "Cookie",
        cookie,
        "Origin",
        "http://127.0.0.1:" + port,
        "Content-Type",
        "application/x-www-form-urlencoded");
  }

  @Test
  void forms_needTheOrigin_answer303_andGoBackOnlyToThisNodesPaths() throws Exception {
    String cookie = signIn();

    Reply posted = send("POST", "/web/post", form(cookie), "text=hello+from+a+form");
    Reply noOrigin =
        send(
            "POST",
            "/web/post",
            with("Cookie", cookie, "Content-Type", "application/x-www-form-urlencoded"),
            "text=sneaky");
    Reply elsewhere =
        send(
            "POST",
            "/web/react",
            form(cookie),
            "target=" + hexOfNewest() + "&back=//evil.example/");
    Reply home =
        send("POST", "/web/react", form(cookie), "target=" + hexOfNewest() + "&back=/search");

    assertThat(posted.status()).isEqualTo(303);
    assertThat(posted.headers().get("location")).isEqualTo("/");
    assertThat(noOrigin.status()).isEqualTo(403);
    assertThat(elsewhere.headers().get("location")).isEqualTo("/");
    assertThat(home.headers().get("location")).isEqualTo("/search");
    assertThat(node.store().timeline(java.util.Set.of(node.identity()), Long.MAX_VALUE, 10))
        .extracting(e -> e.content().get().getPost().getText())
        .contains("hello from a form")
        .doesNotContain("sneaky");
  }

  private String hexOfNewest() {
    return node.store()
        .timeline(java.util.Set.of(node.identity()), Long.MAX_VALUE, 1)
        .get(0)
        .id()
        .toHex();
  }

  @Test
  void aBadForm_getsAPageSayingWhy_escaped() throws Exception {
    String cookie = signIn();

    Reply r = send("POST", "/web/post", form(cookie), "text=x&%3Cb%3E=1");

    assertThat(r.status()).isEqualTo(400);
    assertThat(r.headers().get("content-type")).startsWith("text/html");
    assertThat(r.body()).contains("unknown form field &#39;&lt;b&gt;&#39;").doesNotContain("<b>");
  }

  @Test
  void everyScreen_showsHostileNamesBiosAndPostsAsText() throws Exception {
    node.post(TestContent.profile("<img src=x onerror=alert(1)>Mallory"));
    org.grapevine.protocol.entry.LogEntry p =
        node.post("<script>alert(2)</script> #tag words", "<i>cw</i>", null);
    String cookie = signIn();

    for (String screen :
        List.of(
            "/",
            "/compose?reply=" + p.id().toHex(),
            "/thread/" + p.id().toHex(),
            "/people/" + node.identity(),
            "/notifications",
            "/search?q=words",
            "/feeds",
            "/?feed=following",
            "/peers",
            "/settings",
            "/web/fragments/entry/" + p.id().toHex())) {
      Reply r = send("GET", screen, with("Cookie", cookie), null);
      assertThat(r.status()).as(screen).isEqualTo(200);
      assertThat(r.body())
          .as(screen)
          .doesNotContain("<img src=x")
          .doesNotContain("<script>alert")
          .doesNotContain("<i>cw");
    }
    assertThat(send("GET", "/", with("Cookie", cookie), null).body())
        .contains("&lt;script&gt;alert(2)&lt;/script&gt;")
        .contains("Content warning: &lt;i&gt;cw&lt;/i&gt;");
  }

  @Test
  void staticFiles_needNoSession_butThisNodesHost() throws Exception {
    Reply js = send("GET", "/static/app.js", host(), null);
    Reply css = send("GET", "/static/app.css", host(), null);
    Reply rebound = send("GET", "/static/app.js", Map.of("Host", "evil.example:" + port), null);
    Reply missing = send("GET", "/static/nothing.js", host(), null);
    Reply icon = send("GET", "/favicon.ico", host(), null);

    assertThat(js.status()).isEqualTo(200);
    assertThat(js.headers().get("content-type")).startsWith("text/javascript");
    assertThat(js.body()).contains("EventSource");
    assertThat(css.headers().get("content-type")).startsWith("text/css");
    assertThat(rebound.status()).isEqualTo(403);
    assertThat(missing.status()).isEqualTo(404);
    assertThat(icon.status()).isEqualTo(204);
  }

  @Test
  void theRecoveryPhrase_needsThePassphrase_andTriesAreLimited() throws Exception {
    String cookie = signIn();

    Reply settings = send("GET", "/settings", with("Cookie", cookie), null);
    Reply wrong = send("POST", "/web/recovery-phrase", form(cookie), "passphrase=wrong");
    Reply right = send("POST", "/web/recovery-phrase", form(cookie), "passphrase=correct+horse");
    for (int i = 0; i < WebRecovery.MAX_TRIES - 2; i++) {
      send("POST", "/web/recovery-phrase", form(cookie), "passphrase=wrong");
    }
    Reply limited = send("POST", "/web/recovery-phrase", form(cookie), "passphrase=correct+horse");

    assertThat(settings.body()).contains("type=\"password\"");
    assertThat(wrong.status()).isEqualTo(403);
    assertThat(wrong.body()).contains("wrong_passphrase");
    assertThat(right.status()).isEqualTo(200);
    byte[] seed = TestAuthors.person("alice").root.seed();
    assertThat(right.body()).contains(org.grapevine.protocol.keys.RecoveryPhrase.encode(seed));
    assertThat(limited.status()).isEqualTo(429);
  }
}
