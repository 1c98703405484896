package org.grapevine.node.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The web app in Firefox (Debian's {@code firefox-esr}, headless). Debian ships no geckodriver and
 * tests download nothing, so there is no WebDriver here: Firefox's own {@code --screenshot} mode
 * opens the login link, and the node's request counters tell what the browser did. The link's
 * redirect set the session cookie and the home page was served with it (200, not the sign-in page's
 * 401), the stylesheet and the script were fetched, and the script ran under the page's
 * Content-Security-Policy far enough to open the live event stream. The screenshot is saved with
 * the others.
 */
@Timeout(120)
class FirefoxIT {
  private static final Path FIREFOX = Path.of("/usr/bin/firefox-esr");

  @TempDir Path dir;

  @Test
  void firefox_signsInWithTheLink_loadsTheApp_andOpensTheLiveStream() throws Exception {
    if (!Files.isExecutable(FIREFOX)) {
      String why = "no " + FIREFOX + " (Debian: apt-get install firefox-esr)";
      if (Browser.required()) {
        throw new AssertionError(why + " [GRAPEVINE_BROWSER_REQUIRED=true]");
      }
      Assumptions.assumeTrue(false, why);
    }
    try (WebTestNode web = WebTestNode.start(dir, "alice")) {
      web.setName("Alice");
      Path shot = Browser.screenshotDir().resolve("home-firefox.png");
      Files.createDirectories(shot.getParent());
      Files.deleteIfExists(shot);
      Path profile = Files.createDirectories(dir.resolve("firefox-profile"));
      ProcessBuilder pb =
          new ProcessBuilder(
                  FIREFOX.toString(),
                  "--headless",
                  "--no-remote",
                  "--profile",
                  profile.toString(),
                  "--window-size=1280,900",
                  "--screenshot",
                  shot.toString(),
                  web.loginLink())
              .redirectErrorStream(true)
              .redirectOutput(dir.resolve("firefox.log").toFile());
      pb.environment().put("HOME", Files.createDirectories(dir.resolve("home")).toString());
      pb.environment().put("MOZ_CRASHREPORTER_DISABLE", "1");
      Process firefox = pb.start();
      try {
        assertThat(firefox.waitFor(90, TimeUnit.SECONDS)).as("firefox exits").isTrue();
      } finally {
        firefox.descendants().forEach(ProcessHandle::destroyForcibly);
        firefox.destroyForcibly();
      }

      Map<String, Long> served = requests(web);
      assertThat(Files.size(shot)).as(Files.readString(dir.resolve("firefox.log"))).isPositive();
      assertThat(served)
          .containsEntry("/login GET 303", 1L)
          .containsEntry("/ GET 200", 1L)
          .containsEntry("/static/ GET 200", 2L)
          .containsEntry("/v1/events GET 200", 1L)
          .doesNotContainKey("/ GET 401");
    }
  }

  /** {@code grapevine_api_requests_total} by "route method status", from {@code GET /metrics}. */
  private static Map<String, Long> requests(WebTestNode web) throws Exception {
    HttpResponse<String> r = web.call("GET", "/metrics", null);
    assertThat(r.statusCode()).isEqualTo(200);
    Map<String, Long> out = new HashMap<>();
    for (String line : r.body().lines().toList()) {
      if (!line.startsWith("grapevine_api_requests_total{")) {
        continue;
      }
      Map<String, String> labels = new HashMap<>();
      for (String kv :
          List.of(line.substring(line.indexOf('{') + 1, line.indexOf('}')).split(",", -1))) {
        int eq = kv.indexOf('=');
        labels.put(kv.substring(0, eq), kv.substring(eq + 2, kv.length() - 1));
      }
      out.put(
          labels.get("route") + " " + labels.get("method") + " " + labels.get("status"),
          (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)));
    }
    return out;
  }
}
