package org.grapevine.node.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.grapevine.node.LoopbackNodes.addr;
import static org.grapevine.node.LoopbackNodes.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.grapevine.node.LoopbackNodes;
import org.grapevine.node.Node;
import org.grapevine.protocol.entry.EntryId;
import org.grapevine.protocol.testing.TestAuthors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The feeds routes (issue 17) on real nodes (RocksDB, libp2p on 127.0.0.1, the API over TCP): a
 * feed published with {@code POST /v1/feeds} is listed, runs over what the node holds (a filter on
 * a hashtag keeps those posts, newest first, in the entry form of every route), pages with its
 * cursor, is used and stopped; bad input is refused with its code, an invalid filter with each
 * problem's place; a feed Bob publishes and uses reaches Alice, who follows him, through discover,
 * and runs on her node over his posts. The web app's feeds screen and the home page's feed page
 * show it, and its publish form shows a problem's place.
 */
@Timeout(180)
class FeedApiIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String CATS = "post.hashtags.exists(h, h == \"cats\")";

  @TempDir Path dir;

  record Answer(int status, JsonNode json, String body) {
    String code() {
      return json.path("error").path("code").asText();
    }
  }

  private static Answer call(WebTestNode n, String method, String path, JsonNode body)
      throws Exception {
    HttpResponse<String> r = n.call(method, path, body);
    JsonNode json;
    try {
      json = JSON.readTree(r.body());
    } catch (com.fasterxml.jackson.core.JacksonException e) {
      json = JSON.createObjectNode(); // An HTML page of the web app.
    }
    return new Answer(r.statusCode(), json, r.body());
  }

  private static Answer ok(WebTestNode n, String method, String path, JsonNode body)
      throws Exception {
    Answer a = call(n, method, path, body);
    assertThat(a.status()).as(method + " " + path + ": " + a.body()).isBetween(200, 299);
    return a;
  }

  private static String post(WebTestNode n, String text) throws Exception {
    return ok(n, "POST", "/v1/posts", JSON.createObjectNode().put("text", text))
        .json()
        .path("id")
        .asText();
  }

  private static ObjectNode feed(String name, String filter, String score) {
    return JSON.createObjectNode()
        .put("name", name)
        .put("description", "Only <cats>")
        .put("version", 1)
        .put("filter", filter)
        .put("score", score);
  }

  private static List<String> ids(Answer page) {
    List<String> out = new ArrayList<>();
    page.json().path("entries").forEach(e -> out.add(e.path("id").asText()));
    return out;
  }

  private static JsonNode find(Answer list, String key) {
    for (JsonNode f : list.json().path("feeds")) {
      if (f.path("key").asText().equals(key)) {
        return f;
      }
    }
    return null;
  }

  @Test
  void publishListRunPageUseStop_andBadInputRefusedWithCodes() throws Exception {
    try (LoopbackNodes nodes = new LoopbackNodes(dir)) {
      Node a = nodes.start("a", TestAuthors.person("alice"));
      try (WebTestNode web = WebTestNode.serve(a, nodes.group())) {
        String one = post(web, "first #cats");
        String dog = post(web, "a #dogs day");
        String three = post(web, "more #cats and #dogs");

        Answer list = ok(web, "GET", "/v1/feeds", null);
        for (String builtIn :
            List.of("following", "conversations", "popular", "friends-of-friends", "mentions")) {
          JsonNode f = find(list, builtIn);
          assertThat(f).as(builtIn + " in " + list.body()).isNotNull();
          assertThat(f.path("built_in").asBoolean()).isTrue();
          assertThat(f.path("author").isNull()).isTrue();
          assertThat(f.path("id").isNull()).isTrue();
        }

        Answer made = call(web, "POST", "/v1/feeds", feed("cats", CATS, ""));
        assertThat(made.status()).as(made.body()).isEqualTo(201);
        assertThat(made.json().path("kind").asText()).isEqualTo("feed");
        assertThat(made.json().path("content").path("filter").asText()).isEqualTo(CATS);
        String id = made.json().path("id").asText();

        JsonNode listed = find(ok(web, "GET", "/v1/feeds", null), id);
        assertThat(listed).isNotNull();
        assertThat(listed.path("name").asText()).isEqualTo("cats");
        assertThat(listed.path("description").asText()).isEqualTo("Only <cats>");
        assertThat(listed.path("built_in").asBoolean()).isFalse();
        assertThat(listed.path("author").asText()).isEqualTo(a.identity().toString());
        assertThat(listed.path("id").asText()).isEqualTo(id);
        assertThat(listed.path("filter").asText()).isEqualTo(CATS);
        assertThat(listed.path("version").asInt()).isEqualTo(1);

        // The feed over what the node holds: the #cats posts, newest first (no score).
        Answer page = ok(web, "GET", "/v1/feeds/" + id, null);
        assertThat(ids(page)).containsExactly(three, one);
        assertThat(page.json().path("feed").path("key").asText()).isEqualTo(id);
        JsonNode first = page.json().path("entries").get(0);
        assertThat(first.path("content").path("text").asText()).isEqualTo("more #cats and #dogs");
        assertThat(first.has("counts")).as("the entry form of every route").isTrue();
        assertThat(first.path("reason").isTextual()).isTrue();
        assertThat(first.has("score")).isTrue();
        assertThat(page.json().path("candidates").asInt()).isGreaterThanOrEqualTo(2);
        assertThat(page.json().path("failures").asInt()).isZero();
        assertThat(page.json().path("truncated").asBoolean()).isFalse();
        // A unique prefix of the id names it too.
        assertThat(ids(ok(web, "GET", "/v1/feeds/" + id.substring(0, 12), null)))
            .containsExactly(three, one);
        assertThat(ids(ok(web, "GET", "/v1/feeds/" + id + "?limit=100", null))).doesNotContain(dog);

        // Paging: a page of one, then the rest with its cursor.
        Answer p1 = ok(web, "GET", "/v1/feeds/" + id + "?limit=1", null);
        assertThat(ids(p1)).containsExactly(three);
        String cursor = p1.json().path("cursor").asText();
        assertThat(cursor).isNotEmpty();
        Answer p2 =
            ok(
                web,
                "GET",
                "/v1/feeds/" + id + "?limit=1&cursor=" + URLEncoder.encode(cursor, UTF8),
                null);
        assertThat(ids(p2)).containsExactly(one);
        if (p2.json().path("cursor").isTextual()) {
          Answer p3 =
              ok(
                  web,
                  "GET",
                  "/v1/feeds/"
                      + id
                      + "?limit=1&cursor="
                      + URLEncoder.encode(p2.json().path("cursor").asText(), UTF8),
                  null);
          assertThat(ids(p3)).isEmpty();
        }

        // Use it: marked used, and its name is a key; stop: no longer used.
        Answer use = ok(web, "POST", "/v1/feeds/" + id + "/use", null);
        assertThat(use.status()).isEqualTo(201);
        assertThat(use.json().path("kind").asText()).isEqualTo("feed_use");
        assertThat(use.json().path("content").path("feed").path("entry").asText()).isEqualTo(id);
        assertThat(use.json().path("content").path("stopped").asBoolean()).isFalse();
        assertThat(find(ok(web, "GET", "/v1/feeds", null), id).path("used").asBoolean()).isTrue();
        assertThat(ids(ok(web, "GET", "/v1/feeds/cats", null))).containsExactly(three, one);
        Answer info = ok(web, "GET", "/v1/feeds/cats/info", null);
        assertThat(info.json().path("id").asText()).isEqualTo(id);
        Answer stop = ok(web, "POST", "/v1/feeds/" + id.substring(0, 10) + "/stop", null);
        assertThat(stop.json().path("content").path("stopped").asBoolean()).isTrue();
        assertThat(find(ok(web, "GET", "/v1/feeds", null), id).path("used").asBoolean()).isFalse();

        // An invalid filter: 400 invalid_feed, with the problem's place.
        Answer bad =
            call(web, "POST", "/v1/feeds", feed("bad", "post.hashtags.exists(h, h ==", ""));
        assertThat(bad.status()).as(bad.body()).isEqualTo(400);
        assertThat(bad.code()).isEqualTo("invalid_feed");
        JsonNode problem = bad.json().path("error").path("problems").get(0);
        assertThat(problem.path("expression").asText()).isEqualTo("filter");
        assertThat(problem.path("line").asInt()).isEqualTo(1);
        assertThat(problem.path("column").asInt()).isPositive();
        assertThat(problem.path("message").asText()).isNotEmpty();
        // A score wrong on its second line says line 2.
        Answer badScore = call(web, "POST", "/v1/feeds", feed("bad", "", "1.0 +\n  no_such_thing"));
        assertThat(badScore.code()).as(badScore.body()).isEqualTo("invalid_feed");
        JsonNode scoreProblem = badScore.json().path("error").path("problems").get(0);
        assertThat(scoreProblem.path("expression").asText()).isEqualTo("score");
        assertThat(scoreProblem.path("line").asInt()).isEqualTo(2);

        // Check: the same problems without publishing; none for a good definition.
        Answer checked =
            ok(web, "POST", "/v1/feeds/check", feed("bad", "post.hashtags.exists(h, h ==", ""));
        assertThat(checked.json().path("problems").get(0).path("expression").asText())
            .isEqualTo("filter");
        assertThat(ok(web, "POST", "/v1/feeds/check", feed("good", CATS, "")).json())
            .isEqualTo(JSON.readTree("{\"problems\":[]}"));
        // The README's example.
        assertThat(
                ok(
                        web,
                        "POST",
                        "/v1/feeds/check",
                        feed("cats", CATS, "double(stats.reactions_from_follows)"))
                    .json())
            .isEqualTo(JSON.readTree("{\"problems\":[]}"));

        // Unknown feeds, entries that are not feeds, bad cursors and limits, oversized fields.
        assertThat(call(web, "GET", "/v1/feeds/no-such-feed", null).code())
            .isEqualTo("unknown_feed");
        assertThat(call(web, "GET", "/v1/feeds/no-such-feed", null).status()).isEqualTo(404);
        Answer notFeed = call(web, "GET", "/v1/feeds/" + one, null);
        assertThat(notFeed.status()).as(notFeed.body()).isEqualTo(404);
        assertThat(notFeed.code()).isEqualTo("not_a_feed");
        assertThat(call(web, "POST", "/v1/feeds/" + one + "/use", null).code())
            .isEqualTo("not_a_feed");
        Answer cursorBad = call(web, "GET", "/v1/feeds/following?cursor=nonsense", null);
        assertThat(cursorBad.status()).isEqualTo(400);
        assertThat(cursorBad.code()).isEqualTo("bad_cursor");
        assertThat(call(web, "GET", "/v1/feeds/following?limit=0", null).code())
            .isEqualTo("bad_request");
        assertThat(call(web, "GET", "/v1/feeds/following?limit=101", null).code())
            .isEqualTo("bad_request");
        assertThat(call(web, "GET", "/v1/feeds/discover?limit=1000", null).code())
            .isEqualTo("bad_request");
        assertThat(call(web, "POST", "/v1/feeds", feed("x".repeat(65), CATS, "")).code())
            .isEqualTo("text_too_long");
        assertThat(call(web, "POST", "/v1/feeds", feed("x", "x".repeat(4097), "")).code())
            .isEqualTo("text_too_long");
        assertThat(call(web, "POST", "/v1/feeds", feed("x", CATS, "").put("version", 0)).code())
            .isEqualTo("bad_request");
        assertThat(call(web, "POST", "/v1/feeds", feed("x", CATS, "").put("extra", 1)).code())
            .isEqualTo("bad_request");
        assertThat(call(web, "POST", "/v1/feeds", JSON.createObjectNode()).code())
            .isEqualTo("bad_request");
        assertThat(call(web, "POST", "/v1/feeds/following/use", null).code())
            .isEqualTo("bad_request");
        assertThat(call(web, "GET", "/v1/feeds/" + "a".repeat(200), null).code())
            .isEqualTo("bad_request");

        // The web app: the feeds screen lists it (escaped), the home page runs it.
        Answer screen = ok(web, "GET", "/feeds", null);
        assertThat(screen.body())
            .contains("Only &lt;cats&gt;")
            .doesNotContain("Only <cats>")
            .contains("/web/feeds/use")
            .contains("<pre class=\"source\">" + WebGuard.escape(CATS) + "</pre>");
        Answer home = ok(web, "GET", "/?feed=" + id, null);
        assertThat(home.body())
            .containsSubsequence("id=\"e-" + three + "\"", "id=\"e-" + one + "\"")
            .doesNotContain(dog)
            .contains("<nav aria-label=\"Feeds\"")
            .contains("aria-current=\"page\">cats</a>");
        // The publish form: a problem is shown with its place, the form keeps what was typed.
        HttpResponse<String> form =
            formPost(web, "name=bad&version=1&filter=post.hashtags.exists(h%2C+h+%3D%3D&score=");
        assertThat(form.statusCode()).isEqualTo(400);
        assertThat(form.body())
            .contains("invalid_feed")
            .contains("<span class=\"mono\">filter:1:")
            .contains("post.hashtags.exists(h, h ==</textarea>");
        HttpResponse<String> published =
            formPost(
                web, "name=dogs&version=1&filter=post.hashtags.exists(h%2C+h+%3D%3D+%22dogs%22)");
        assertThat(published.statusCode()).as(published.body()).isEqualTo(303);
        String dogsFeed =
            published.headers().firstValue("location").orElseThrow().substring("/?feed=".length());
        assertThat(ids(ok(web, "GET", "/v1/feeds/" + dogsFeed, null))).containsExactly(three, dog);
        // Use and Stop from the feeds screen: back to it, and the mark follows.
        HttpResponse<String> used =
            formPost(web, "/web/feeds/use", "id=" + dogsFeed + "&back=%2Ffeeds");
        assertThat(used.statusCode()).as(used.body()).isEqualTo(303);
        assertThat(used.headers().firstValue("location")).contains("/feeds");
        assertThat(find(ok(web, "GET", "/v1/feeds", null), dogsFeed).path("used").asBoolean())
            .isTrue();
        assertThat(ok(web, "GET", "/feeds", null).body()).contains("in use", "/web/feeds/stop");
        formPost(web, "/web/feeds/stop", "id=" + dogsFeed + "&back=%2Ffeeds");
        assertThat(find(ok(web, "GET", "/v1/feeds", null), dogsFeed).path("used").asBoolean())
            .isFalse();
      }
    }
  }

  private static final java.nio.charset.Charset UTF8 = StandardCharsets.UTF_8;

  /** The web app's publish form, sent with the token (the form's checks are the route's). */
  private static HttpResponse<String> formPost(WebTestNode web, String form) throws Exception {
    return formPost(web, "/web/feeds/publish", form);
  }

  private static HttpResponse<String> formPost(WebTestNode web, String path, String form)
      throws Exception {
    return java.net.http.HttpClient.newHttpClient()
        .send(
            java.net.http.HttpRequest.newBuilder(java.net.URI.create(web.origin() + path))
                .header("Authorization", "Bearer " + WebTestNode.TOKEN)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(form))
                .build(),
            HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void aFeedBobPublishesAndUses_reachesAliceThroughDiscover_andRunsOverHisPosts() throws Exception {
    TestAuthors.Person alice = TestAuthors.person("alice");
    TestAuthors.Person bob = TestAuthors.person("bob");
    try (LoopbackNodes nodes = new LoopbackNodes(dir)) {
      Node a = nodes.start("a", alice);
      Node b = nodes.start("b", bob);
      a.connect(addr(b)).get(10, TimeUnit.SECONDS);
      try (WebTestNode webA = WebTestNode.serve(a, nodes.group());
          WebTestNode webB = WebTestNode.serve(b, nodes.group())) {
        String cats = post(webB, "a cat nap #cats");
        post(webB, "no tags here");
        String id =
            ok(webB, "POST", "/v1/feeds", feed("cats", CATS, "")).json().path("id").asText();
        ok(webB, "POST", "/v1/feeds/" + id + "/use", null);
        a.follow(bob.identity);
        EntryId feedId = EntryId.parse(id);
        await("alice holds bob's feed", () -> a.store().entryById(feedId).isPresent() ? 1 : 0, 1);
        await(
            "alice holds bob's use of it",
            () -> {
              try {
                JsonNode f = find(ok(webA, "GET", "/v1/feeds/discover", null), id);
                return f != null && f.path("users").asInt() == 1 ? 1 : 0;
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            },
            1);
        JsonNode found = find(ok(webA, "GET", "/v1/feeds/discover", null), id);
        assertThat(found.path("author").asText()).isEqualTo(bob.identity.toString());
        assertThat(found.path("used").asBoolean()).isFalse();
        assertThat(ids(ok(webA, "GET", "/v1/feeds/" + id, null))).containsExactly(cats);
        ok(webA, "POST", "/v1/feeds/" + id + "/use", null);
        assertThat(find(ok(webA, "GET", "/v1/feeds", null), id).path("used").asBoolean()).isTrue();
        assertThat(ok(webA, "GET", "/feeds", null).body()).contains("in use");
      }
    }
  }
}
