package org.grapevine.node.api;

import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Method and path template ({@code /v1/entries/{id}}) to route. A path that matches no template is
 * {@code not_found}; one that matches only with another method is {@code method_not_allowed}. The
 * template doubles as the metrics label, so label values stay a small fixed set.
 */
final class Router {
  interface Handler {
    ApiResponse handle(ApiRequest request);
  }

  record Route(String method, String template, Handler handler) {
    Map<String, String> match(String[] segments) {
      String[] t = template.substring(1).split("/", -1);
      if (t.length != segments.length) {
        return null;
      }
      Map<String, String> params = new HashMap<>();
      for (int i = 0; i < t.length; i++) {
        if (t[i].startsWith("{")) {
          if (segments[i].isEmpty()) {
            return null;
          }
          params.put(t[i].substring(1, t[i].length() - 1), segments[i]);
        } else if (!t[i].equals(segments[i])) {
          return null;
        }
      }
      return params;
    }
  }

  record Match(Route route, Map<String, String> params) {}

  private final List<Route> routes = new ArrayList<>();

  Router add(String method, String template, Handler handler) {
    routes.add(new Route(method, template, handler));
    return this;
  }

  /**
   * @throws ApiError not_found or method_not_allowed
   */
  Match match(String method, String rawPath) {
    String[] segments = rawPath.substring(1).split("/", -1);
    for (int i = 0; i < segments.length; i++) {
      segments[i] = QueryStringDecoder.decodeComponent(segments[i]);
    }
    boolean pathKnown = false;
    for (Route r : routes) {
      Map<String, String> params = r.match(segments);
      if (params != null) {
        if (r.method().equals(method)) {
          return new Match(r, params);
        }
        pathKnown = true;
      }
    }
    if (pathKnown) {
      throw ApiError.methodNotAllowed(method, rawPath);
    }
    throw ApiError.notFound("no such endpoint: " + rawPath + " (see docs/API.md)");
  }

  /** The methods allowed on a path, for the Allow header of a 405. */
  List<String> allowed(String rawPath) {
    String[] segments = rawPath.substring(1).split("/", -1);
    List<String> out = new ArrayList<>();
    for (Route r : routes) {
      if (r.match(segments) != null && !out.contains(r.method())) {
        out.add(r.method());
      }
    }
    return out;
  }
}
