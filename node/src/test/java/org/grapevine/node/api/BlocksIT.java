package org.grapevine.node.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.grapevine.protocol.testing.TestContent.quote;
import static org.grapevine.protocol.testing.TestContent.reaction;
import static org.grapevine.protocol.testing.TestContent.reply;
import static org.grapevine.protocol.testing.TestContent.repost;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.grapevine.libp2p.crypto.PrivKey;
import org.grapevine.node.Node;
import org.grapevine.node.NodeLauncher;
import org.grapevine.node.config.DataDir;
import org.grapevine.node.config.NodeConfig;
import org.grapevine.node.testing.BarePeer;
import org.grapevine.protocol.crypto.SigningKey;
import org.grapevine.protocol.entry.EntryId;
import org.grapevine.protocol.entry.LogEntry;
import org.grapevine.protocol.log.LogWriter;
import org.grapevine.protocol.testing.TestAuthors;
import org.grapevine.protocol.topic.Topics;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15: block, content warnings and quotes through the API of a real node (RocksDB, libp2p on
 * 127.0.0.1), with Bob publishing over real gossip. A block unfollows, and hides what Bob wrote
 * before it from threads and counts; unblocking shows it again (the rows were kept).
 */
@Timeout(120)
class BlocksIT {
  private static final String TOKEN = "cd".repeat(32);
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;
  private final MultiThreadIoEventLoopGroup group =
      new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  private final TestAuthors.Person alice = TestAuthors.person("alice");
  private final TestAuthors.Person bob = TestAuthors.person("bob");
  private Node a;
  private ApiServer api;

  @BeforeEach
  void start() throws Exception {
    a =
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
    api = ApiServer.start(a, 0, TOKEN, group);
  }

  @AfterEach
  void stop() {
    if (api != null) {
      api.close();
    }
    if (a != null) {
      a.close();
    }
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
  }

  private record Answer(int status, JsonNode json) {}

