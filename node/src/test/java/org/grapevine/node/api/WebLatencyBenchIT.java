package org.grapevine.node.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.grapevine.node.LoopbackNodes.addr;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.grapevine.node.LoopbackNodes;
import org.grapevine.node.Node;
import org.grapevine.protocol.entry.LogEntry;
import org.grapevine.protocol.testing.TestAuthors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;

/**
 * A measurement, not a test (runs only with {@code -Dgrapevine.bench=web}): the time from a post's
 * arrival at Bob's node (stored: its entry listener fires) to its appearance on Bob's open home
 * page (a MutationObserver in the page sees the article inserted), for posts Alice writes one at a
 * time. Baseline in the same run: the time to the same entry's event on a plain Java reader of
 * {@code /v1/events} (the stream alone, without the browser's fetch of the fragment and its
 * insertion). Both clocks are this machine's wall clock (milliseconds).
 *
 * <p>{@code ./mvnw -B -o verify -pl node -am -Dtest=NONE -Dsurefire.failIfNoSpecifiedTests=false
 * -Dit.test=WebLatencyBenchIT -Dfailsafe.failIfNoSpecifiedTests=false -Dgrapevine.bench=web}
 */
@EnabledIfSystemProperty(named = "grapevine.bench", matches = "web")
@Timeout(600)
class WebLatencyBenchIT {
  private static final int POSTS = Integer.getInteger("grapevine.bench.posts", 200);

  @TempDir Path dir;

  @Test
  void arrivalToPage() throws Exception {
    Browser.assumeAvailable();
    TestAuthors.Person alice = TestAuthors.person("alice");
    TestAuthors.Person bob = TestAuthors.person("bob");
    try (LoopbackNodes nodes = new LoopbackNodes(dir)) {
      Node a = nodes.start("a", alice);
      Node b = nodes.start("b", bob);
      a.connect(addr(b)).get(10, TimeUnit.SECONDS);
      b.follow(alice.identity);
      Map<String, Long> arrived = new ConcurrentHashMap<>();
      b.addEntryListener(e -> arrived.putIfAbsent(e.id().toHex(), System.currentTimeMillis()));
      Map<String, Long> streamed = new ConcurrentHashMap<>();
      try (WebTestNode web = WebTestNode.serve(b, nodes.group());
          Browser page = Browser.start()) {
        Thread reader = streamReader(web.origin(), streamed);
        web.signIn(page);
        page.waitFor(By.cssSelector("html[data-live='open']"));
        page.script(
            "window.gvSeen = {}; new MutationObserver(function (ms) { ms.forEach(function (m) {"
                + " m.addedNodes.forEach(function (n) { if (n.dataset && n.dataset.id) {"
                + " window.gvSeen[n.dataset.id] = Date.now(); } }); }); })"
                + ".observe(document.getElementById('timeline'), {childList: true});");
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < POSTS; i++) {
          LogEntry p = a.post("post " + i + " of the latency run", "", null);
          ids.add(p.id().toHex());
          page.waitFor(By.id("e-" + p.id().toHex()));
        }
        @SuppressWarnings("unchecked")
        Map<String, Long> seen = (Map<String, Long>) page.script("return window.gvSeen;");
        List<Long> toPage = new ArrayList<>();
        List<Long> toStream = new ArrayList<>();
        for (String id : ids) {
          toPage.add(seen.get(id) - arrived.get(id));
          if (streamed.containsKey(id)) {
            toStream.add(streamed.get(id) - arrived.get(id));
          }
        }
        assertThat(toPage).hasSize(POSTS);
        System.out.printf(
            Locale.ROOT,
            "web latency, %d posts, JDK %s, %d cpus: arrival -> page p50 %d ms, p99 %d ms, max %d"
                + " ms; arrival -> /v1/events reader (baseline) p50 %d ms, p99 %d ms (%d"
                + " samples)%n",
            POSTS,
            System.getProperty("java.version"),
            Runtime.getRuntime().availableProcessors(),
            pct(toPage, 50),
            pct(toPage, 99),
            Collections.max(toPage),
            pct(toStream, 50),
            pct(toStream, 99),
            toStream.size());
        reader.interrupt();
      }
    }
  }

  private static long pct(List<Long> values, int p) {
    List<Long> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    return sorted.isEmpty() ? -1 : sorted.get(Math.min(sorted.size() - 1, sorted.size() * p / 100));
  }

  /** A plain reader of the event stream, noting when each entry's event arrives. */
  private static Thread streamReader(String base, Map<String, Long> streamed) throws Exception {
    HttpResponse<java.io.InputStream> r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(base + "/v1/events"))
                    .header("Authorization", "Bearer " + WebTestNode.TOKEN)
                    .build(),
                HttpResponse.BodyHandlers.ofInputStream());
    Thread t =
        new Thread(
            () -> {
              try (BufferedReader in =
                  new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
                String line;
                boolean entry = false;
                while ((line = in.readLine()) != null) {
                  if (line.equals("event: entry")) {
                    entry = true;
                  } else if (entry && line.startsWith("id: ")) {
                    streamed.putIfAbsent(line.substring(4), System.currentTimeMillis());
                    entry = false;
                  }
                }
              } catch (java.io.IOException e) {
                // The stream ends with the server.
              }
            },
            "bench-events");
    t.setDaemon(true);
    t.start();
    return t;
  }
}
