package org.grapevine.node.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.handler.codec.http.HttpResponseStatus;

/** What a route answers: a status and either JSON or text of a given content type. */
record ApiResponse(HttpResponseStatus status, JsonNode json, String text, String contentType) {
  static ApiResponse ok(JsonNode json) {
    return new ApiResponse(HttpResponseStatus.OK, json, null, null);
  }

  static ApiResponse created(JsonNode json) {
    return new ApiResponse(HttpResponseStatus.CREATED, json, null, null);
  }

  static ApiResponse text(String text, String contentType) {
    return new ApiResponse(HttpResponseStatus.OK, null, text, contentType);
  }
}
