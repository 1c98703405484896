package org.grapevine.node.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The web app reads and writes through the API's own routes, called in-process: a page shows what
 * {@code /v1} answers (names, counts, originals, filters of muted and blocked identities) and a
 * form does what the same {@code /v1} call does, with its checks and its errors, so the app and the
 * API cannot drift apart.
 */
final class WebApi {
  private final Router router;

  WebApi(Router router) {
    this.router = router;
  }

  /** {@code GET path?query}; the query's null values are left out. */
  JsonNode get(String path, String... query) {
    Map<String, List<String>> q = new LinkedHashMap<>();
    for (int i = 0; i + 1 < query.length; i += 2) {
      if (query[i + 1] != null) {
        q.put(query[i], List.of(query[i + 1]));
      }
    }
    return call("GET", path, q, new byte[0]);
  }

  /** A change: {@code method path} with {@code body} as its JSON (null for none). */
  JsonNode send(String method, String path, ObjectNode body) {
    byte[] bytes = body == null ? new byte[0] : body.toString().getBytes(StandardCharsets.UTF_8);
    return call(method, path, Map.of(), bytes);
  }

  private JsonNode call(String method, String path, Map<String, List<String>> query, byte[] body) {
    Router.Match m = router.match(method, path);
    ApiResponse r =
        m.route().handler().handle(new ApiRequest(method, path, m.params(), query, body));
    return r.json();
  }
}
