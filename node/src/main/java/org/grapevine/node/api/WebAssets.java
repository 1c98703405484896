package org.grapevine.node.api;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;

/**
 * The web app's static files, from the jar (nothing is loaded from the internet, nothing is built
 * at run time): one stylesheet and one script, read once.
 */
final class WebAssets {
  static final String PREFIX = "/static/";

  /**
   * Asked for by browsers on their own, also on pages that declare no icon (the API's JSON): no
   * content, no session needed, so it never shows as a failed load.
   */
  static final String FAVICON = "/favicon.ico";

  record Asset(String text, String contentType) {}

  private static final Map<String, Asset> FILES =
      Map.of(
          PREFIX + "app.css", new Asset(read("app.css"), "text/css"),
          PREFIX + "app.js", new Asset(read("app.js"), "text/javascript"));

  private WebAssets() {}

  static Optional<Asset> get(String path) {
    return Optional.ofNullable(FILES.get(path));
  }

  /** Bytes of every asset, for the page-weight figure. */
  static int bytes() {
    return FILES.values().stream()
        .mapToInt(a -> a.text().getBytes(StandardCharsets.UTF_8).length)
        .sum();
  }

  private static String read(String name) {
    try (InputStream in = WebAssets.class.getResourceAsStream("web/" + name)) {
      if (in == null) {
        throw new IllegalStateException("the jar lacks the web app's " + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
