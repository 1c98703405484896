package org.grapevine.node.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.grapevine.libp2p.crypto.PrivKey;
import org.grapevine.node.Node;
import org.grapevine.node.NodeLauncher;
import org.grapevine.node.config.DataDir;
import org.grapevine.node.config.NodeConfig;
import org.grapevine.protocol.Limits;
import org.grapevine.protocol.entry.LogEntry;
import org.grapevine.protocol.testing.TestAuthors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The local API against a real node (RocksDB, libp2p on 127.0.0.1) with a second node to follow,
 * through {@link HttpClient} and, for what a well-behaved client cannot send, a raw socket.
 */
@Timeout(180)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ApiIT {
  private static final String TOKEN = "ab".repeat(32);
  private static final ObjectMapper JSON = new ObjectMapper();

  private Path dir;
  private final MultiThreadIoEventLoopGroup group =
      new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  private final TestAuthors.Person alice = TestAuthors.person("alice");
  private final TestAuthors.Person bob = TestAuthors.person("bob");
  private Node a;
  private Node b;
  private ApiServer api;

  record Answer(int status, JsonNode json, HttpResponse<String> raw) {
    String code() {
      return json.path("error").path("code").asText();
    }
  }

  @BeforeAll
  void start(@TempDir Path tempDir) throws Exception {
    dir = tempDir;
    a = node("a", alice);
    b = node("b", bob);
    api = ApiServer.start(a, 0, TOKEN, group);
    a.connect(b.host().listenAddrs().get(0).withPeerId(b.host().peerId()))
        .get(10, TimeUnit.SECONDS);
  }

  @AfterAll
  void stop() {
    if (api != null) {
      api.close();
    }
    for (Node n : new Node[] {a, b}) {
      if (n != null) {
        n.close();
      }
    }
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
  }

  private Node node(String name, TestAuthors.Person who) throws Exception {
    return NodeLauncher.of(
            NodeConfig.loopback(),
            dir.resolve(name),
            new DataDir.Keys(
                who.identity,
                who.root,
                who.deviceKey("laptop"),
                PrivKey.generate(new SecureRandom())),
            group)
        .start();
  }

  private Answer call(String method, String path, String body) throws Exception {
    return call(method, path, body, "Bearer " + TOKEN);
  }

  private Answer call(String method, String path, String body, String authorization)
      throws Exception {
    HttpRequest.Builder r =
        HttpRequest.newBuilder(URI.create(api.url() + path))
            .timeout(Duration.ofSeconds(30))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    if (authorization != null) {
      r.header("Authorization", authorization);
    }
    HttpResponse<String> resp = http.send(r.build(), HttpResponse.BodyHandlers.ofString());
    JsonNode json =
        resp.headers().firstValue("content-type").orElse("").startsWith("application/json")
            ? JSON.readTree(resp.body())
            : null;
    return new Answer(resp.statusCode(), json, resp);
  }

  private Answer ok(String method, String path, String body) throws Exception {
    Answer r = call(method, path, body);
    assertThat(r.status()).as(method + " " + path + ": " + r.raw().body()).isBetween(200, 201);
    return r;
  }

  private static String json(Object... kv) throws Exception {
    Map<String, Object> m = new HashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put((String) kv[i], kv[i + 1]);
    }
    return JSON.writeValueAsString(m);
  }

  private static void await(String what, BooleanSupplier done) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!done.getAsBoolean()) {
      assertThat(System.nanoTime()).as(what).isLessThan(deadline);
      Thread.sleep(20);
    }
  }

  private void assertError(Answer r, int status, String code) {
    assertThat(r.status()).as(r.raw().body()).isEqualTo(status);
    assertThat(r.code()).isEqualTo(code);
    assertThat(r.json().path("error").path("message").asText())
        .isNotBlank()
        .doesNotContain("Exception")
        .doesNotContain("\tat ");
  }

  @Test
  void auth_missingOrWrongToken_is401() throws Exception {
    assertError(call("GET", "/v1/status", null, null), 401, "unauthorized");
    assertError(call("GET", "/v1/status", null, "Bearer " + "cd".repeat(32)), 401, "unauthorized");
    assertError(
        call("GET", "/v1/status", null, "Bearer " + TOKEN.substring(1)), 401, "unauthorized");
    assertError(call("GET", "/v1/status", null, "Basic " + TOKEN), 401, "unauthorized");
    assertError(call("GET", "/metrics", null, null), 401, "unauthorized");
    assertError(
        call("GET", "/v1/nope", null, null),
        401,
        "unauthorized"); // No probing of routes without the token.
    assertThat(call("GET", "/v1/status", null, null).raw().headers().firstValue("www-authenticate"))
        .contains("Bearer");
  }

  @Test
  void writes_postReplyReactRepostDelete_roundTrip() throws Exception {
    JsonNode post = ok("POST", "/v1/posts", json("text", "hello, world")).json();
    assertThat(call("POST", "/v1/posts", json("text", "x")).status()).isEqualTo(201);
    String id = post.get("id").asText();
    assertThat(id).hasSize(64);
    assertThat(post.get("identity").asText()).isEqualTo(alice.identity.toString());
    assertThat(post.get("author").asText()).isEqualTo(a.device().toHex());
    assertThat(post.get("kind").asText()).isEqualTo("post");
    assertThat(post.get("deleted").asBoolean()).isFalse();
    assertThat(post.at("/content/text").asText()).isEqualTo("hello, world");
    assertThat(post.at("/content/reply_to").isNull()).isTrue();
    assertThat(ok("GET", "/v1/entries/" + id.substring(0, 10), null).json()).isEqualTo(post);

    JsonNode reply =
        ok("POST", "/v1/replies", json("parent", id.substring(0, 12), "text", "first reply"))
            .json();
    assertThat(reply.at("/content/reply_to/root/entry").asText()).isEqualTo(id);
    assertThat(reply.at("/content/reply_to/parent/entry").asText()).isEqualTo(id);
    assertThat(reply.at("/content/reply_to/root/identity").asText())
        .isEqualTo(alice.identity.toString());
    JsonNode nested =
        ok(
                "POST",
                "/v1/replies",
                json("parent", reply.get("id").asText(), "text", "a reply to the reply"))
            .json();
    assertThat(nested.at("/content/reply_to/root/entry").asText()).isEqualTo(id);
    assertThat(nested.at("/content/reply_to/parent/entry").asText())
        .isEqualTo(reply.get("id").asText());

    JsonNode thread = ok("GET", "/v1/threads/" + nested.get("id").asText(), null).json();
    assertThat(thread.get("count").asInt()).isEqualTo(3);
    assertThat(thread.get("truncated").asBoolean()).isFalse();
    assertThat(thread.at("/root/id").asText()).isEqualTo(id);
    assertThat(thread.at("/root/replies/0/id").asText()).isEqualTo(reply.get("id").asText());
    assertThat(thread.at("/root/replies/0/replies/0/id").asText())
        .isEqualTo(nested.get("id").asText());

    JsonNode reaction = ok("POST", "/v1/reactions", json("target", id, "emoji", "🍇")).json();
    assertThat(reaction.get("kind").asText()).isEqualTo("reaction");
    assertThat(reaction.at("/content/emoji").asText()).isEqualTo("🍇");
    assertThat(reaction.at("/content/target/entry").asText()).isEqualTo(id);
    JsonNode repost = ok("POST", "/v1/reposts", json("target", id)).json();
    assertThat(repost.at("/content/target/entry").asText()).isEqualTo(id);
    assertError(
        call("POST", "/v1/reposts", json("target", reaction.get("id").asText())),
        400,
        "bad_request");
    assertError(
        call("POST", "/v1/replies", json("parent", reaction.get("id").asText(), "text", "x")),
        400,
        "bad_request");
    assertError(
        call("POST", "/v1/reactions", json("target", reaction.get("id").asText(), "emoji", "x")),
        400,
        "bad_request");
    assertThat(
            ok("POST", "/v1/reactions", json("target", repost.get("id").asText(), "emoji", "x"))
                .json()
                .get("kind")
                .asText())
        .isEqualTo("reaction");
    assertError(call("POST", "/v1/reactions", json("target", id, "emoji", " ")), 400, "empty_text");

    // Issue 15: every entry served carries its counts, its author's name, a repost its original.
    JsonNode counted = ok("GET", "/v1/entries/" + id, null).json();
    assertThat(counted.at("/counts/replies").asLong()).isEqualTo(1); // Direct replies only.
    assertThat(counted.at("/counts/reposts").asLong()).isEqualTo(1);
    assertThat(counted.at("/counts/reactions").toString()).isEqualTo("{\"🍇\":1}");
    assertThat(counted.has("author_name")).isTrue();
    JsonNode reposted = ok("GET", "/v1/entries/" + repost.get("id").asText(), null).json();
    assertThat(reposted.get("original_held").asBoolean()).isTrue();
    assertThat(reposted.at("/original/id").asText()).isEqualTo(id);
    assertThat(reposted.at("/counts/reactions").toString()).isEqualTo("{\"x\":1}");

    JsonNode deleted = ok("DELETE", "/v1/entries/" + id, null).json();
    assertThat(deleted.get("target").asText()).isEqualTo(id);
    assertThat(deleted.at("/entry/kind").asText()).isEqualTo("delete");
    assertThat(deleted.at("/entry/content/target").asText()).isEqualTo(id);
    JsonNode after = ok("GET", "/v1/entries/" + id, null).json();
    assertThat(after.get("deleted").asBoolean()).isTrue();
    assertThat(after.get("missing").isNull()).isTrue();
    assertThat(after.get("content").isNull()).isTrue();
    assertThat(after.get("seq").asLong())
        .isEqualTo(post.get("seq").asLong()); // The signed entry stays.
  }

  /** Issue 12, case 2: content not held is missing, with why, never "deleted". */
  @Test
  void entryHeldWithoutContent_isMissingNotDeleted_untilItsContentArrives() throws Exception {
    TestAuthors.Person carol = TestAuthors.person("carol");
    org.grapevine.protocol.crypto.SigningKey phone = carol.deviceKey("phone");
    org.grapevine.protocol.entry.LogEntry p =
        carol.deviceLog(phone).append(TestAuthors.post("not here yet"), TestAuthors.T0_MILLIS + 1);
    a.store().apply(carol.delegate(phone, TestAuthors.T0_MILLIS));
    a.store().apply(p.withoutContent());

    JsonNode bare = ok("GET", "/v1/entries/" + p.id().toHex(), null).json();
    assertThat(bare.get("deleted").asBoolean()).isFalse();
    assertThat(bare.get("missing").asText()).isEqualTo("not_fetched");
    assertThat(bare.get("content").isNull()).isTrue();

    assertThat(a.store().fillContent(p)).isTrue();
    JsonNode full = ok("GET", "/v1/entries/" + p.id().toHex(), null).json();
    assertThat(full.get("deleted").asBoolean()).isFalse();
    assertThat(full.get("missing").isNull()).isTrue();
    assertThat(full.at("/content/text").asText()).isEqualTo("not here yet");
  }

  @Test
  void badInput_definedErrors_andTheNodeKeepsServing() throws Exception {
    assertError(call("POST", "/v1/posts", "{\"text\": "), 400, "invalid_json");
    assertError(call("POST", "/v1/posts", "[1, 2]"), 400, "invalid_json");
    assertError(call("POST", "/v1/posts", ""), 400, "invalid_json");
    assertError(call("POST", "/v1/posts", json("txt", "typo")), 400, "bad_request");
    assertError(call("POST", "/v1/posts", json("text", 42)), 400, "bad_request");
    assertError(call("POST", "/v1/posts", json("text", "  \n ")), 400, "empty_text");
    assertError(
        call("POST", "/v1/posts", json("text", "é".repeat(Limits.MAX_POST_TEXT_BYTES / 2 + 1))),
        400,
        "text_too_long");
    assertThat(
            call("POST", "/v1/posts", json("text", "é".repeat(Limits.MAX_POST_TEXT_BYTES / 2)))
                .status())
        .isEqualTo(201);
    assertError(
        call("POST", "/v1/reactions", json("target", "0".repeat(64), "emoji", "x")),
        404,
        "not_found");
    assertError(
        call("POST", "/v1/replies", json("parent", "zzzz", "text", "x")), 400, "bad_request");
    assertError(
        call("POST", "/v1/replies", json("parent", "abc", "text", "x")), 400, "bad_request");
    assertError(call("GET", "/v1/entries/" + "f".repeat(64), null), 404, "not_found");
    assertError(call("GET", "/v1/profiles/gv1zzzzzzzzz", null), 404, "not_found");
    assertError(
        call("GET", "/v1/profiles/" + alice.identity.toString().replace('q', 'p'), null),
        400,
        "bad_request");
    assertError(call("GET", "/v1/timeline?limit=0", null), 400, "bad_request");
    assertError(call("GET", "/v1/timeline?limit=abc", null), 400, "bad_request");
    assertError(call("GET", "/v1/timeline?before=not-a-cursor", null), 400, "bad_request");
    assertError(call("GET", "/v1/timeline?limt=5", null), 400, "bad_request");
    assertError(call("PUT", "/v1/posts", json("text", "x")), 405, "method_not_allowed");
    assertThat(call("PUT", "/v1/posts", json("text", "x")).raw().headers().firstValue("allow"))
        .contains("POST");
    assertError(call("GET", "/v1/nope", null), 404, "not_found");
    assertError(call("GET", "/v2/status", null), 404, "not_found");
    assertThat(
            raw(
                "GET /v1/entries/%zz HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
                    + TOKEN
                    + "\r\nConnection: close\r\n\r\n"))
        .startsWith("HTTP/1.1 400")
        .contains("\"code\":\"bad_request\"");

    String oversize =
        raw(
            "POST /v1/posts HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
                + TOKEN
                + "\r\nContent-Type: application/json\r\nContent-Length: "
                + (ApiServer.MAX_BODY_BYTES + 1)
                + "\r\n\r\n");
    assertThat(oversize).startsWith("HTTP/1.1 413").contains("\"code\":\"too_large\"");
    String garbage = raw("\u0001\u0002 nonsense\r\n\r\n");
    assertThat(garbage).startsWith("HTTP/1.1 400").contains("\"code\":\"bad_request\"");

    assertThat(ok("GET", "/v1/status", null).json().get("identity").asText())
        .isEqualTo(alice.identity.toString());
  }

  @Test
  void entryPrefix_sharedByTwoEntries_isAmbiguous() throws Exception {
    Map<String, LogEntry> byPrefix = new HashMap<>();
    String shared = null;
    for (int i = 0;
        shared == null && i < 5000;
        i++) { // Birthday bound: about 300 posts for 4 hex digits.
      LogEntry e = a.post(TestAuthors.post("prefix hunt " + i));
      String p = e.id().toHex().substring(0, 4);
      if (byPrefix.putIfAbsent(p, e) != null) {
        shared = p;
      }
    }
    assertThat(shared).isNotNull();
    Answer r = call("GET", "/v1/entries/" + shared, null);
    assertError(r, 409, "ambiguous_prefix");
    assertThat(r.json().at("/error/candidates").asInt()).isGreaterThanOrEqualTo(2);
    assertThat(
            ok("GET", "/v1/entries/" + byPrefix.get(shared).id().toHex().substring(0, 16), null)
                .json()
                .get("id")
                .asText())
        .isEqualTo(byPrefix.get(shared).id().toHex());
  }

  @Test
  void followAnotherNode_eventsTimelineFollowersMuteUnfollow() throws Exception {
    BlockingQueue<String> events = new LinkedBlockingQueue<>();
    HttpResponse<Stream<String>> stream =
        http.send(
            HttpRequest.newBuilder(URI.create(api.url() + "/v1/events"))
                .header("Authorization", "Bearer " + TOKEN)
                .build(),
            HttpResponse.BodyHandlers.ofLines());
    assertThat(stream.statusCode()).isEqualTo(200);
    assertThat(stream.headers().firstValue("content-type").orElse(""))
        .startsWith("text/event-stream");
    Thread reader =
        new Thread(
            () -> {
              try {
                stream.body().forEach(events::add);
              } catch (java.io.UncheckedIOException closed) {
                // The test closed the stream.
              }
            },
            "sse-reader");
    reader.setDaemon(true);
    reader.start();

    assertError(
        call("POST", "/v1/follows", json("identity", bob.identity.toString().substring(0, 12))),
        404,
        "not_found");
    JsonNode followed = ok("POST", "/v1/follows", json("identity", bob.identity.toString())).json();
    assertThat(followed.get("following").asBoolean()).isTrue();
    assertThat(followed.at("/entry/kind").asText()).isEqualTo("follow");
    assertThat(followed.at("/entry/content/identity").asText()).isEqualTo(bob.identity.toString());
    assertThat(
            ok("POST", "/v1/follows", json("identity", bob.identity.toString()))
                .json()
                .get("entry")
                .isNull())
        .isTrue();
    assertThat(ok("GET", "/v1/follows", null).json().get("follows"))
        .extracting(JsonNode::asText)
        .containsExactly(bob.identity.toString());
    Thread.sleep(1500); // Subscriptions travel and meshes form (heartbeat 1 s).

    b.follow(alice.identity);
    LogEntry hello = b.post(TestAuthors.post("hello from bob"));
    String event = awaitEvent(events, hello.id().toHex());
    assertThat(JSON.readTree(event).at("/content/text").asText()).isEqualTo("hello from bob");
    JsonNode mine = ok("POST", "/v1/posts", json("text", "my own post")).json();
    assertThat(JSON.readTree(awaitEvent(events, mine.get("id").asText())).get("identity").asText())
        .isEqualTo(alice.identity.toString());

    JsonNode timeline = ok("GET", "/v1/timeline?limit=200", null).json();
    List<String> ids = new ArrayList<>();
    timeline.get("entries").forEach(e -> ids.add(e.get("id").asText()));
    assertThat(ids).contains(hello.id().toHex(), mine.get("id").asText());
    String bobPrefix = bob.identity.toString().substring(0, 10);
    assertThat(
            ok("GET", "/v1/identities/" + bobPrefix + "/posts", null)
                .json()
                .at("/entries/0/id")
                .asText())
        .isEqualTo(hello.id().toHex());
    await("bob's follow of alice arrived", () -> a.store().entryById(hello.id()).isPresent());
    assertThat(ok("GET", "/v1/followers", null).json().get("followers"))
        .extracting(JsonNode::asText)
        .containsExactly(bob.identity.toString());
    assertError(call("DELETE", "/v1/entries/" + hello.id().toHex(), null), 403, "forbidden");
    JsonNode reply =
        ok("POST", "/v1/replies", json("parent", hello.id().toHex(), "text", "hi bob")).json();
    assertThat(reply.at("/content/reply_to/root/identity").asText())
        .isEqualTo(bob.identity.toString());

    assertThat(ok("POST", "/v1/mutes", json("identity", bobPrefix)).json().get("muted").asBoolean())
        .isTrue();
    assertThat(ok("GET", "/v1/mutes", null).json().get("mutes"))
        .extracting(JsonNode::asText)
        .containsExactly(bob.identity.toString());
    JsonNode mutedTimeline = ok("GET", "/v1/timeline?limit=200", null).json();
    mutedTimeline
        .get("entries")
        .forEach(e -> assertThat(e.get("identity").asText()).isEqualTo(alice.identity.toString()));
    assertThat(ok("DELETE", "/v1/mutes/" + bobPrefix, null).json().get("muted").asBoolean())
        .isFalse();
    assertError(
        call("POST", "/v1/mutes", json("identity", alice.identity.toString())), 400, "bad_request");
    assertError(
        call("POST", "/v1/follows", json("identity", alice.identity.toString())),
        400,
        "bad_request");
    assertError(call("DELETE", "/v1/follows/" + alice.identity, null), 400, "bad_request");

    JsonNode unfollowed = ok("DELETE", "/v1/follows/" + bobPrefix, null).json();
    assertThat(unfollowed.get("following").asBoolean()).isFalse();
    assertThat(unfollowed.at("/entry/kind").asText()).isEqualTo("unfollow");
    assertThat(ok("GET", "/v1/follows", null).json().get("follows")).isEmpty();
    assertThat(ok("GET", "/v1/status", null).json().get("event_streams").asInt()).isEqualTo(1);
    stream.body().close();
  }

  private static String awaitEvent(BlockingQueue<String> lines, String id)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    boolean mine = false;
    while (System.nanoTime() < deadline) {
      String line = lines.poll(100, TimeUnit.MILLISECONDS);
      if (line == null) {
        continue;
      }
      if (line.startsWith("id: ")) {
        mine = line.equals("id: " + id);
      } else if (mine && line.startsWith("data: ")) {
        return line.substring(6);
      }
    }
    throw new AssertionError("no event for " + id);
  }

  @Test
  void timeline_pagedWithCursor_newestFirstWithoutGapsOrRepeats() throws Exception {
    List<String> posted = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      posted.add(0, ok("POST", "/v1/posts", json("text", "page " + i)).json().get("id").asText());
    }
    List<JsonNode> all = new ArrayList<>();
    String next = null;
    int pages = 0;
    do {
      JsonNode page =
          ok(
                  "GET",
                  "/v1/identities/"
                      + alice.identity
                      + "/posts?limit=3"
                      + (next == null ? "" : "&before=" + next),
                  null)
              .json();
      page.get("entries").forEach(all::add);
      next = page.get("next").isNull() ? null : page.get("next").asText();
      assertThat(page.get("entries").size()).isLessThanOrEqualTo(3);
      pages++;
    } while (next != null && pages < 1000);
    List<String> ids = all.stream().map(e -> e.get("id").asText()).toList();
    assertThat(ids).doesNotHaveDuplicates();
    assertThat(ids.subList(0, 7)).isEqualTo(posted);
    for (int i = 1; i < all.size(); i++) {
      assertThat(all.get(i).get("timestamp").asLong())
          .isLessThanOrEqualTo(all.get(i - 1).get("timestamp").asLong());
    }
    assertThat(ids)
        .hasSize(
            a.store().timeline(java.util.Set.of(alice.identity), Long.MAX_VALUE, 100_000).size());
  }

  @Test
  void profile_setPartly_keepsTheOtherField() throws Exception {
    JsonNode empty = ok("GET", "/v1/profiles/" + bob.identity, null).json();
    assertThat(empty.get("name").asText()).isEmpty();
    assertThat(empty.get("entry").isNull()).isTrue();
    assertThat(ok("PUT", "/v1/profile", json("name", "Alice")).json().get("name").asText())
        .isEqualTo("Alice");
    JsonNode both = ok("PUT", "/v1/profile", json("bio", "grapes")).json();
    assertThat(both.get("name").asText()).isEqualTo("Alice");
    assertThat(both.get("bio").asText()).isEqualTo("grapes");
    assertThat(ok("GET", "/v1/profile", null).json()).isEqualTo(both);
    assertThat(ok("GET", "/v1/profiles/" + alice.identity.toString().substring(0, 9), null).json())
        .isEqualTo(both);
    assertError(
        call("PUT", "/v1/profile", json("name", "n".repeat(Limits.MAX_PROFILE_NAME_BYTES + 1))),
        400,
        "text_too_long");
    assertError(call("PUT", "/v1/profile", "{}"), 400, "bad_request");
  }

  @Test
  void status_identity_peers_metrics() throws Exception {
    JsonNode status = ok("GET", "/v1/status", null).json();
    assertThat(status.get("peer_id").asText()).isEqualTo(a.host().peerId().toString());
    assertThat(status.get("device").asText()).isEqualTo(a.device().toHex());
    assertThat(status.get("listen_addrs").get(0).asText())
        .startsWith("/ip4/127.0.0.1/tcp/")
        .endsWith(a.host().peerId().toString());
    assertThat(status.get("connections").asInt()).isGreaterThanOrEqualTo(1);
    assertThat(status.get("entries_stored").asLong())
        .isGreaterThanOrEqualTo(2); // Delegation and own follow at least.
    assertThat(status.at("/sync/gap_buffered").isNumber()).isTrue();
    assertThat(status.get("device_state").asText()).isEqualTo("active");
    JsonNode identity = ok("GET", "/v1/identity", null).json();
    assertThat(identity.get("identity").asText()).isEqualTo(alice.identity.toString());

    JsonNode peers = ok("GET", "/v1/peers", null).json();
    List<String> connected = new ArrayList<>();
    peers.get("connected").forEach(p -> connected.add(p.get("peer_id").asText()));
    assertThat(connected).contains(b.host().peerId().toString());
    assertThat(peers.at("/connected/0/direction").asText()).isIn("inbound", "outbound");

    JsonNode metrics = ok("GET", "/v1/metrics", null).json();
    List<String> names = new ArrayList<>();
    metrics.get("metrics").forEach(m -> names.add(m.get("name").asText()));
    assertThat(names)
        .contains(
            "grapevine_api_requests_total",
            "grapevine_ingest_total",
            "grapevine_api_event_streams");
    Answer text = call("GET", "/metrics", null);
    assertThat(text.status()).isEqualTo(200);
    assertThat(text.raw().headers().firstValue("content-type"))
        .contains("text/plain; version=0.0.4; charset=utf-8");
    assertThat(text.raw().body())
        .contains("# TYPE grapevine_ingest_total counter")
        .containsPattern("grapevine_ingest_total\\{source=\"own\",outcome=\"stored\"} [1-9]")
        .contains(
            "grapevine_api_requests_total{route=\"/v1/metrics\",method=\"GET\",status=\"200\"} ");
  }

  /**
   * An upload over the node's cap (16 MiB by default) is refused at its headers, but a client that
   * sends the whole body before reading (as the CLI's and browsers' do) still gets the answer: the
   * node drops the body instead of closing on it, which would reset the connection and lose the
   * answer (CI saw "header parser received no bytes" in the CLI's MediaIT).
   */
  @Test
  void uploadOverTheCap_sentWholeBeforeReading_getsTheAnswer() throws IOException {
    assertThat(postWholeThenRead("/v1/media", "application/octet-stream", (16L << 20) + 1))
        .startsWith("HTTP/1.1 413")
        .contains("\"code\":\"too_large\"");
  }

  /**
   * The same for a JSON route's body over {@link ApiServer#MAX_BODY_BYTES}, refused by the
   * aggregator at its Content-Length (closing on the unread body lost the answer there too).
   */
  @Test
  void jsonBodyOverTheLimit_sentWholeBeforeReading_getsTheAnswer() throws IOException {
    assertThat(postWholeThenRead("/v1/posts", "application/json", 16L << 20))
        .startsWith("HTTP/1.1 413")
        .contains("\"code\":\"too_large\"");
  }

  /**
   * POSTs {@code bodyBytes} zero bytes to {@code path}, all written before reading; then reads the
   * answer to the end.
   */
  private String postWholeThenRead(String path, String type, long bodyBytes) throws IOException {
    String head =
        "POST "
            + path
            + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
            + TOKEN
            + "\r\nContent-Type: "
            + type
            + "\r\nContent-Length: "
            + bodyBytes
            + "\r\n\r\n";
    try (Socket s = new Socket(api.address().getAddress(), api.address().getPort())) {
      s.setSoTimeout(30_000);
      OutputStream out = s.getOutputStream();
      out.write(head.getBytes(StandardCharsets.ISO_8859_1));
      byte[] chunk = new byte[64 << 10];
      for (long sent = 0; sent < bodyBytes; sent += chunk.length) {
        out.write(chunk, 0, (int) Math.min(chunk.length, bodyBytes - sent));
      }
      out.flush();
      return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  /** Sends bytes a well-behaved client would not, and reads the answer until the server closes. */
  private String raw(String request) throws IOException {
    try (Socket s = new Socket(api.address().getAddress(), api.address().getPort())) {
      s.setSoTimeout(30_000);
      OutputStream out = s.getOutputStream();
      out.write(request.getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      InputStream in = s.getInputStream();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void status_wildcardListenAddress_isShownAsDialableInterfaceAddresses() throws Exception {
    TestAuthors.Person carol = TestAuthors.person("carol");
    NodeConfig everyInterface =
        NodeConfig.loopback().withNetwork(NodeConfig.loopback().network().withHost("0.0.0.0"));
    Node c =
        NodeLauncher.of(
                everyInterface,
                dir.resolve("c"),
                new DataDir.Keys(
                    carol.identity,
                    carol.root,
                    carol.deviceKey("laptop"),
                    PrivKey.generate(new SecureRandom())),
                group)
            .start();
    try (ApiServer cApi = ApiServer.start(c, 0, TOKEN, group)) {
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(URI.create(cApi.url() + "/v1/status"))
                  .header("Authorization", "Bearer " + TOKEN)
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      List<String> addrs = new ArrayList<>();
      JSON.readTree(r.body()).get("listen_addrs").forEach(x -> addrs.add(x.asText()));
      assertThat(addrs)
          .isNotEmpty()
          .allSatisfy(
              x ->
                  assertThat(x)
                      .doesNotContain("/0.0.0.0/")
                      .doesNotContain("/ip6/::/")
                      .endsWith("/p2p/" + c.host().peerId()));
      // What status shows can be dialled: the other node connects to the first address.
      b.connect(org.grapevine.libp2p.multiaddr.Multiaddr.parse(addrs.get(0)))
          .get(10, TimeUnit.SECONDS);
    } finally {
      c.close();
    }
  }
}
