package org.grapevine.node.api;

import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * A request the API refuses, answered as {@code {"error":{"code":...,"message":...}}} with the
 * status below. Codes are stable strings listed in docs/API.md; messages are for people.
 * Thrown by route code on any thread; never carries a stack trace to the client.
 */
public final class ApiError extends RuntimeException {
  private final HttpResponseStatus status;
  private final String code;
  private final int candidates;

  public ApiError(HttpResponseStatus status, String code, String message) {
    this(status, code, message, -1);
  }

  private ApiError(HttpResponseStatus status, String code, String message, int candidates) {
    super(message, null, false, false);
    this.status = status;
    this.code = code;
    this.candidates = candidates;
  }

  /** For {@code ambiguous_prefix}: how many held entries or identities match (capped); else -1. */
  public int candidates() {
    return candidates;
  }

  public HttpResponseStatus status() {
    return status;
  }

  public String code() {
    return code;
  }

  static ApiError badRequest(String message) {
    return new ApiError(HttpResponseStatus.BAD_REQUEST, "bad_request", message);
  }

  static ApiError invalidJson(String message) {
    return new ApiError(HttpResponseStatus.BAD_REQUEST, "invalid_json", message);
  }

  static ApiError emptyText(String field) {
    return new ApiError(HttpResponseStatus.BAD_REQUEST, "empty_text", field + " is empty");
  }

  static ApiError textTooLong(String field, int bytes, int max) {
    return new ApiError(HttpResponseStatus.BAD_REQUEST, "text_too_long",
        field + " is " + bytes + " bytes of UTF-8, at most " + max);
  }

  static ApiError unauthorized() {
    return new ApiError(HttpResponseStatus.UNAUTHORIZED, "unauthorized",
        "missing or wrong bearer token; send 'Authorization: Bearer <the token in api.token of the data directory>'");
  }

  static ApiError forbidden(String message) {
    return new ApiError(HttpResponseStatus.FORBIDDEN, "forbidden", message);
  }

  static ApiError notFound(String message) {
    return new ApiError(HttpResponseStatus.NOT_FOUND, "not_found", message);
  }

  static ApiError methodNotAllowed(String method, String path) {
    return new ApiError(HttpResponseStatus.METHOD_NOT_ALLOWED, "method_not_allowed", method + " is not allowed on " + path);
  }

  static ApiError ambiguousPrefix(String prefix, int candidates) {
    return new ApiError(HttpResponseStatus.CONFLICT, "ambiguous_prefix",
        "'" + prefix + "' matches " + candidates + (candidates >= Resolver.MAX_CANDIDATES ? " or more" : "")
            + " entries or identities; give more characters", candidates);
  }

  /** This node cannot write: its device waits for its delegation, or was revoked. */
  static ApiError deviceNotDelegated(org.grapevine.node.DeviceNotDelegatedException e) {
    return new ApiError(HttpResponseStatus.CONFLICT, e.revoked() ? "device_revoked" : "device_not_delegated", e.getMessage());
  }

  static ApiError tooLarge(int maxBytes) {
    return new ApiError(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, "too_large",
        "the request body is larger than " + maxBytes + " bytes");
  }

  static ApiError overloaded() {
    return new ApiError(HttpResponseStatus.SERVICE_UNAVAILABLE, "overloaded", "the node is busy; retry shortly");
  }

  static ApiError internal() {
    return new ApiError(HttpResponseStatus.INTERNAL_SERVER_ERROR, "internal",
        "the node failed to answer; its log says why");
  }
}
