package org.grapevine.node.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The web app's forms (HTML {@code application/x-www-form-urlencoded} posts): each does one {@code
 * /v1} call through {@link WebApi}, with that route's checks and errors, and answers 303 See Other
 * to the page it came from ({@code back}, a path of this node's own) or to the new post's thread.
 * They work without JavaScript. The Origin check of {@link WebGuard} applies to all of them: they
 * change state.
 */
final class WebActions {
  private static final JsonNodeFactory F = JsonNodeFactory.instance;
  private final WebApi api;

  WebActions(WebApi api) {
    this.api = api;
  }

  void register(Router r) {
    r.add("POST", "/web/post", this::post)
        .add("POST", "/web/repost", q -> target(q, "/v1/reposts", null))
        .add("POST", "/web/react", q -> target(q, "/v1/reactions", "❤"))
        .add("POST", "/web/follow", q -> identity(q, "POST", "/v1/follows"))
        .add("POST", "/web/unfollow", q -> identity(q, "DELETE", "/v1/follows/"))
        .add("POST", "/web/mute", q -> identity(q, "POST", "/v1/mutes"))
        .add("POST", "/web/unmute", q -> identity(q, "DELETE", "/v1/mutes/"))
        .add("POST", "/web/block", q -> identity(q, "POST", "/v1/blocks"))
        .add("POST", "/web/unblock", q -> identity(q, "DELETE", "/v1/blocks/"))
        .add("POST", "/web/profile", this::profile)
        .add("POST", "/web/read", this::read);
  }

  /** A post, a reply ({@code reply}) or a quote ({@code quote}); then its thread. */
  private ApiResponse post(ApiRequest q) {
    Map<String, String> f =
        form(
            q, "text", "content_warning", "reply", "quote", "attachment", "attachment_alt", "back");
    ObjectNode body = F.objectNode().put("text", f.get("text"));
    String attachment = f.get("attachment");
    if (attachment != null && !attachment.isEmpty() && f.get("reply") == null) {
      body.putArray("attachments")
          .addObject()
          .put("cid", attachment)
          .put("alt", f.getOrDefault("attachment_alt", ""));
    }
    String warning = f.get("content_warning");
    if (warning != null && !warning.isBlank()) {
      body.put("content_warning", warning);
    }
    JsonNode made;
    if (f.get("reply") != null) {
      made = api.send("POST", "/v1/replies", body.put("parent", f.get("reply")));
    } else {
      if (f.get("quote") != null) {
        body.put("quote", f.get("quote"));
      }
      made = api.send("POST", "/v1/posts", body);
    }
    return ApiResponse.seeOther(
        f.get("reply") != null
            ? "/thread/" + made.path("id").asText() + "#e-" + made.path("id").asText()
            : "/");
  }

  private ApiResponse target(ApiRequest q, String route, String emoji) {
    Map<String, String> f = form(q, "target", "back");
    ObjectNode body = F.objectNode().put("target", required(f, "target"));
    if (emoji != null) {
      body.put("emoji", emoji);
    }
    api.send("POST", route, body);
    return back(f);
  }

  /** Follow, mute, block (POST with the identity) and their undoing (DELETE of it). */
  private ApiResponse identity(ApiRequest q, String method, String route) {
    Map<String, String> f = form(q, "identity", "back");
    String who = required(f, "identity");
    if (method.equals("DELETE")) {
      api.send("DELETE", route + WebPages.parsed(who), null);
    } else {
      api.send("POST", route, F.objectNode().put("identity", who));
    }
    return back(f);
  }

  private ApiResponse profile(ApiRequest q) {
    Map<String, String> f = form(q, "name", "bio", "avatar", "avatar_alt", "back");
    ObjectNode body = F.objectNode();
    body.put("name", f.getOrDefault("name", ""));
    body.put("bio", f.getOrDefault("bio", ""));
    String avatar = f.get("avatar");
    if (avatar != null && !avatar.isEmpty()) {
      body.putObject("avatar").put("cid", avatar).put("alt", f.getOrDefault("avatar_alt", ""));
    }
    api.send("PUT", "/v1/profile", body);
    return ApiResponse.seeOther("/me");
  }

  private ApiResponse read(ApiRequest q) {
    Map<String, String> f = form(q, "until", "back");
    String until = f.get("until");
    api.send(
        "POST",
        "/v1/notifications/read",
        until == null || until.isEmpty() ? F.objectNode() : F.objectNode().put("until", until));
    return back(f);
  }

  private static String required(Map<String, String> f, String field) {
    String v = f.get(field);
    if (v == null || v.isEmpty()) {
      throw ApiError.badRequest("the form's field '" + field + "' is missing");
    }
    return v;
  }

  /** Back to the form's page: only a path of this node's (no scheme, no other host). */
  static ApiResponse back(Map<String, String> f) {
    String back = f.get("back");
    boolean local =
        back != null
            && back.startsWith("/")
            && !back.startsWith("//")
            && back.chars().noneMatch(c -> c == '\\' || c < 0x21 || c == 0x7f);
    return ApiResponse.seeOther(local ? back : "/");
  }

  /** The urlencoded form of the body: only {@code allowed} fields, each at most once. */
  static Map<String, String> form(ApiRequest q, String... allowed) {
    Map<String, List<String>> fields =
        new QueryStringDecoder(
                new String(q.body(), StandardCharsets.UTF_8), StandardCharsets.UTF_8, false)
            .parameters();
    Map<String, String> out = new java.util.HashMap<>();
    Set<String> ok = Set.of(allowed);
    fields.forEach(
        (name, values) -> {
          if (!ok.contains(name)) {
            throw ApiError.badRequest(
                "unknown form field '" + name + "'; this form takes " + String.join(", ", allowed));
          }
          if (values.size() != 1) {
            throw ApiError.badRequest(
                "form field '" + name + "' is given " + values.size() + " times");
          }
          out.put(name, values.get(0));
        });
    return out;
  }
}