  private Answer call(String method, String path, Map<String, String> body) throws Exception {
    HttpRequest r =
        HttpRequest.newBuilder(URI.create(api.url() + path))
            .timeout(Duration.ofSeconds(30))
            .header("Authorization", "Bearer " + TOKEN)
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)))
            .build();
    HttpResponse<String> resp = http.send(r, HttpResponse.BodyHandlers.ofString());
    return new Answer(resp.statusCode(), JSON.readTree(resp.body()));
  }

  private JsonNode ok(String method, String path, Map<String, String> body) throws Exception {
    Answer r = call(method, path, body);
    assertThat(r.status()).as(method + " " + path + ": " + r.json()).isBetween(200, 201);
    return r.json();
  }

  @Test
  void post_contentWarningAndQuote_roundTrip_badOnesRefusedWithReasons() throws Exception {
    JsonNode first = ok("POST", "/v1/posts", Map.of("text", "first"));
    String id = first.get("id").asText();
    JsonNode q =
        ok(
            "POST",
            "/v1/posts",
            Map.of(
                "text", "the ending", "content_warning", "spoilers", "quote", id.substring(0, 8)));

    assertThat(q.at("/content/content_warning").asText()).isEqualTo("spoilers");
    assertThat(q.at("/content/quote/entry").asText()).isEqualTo(id);
    assertThat(q.get("quote_held").asBoolean()).isTrue();
    assertThat(q.at("/quote/content/text").asText()).isEqualTo("first");
    assertThat(ok("GET", "/v1/entries/" + id, null).at("/counts/quotes").asLong()).isEqualTo(1);
    JsonNode warnedReply =
        ok("POST", "/v1/replies", Map.of("parent", id, "text", "it was", "content_warning", "cw"));
    assertThat(warnedReply.at("/content/content_warning").asText()).isEqualTo("cw");
    assertThat(warnedReply.at("/content/reply_to/parent/entry").asText()).isEqualTo(id);

    Answer tooLong =
        call("POST", "/v1/posts", Map.of("text", "t", "content_warning", "w".repeat(513)));
    assertThat(tooLong.status()).isEqualTo(400);
    assertThat(tooLong.json().at("/error/message").asText())
        .isEqualTo("content_warning is 513 bytes of UTF-8, at most 512");
    assertThat(call("POST", "/v1/posts", Map.of("text", "t", "content_warning", " ")).status())
        .isEqualTo(400);
    JsonNode like = ok("POST", "/v1/reactions", Map.of("target", id, "emoji", "❤"));
    Answer quotesReaction =
        call("POST", "/v1/posts", Map.of("text", "t", "quote", like.get("id").asText()));
    assertThat(quotesReaction.status()).as(quotesReaction.json().toString()).isEqualTo(400);
    assertThat(call("POST", "/v1/posts", Map.of("text", "t", "quote", "ffffffff")).status())
        .isEqualTo(404);
  }

  @Test
  void block_unfollowsAndHidesWhatTheBlockedWroteBefore_unblockShowsItAgain() throws Exception {
    String post = ok("POST", "/v1/posts", Map.of("text", "hello")).get("id").asText();
    LogEntry mine = a.store().entryById(EntryId.parse(post)).orElseThrow();
    String b = bob.identity.toString();
    ok("POST", "/v1/follows", Map.of("identity", b));

    SigningKey phone = bob.deviceKey("phone");
    LogWriter bobs = bob.deviceLog(phone);
    long t = TestAuthors.T0_MILLIS;
    List<LogEntry> published =
        List.of(
            bob.delegate(phone, t),
            bobs.append(reply("hi alice", mine), t + 1),
            bobs.append(reaction("👎", mine), t + 2),
            bobs.append(repost(mine), t + 3),
            bobs.append(quote("look at this", mine), t + 4));
    List<AutoCloseable> closing = new ArrayList<>();
    try {
      String topic = Topics.forIdentity(bob.identity);
      BarePeer peer = BarePeer.start(a, topic, group, closing);
      for (LogEntry e : published) {
        peer.gossip().publish(topic, e.toEnvelopeBytes()).get(5, TimeUnit.SECONDS);
      }
      LogEntry last = published.get(published.size() - 1);
      BarePeer.await("alice holds bob's entries", () -> a.store().entryById(last.id()).isPresent());
    } finally {
      for (int i = closing.size() - 1; i >= 0; i--) {
        closing.get(i).close();
      }
    }
    String all = "{\"replies\":1,\"reposts\":1,\"quotes\":1,\"reactions\":{\"👎\":1}}";
    assertThat(ok("GET", "/v1/entries/" + post, null).get("counts").toString()).isEqualTo(all);
    assertThat(ok("GET", "/v1/threads/" + post, null).get("count").asInt()).isEqualTo(2);

    JsonNode blocked = ok("POST", "/v1/blocks", Map.of("identity", b.substring(0, 12)));

    assertThat(blocked.get("identity").asText()).isEqualTo(b);
    assertThat(blocked.get("blocked").asBoolean()).isTrue();
    assertThat(blocked.get("unfollowed").asBoolean()).isTrue();
    assertThat(blocked.at("/entry/kind").asText()).isEqualTo("unfollow");
    assertThat(ok("GET", "/v1/follows", null).get("follows")).isEmpty();
    assertThat(ok("GET", "/v1/blocks", null).get("blocks").get(0).asText()).isEqualTo(b);
    assertThat(ok("GET", "/v1/entries/" + post, null).get("counts").toString())
        .isEqualTo("{\"replies\":0,\"reposts\":0,\"quotes\":0,\"reactions\":{}}");
    JsonNode thread = ok("GET", "/v1/threads/" + post, null);
    assertThat(thread.get("count").asInt()).isEqualTo(1);
    assertThat(thread.at("/root/replies")).isEmpty();
    assertThat(ok("GET", "/v1/status", null).get("blocks").asInt()).isEqualTo(1);
    // A second block: blocked still, nothing more to unfollow.
    JsonNode again = ok("POST", "/v1/blocks", Map.of("identity", b));
    assertThat(again.get("unfollowed").asBoolean()).isFalse();
    assertThat(again.get("entry").isNull()).isTrue();
    // Following a blocked identity is refused, naming why.
    Answer follow = call("POST", "/v1/follows", Map.of("identity", b));
    assertThat(follow.status()).isEqualTo(400);
    assertThat(follow.json().at("/error/message").asText()).contains("blocked");

    JsonNode unblocked = ok("DELETE", "/v1/blocks/" + b.substring(0, 12), null);
    assertThat(unblocked.get("blocked").asBoolean()).isFalse();
    assertThat(ok("GET", "/v1/blocks", null).get("blocks")).isEmpty();
    assertThat(ok("GET", "/v1/entries/" + post, null).get("counts").toString()).isEqualTo(all);
    assertThat(ok("GET", "/v1/follows", null).get("follows")).isEmpty(); // Not restored.
  }
}
