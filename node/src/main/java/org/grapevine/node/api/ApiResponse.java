package org.grapevine.node.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * What a route answers: a status and either JSON or text of a given content type; {@code location}
 * is set only for a redirect (the web app's forms answer 303 See Other, so a reload does not send a
 * form twice).
 */
record ApiResponse(
    HttpResponseStatus status, JsonNode json, String text, String contentType, String location) {
  static ApiResponse ok(JsonNode json) {
    return new ApiResponse(HttpResponseStatus.OK, json, null, null, null);
  }

  static ApiResponse created(JsonNode json) {
    return new ApiResponse(HttpResponseStatus.CREATED, json, null, null, null);
  }

  static ApiResponse text(String text, String contentType) {
    return new ApiResponse(HttpResponseStatus.OK, null, text, contentType, null);
  }

  static ApiResponse html(String page) {
    return text(page, "text/html");
  }

  /** No content: a live fragment that does not belong on the page asking for it. */
  static ApiResponse none() {
    return new ApiResponse(HttpResponseStatus.NO_CONTENT, null, "", "text/plain", null);
  }

  /** 303 See Other to a path of this node's own. */
  static ApiResponse seeOther(String path) {
    return new ApiResponse(HttpResponseStatus.SEE_OTHER, null, "", "text/plain", path);
  }
}
