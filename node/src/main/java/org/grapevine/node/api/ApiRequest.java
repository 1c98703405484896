package org.grapevine.node.api;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One routed request as the route code sees it: path parameters, query parameters and the body
 * (already bounded by the server's aggregator). The helpers turn bad input into {@link ApiError}s.
 */
@SuppressWarnings("ArrayRecordComponent") // one request, handed to one route, never compared
record ApiRequest(
    String method,
    String path,
    Map<String, String> params,
    Map<String, List<String>> query,
    byte[] body) {
  static final ObjectMapper JSON = new ObjectMapper();

  String param(String name) {
    return params.get(name);
  }

  /** The body as a JSON object with only the {@code allowed} fields. */
  ObjectNode object(String... allowed) {
    if (body.length == 0) {
      throw ApiError.invalidJson("the request needs a JSON object body");
    }
    JsonNode node;
    try {
      node = JSON.readTree(body);
    } catch (JacksonException e) {
      throw ApiError.invalidJson(
          "the body is not valid JSON: "
              + e.getOriginalMessage()
              + (e.getLocation() == null
                  ? ""
                  : " (line "
                      + e.getLocation().getLineNr()
                      + ", column "
                      + e.getLocation().getColumnNr()
                      + ")"));
    } catch (java.io.IOException e) {
      throw ApiError.invalidJson("the body cannot be read: " + e.getMessage());
    }
    if (node == null || !node.isObject()) {
      throw ApiError.invalidJson(
          "the body must be a JSON object, got "
              + (node == null
                  ? "nothing"
                  : node.getNodeType().name().toLowerCase(java.util.Locale.ROOT)));
    }
    Set<String> ok = Set.of(allowed);
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!ok.contains(f)) {
        throw ApiError.badRequest(
            "unknown field '" + f + "'; this request takes " + String.join(", ", allowed));
      }
    }
    return (ObjectNode) node;
  }

  /** A string field of {@code body}; null when absent and not {@code required}. */
  static String string(ObjectNode body, String field, boolean required) {
    JsonNode n = body.get(field);
    if (n == null || n.isNull()) {
      if (required) {
        throw ApiError.badRequest("field '" + field + "' is missing");
      }
      return null;
    }
    if (!n.isTextual()) {
      throw ApiError.badRequest("field '" + field + "' must be a string");
    }
    return n.textValue();
  }

  /** A query parameter given at most once; null when absent. */
  String queryParam(String name) {
    List<String> v = query.get(name);
    if (v == null || v.isEmpty()) {
      return null;
    }
    if (v.size() > 1) {
      throw ApiError.badRequest("query parameter '" + name + "' is given " + v.size() + " times");
    }
    return v.get(0);
  }

  /**
   * Refuses query parameters other than {@code allowed} (a typo should not silently do nothing).
   */
  void onlyQuery(String... allowed) {
    for (String q : query.keySet()) {
      if (!List.of(allowed).contains(q)) {
        throw ApiError.badRequest(
            "unknown query parameter '"
                + q
                + "'"
                + (allowed.length == 0
                    ? "; this request takes none"
                    : "; this request takes " + String.join(", ", allowed)));
      }
    }
  }

  int queryInt(String name, int dflt, int min, int max) {
    String v = queryParam(name);
    if (v == null) {
      return dflt;
    }
    try {
      int n = Integer.parseInt(v);
      if (n >= min && n <= max) {
        return n;
      }
    } catch (NumberFormatException e) {
      // Reported below.
    }
    throw ApiError.badRequest(
        "query parameter '" + name + "' must be an integer from " + min + " to " + max);
  }
}
