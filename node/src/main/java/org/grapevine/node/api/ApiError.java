package org.grapevine.node.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import io.netty.handler.codec.http.HttpResponseStatus;
import org.grapevine.node.core.WriteRefusedException;
import org.grapevine.protocol.validation.TextProblem;

/**
 * A request the API refuses, answered as {@code {"error":{"code":...,"message":...}}} with the
 * status below. Codes are stable strings listed in docs/API.md; messages are for people. Thrown by
 * route code on any thread; never carries a stack trace to the client.
 */
public final class ApiError extends RuntimeException {
  private final HttpResponseStatus status;
  private final String code;
  private final int candidates;

  /** What is wrong, each with its place (an invalid feed's expressions); null for none. */
  private final transient ArrayNode problems;

  public ApiError(HttpResponseStatus status, String code, String message) {
    this(status, code, message, -1, null);
  }

  private ApiError(
      HttpResponseStatus status, String code, String message, int candidates, ArrayNode problems) {
    super(message, null, false, false);
    this.status = status;
    this.code = code;
    this.candidates = candidates;
    this.problems = problems;
  }

  /**
   * An error that lists its problems ({@code {"expression", "line", "column", "message"}} each),
   * answered as the error's {@code problems} field.
   */
  static ApiError withProblems(
      HttpResponseStatus status, String code, String message, ArrayNode problems) {
    return new ApiError(status, code, message, -1, problems);
  }

  /** The problems to answer with the error; null for none. */
  ArrayNode problems() {
    return problems;
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

  /** A text the protocol's writer rule refuses; {@code field} is the JSON field's name. */
  static ApiError text(TextProblem p, String field) {
    String code =
        switch (p.code()) {
          case EMPTY -> "empty_text";
          case TOO_LONG -> "text_too_long";
          case NOT_UNICODE -> "bad_request";
        };
    return new ApiError(HttpResponseStatus.BAD_REQUEST, code, p.message(field));
  }

  /** An own write the node's {@link org.grapevine.node.core.WriteRules} refuse. */
  static ApiError refused(WriteRefusedException e) {
    return switch (e.code()) {
      case NOT_HELD -> notFound(e.getMessage());
      case WRONG_KIND, OWN_IDENTITY -> badRequest(e.getMessage());
      case NOT_OWN_ENTRY -> forbidden(e.getMessage());
    };
  }

  static ApiError unauthorized() {
    return new ApiError(
        HttpResponseStatus.UNAUTHORIZED,
        "unauthorized",
        "missing or wrong bearer token; send 'Authorization: Bearer <the token in api.token of the data directory>'");
  }

  static ApiError forbidden(String message) {
    return new ApiError(HttpResponseStatus.FORBIDDEN, "forbidden", message);
  }

  static ApiError notFound(String message) {
    return new ApiError(HttpResponseStatus.NOT_FOUND, "not_found", message);
  }

  static ApiError methodNotAllowed(String method, String path) {
    return new ApiError(
        HttpResponseStatus.METHOD_NOT_ALLOWED,
        "method_not_allowed",
        method + " is not allowed on " + path);
  }

  static ApiError ambiguousPrefix(String prefix, int candidates) {
    return new ApiError(
        HttpResponseStatus.CONFLICT,
        "ambiguous_prefix",
        "'"
            + prefix
            + "' matches "
            + candidates
            + (candidates >= Resolver.MAX_CANDIDATES ? " or more" : "")
            + " entries or identities; give more characters",
        candidates,
        null);
  }

  /** This node cannot write: its device waits for its delegation, or was revoked. */
  static ApiError deviceNotDelegated(org.grapevine.node.DeviceNotDelegatedException e) {
    return new ApiError(
        HttpResponseStatus.CONFLICT,
        e.revoked() ? "device_revoked" : "device_not_delegated",
        e.getMessage());
  }

  static ApiError tooLarge(int maxBytes) {
    return new ApiError(
        HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
        "too_large",
        "the request body is larger than " + maxBytes + " bytes");
  }

  static ApiError overloaded() {
    return new ApiError(
        HttpResponseStatus.SERVICE_UNAVAILABLE, "overloaded", "the node is busy; retry shortly");
  }

  static ApiError internal() {
    return new ApiError(
        HttpResponseStatus.INTERNAL_SERVER_ERROR,
        "internal",
        "the node failed to answer; its log says why");
  }
}
