package org.grapevine.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 16's door from the command line: {@code grapevine open} prints a one-time link to the
 * running node's page; a browser (here Java's HTTP client, which follows no redirect) is signed in
 * by it once, and the second use is refused.
 */
@Timeout(120)
class OpenIT extends RealNodeCliTest {
  @Test
  void open_printsALinkThatSignsInOnce() throws Exception {
    String url = okText("open", "--no-browser").strip();
    assertThat(url).matches("http://127\\.0\\.0\\.1:\\d+/login\\?t=[A-Za-z0-9_-]{43}");
    HttpClient browser = HttpClient.newHttpClient();

    HttpResponse<String> first =
        browser.send(
            HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(first.statusCode()).isEqualTo(303);
    String cookie = first.headers().firstValue("set-cookie").orElseThrow();
    assertThat(cookie).startsWith("gv_session=").contains("HttpOnly", "SameSite=Strict");

    HttpResponse<String> home =
        browser.send(
            HttpRequest.newBuilder(URI.create(url.substring(0, url.indexOf("/login")) + "/"))
                .header("Cookie", cookie.substring(0, cookie.indexOf(';')))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(home.statusCode()).isEqualTo(200);
    assertThat(home.body()).contains("Signed in as");

    HttpResponse<String> again =
        browser.send(
            HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(again.statusCode()).isEqualTo(401);
    assertThat(okText("open", "--json")).contains("\"expires_at\"");
  }
}
