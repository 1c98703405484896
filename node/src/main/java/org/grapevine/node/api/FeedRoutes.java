package org.grapevine.node.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.grapevine.node.Node;
import org.grapevine.node.feeds.FeedDefinition;
import org.grapevine.node.feeds.FeedException;
import org.grapevine.node.feeds.FeedInfo;
import org.grapevine.node.feeds.FeedItem;
import org.grapevine.node.feeds.FeedPage;
import org.grapevine.node.feeds.FeedProblem;
import org.grapevine.node.feeds.Feeds;
import org.grapevine.protocol.Limits;
import org.grapevine.protocol.entry.EntryId;
import org.grapevine.protocol.entry.LogEntry;
import org.grapevine.protocol.identity.Identity;

/**
 * The feeds (issue 17; docs/API.md "Feeds"): list them, discover those the people followed use, run
 * one page by page, publish a definition, check one without publishing, use and stop using a
 * published version. The ranking is {@link Feeds}'; this class turns its answers into the API's
 * JSON (entries in the form of every other route, {@link PostJson}) and its {@link FeedException}s
 * into errors: the asker's (400) but for an unknown feed (404), with each problem of a definition
 * and its place.
 */
final class FeedRoutes {
  static final int DEFAULT_PAGE = 20;
  static final int DEFAULT_DISCOVER = 20;
  static final int MAX_DISCOVER = 100;

  /**
   * A feed key is a built-in's name, an entry id (64 hex digits) or a used feed's name (at most
   * {@link Limits#MAX_FEED_NAME_BYTES}): anything longer names nothing.
   */
  static final int MAX_KEY_CHARS = 128;

  /** Cursors are the engine's; one longer than this is none it gave. */
  static final int MAX_CURSOR_CHARS = 2048;

  private static final JsonNodeFactory F = JsonNodeFactory.instance;
  private static final String[] DEFINITION_FIELDS = {
    "name", "description", "version", "filter", "score"
  };
  private final Node node;
  private final Resolver resolver;

  FeedRoutes(Node node) {
    this.node = node;
    this.resolver = new Resolver(node.store());
  }

  void register(Router r) {
    // Fixed paths first: the router takes the first template that matches, and "discover" would
    // otherwise be read as a feed's key.
    r.add("GET", "/v1/feeds", this::list)
        .add("POST", "/v1/feeds", this::publish)
        .add("GET", "/v1/feeds/discover", this::discover)
        .add("POST", "/v1/feeds/check", this::check)
        .add("GET", "/v1/feeds/{key}", this::run)
        .add("GET", "/v1/feeds/{key}/info", this::info)
        .add("POST", "/v1/feeds/{id}/use", q -> use(q, false))
        .add("POST", "/v1/feeds/{id}/stop", q -> use(q, true));
  }

  private ApiResponse list(ApiRequest q) {
    q.onlyQuery();
    return ApiResponse.ok(infos(node.feeds().list()));
  }

  private ApiResponse discover(ApiRequest q) {
    q.onlyQuery("limit");
    int limit = q.queryInt("limit", DEFAULT_DISCOVER, 1, MAX_DISCOVER);
    return ApiResponse.ok(infos(node.feeds().discover(limit)));
  }

  private ObjectNode infos(List<FeedInfo> feeds) {
    PostJson views = views();
    ObjectNode o = F.objectNode();
    ArrayNode arr = o.putArray("feeds");
    feeds.forEach(f -> arr.add(info(f, views)));
    return o;
  }

  /** A page of the feed {@code key} names: its info, its entries best first, the next cursor. */
  private ApiResponse run(ApiRequest q) {
    q.onlyQuery("cursor", "limit");
    int limit = q.queryInt("limit", DEFAULT_PAGE, 1, Feeds.MAX_PAGE);
    String cursor = q.queryParam("cursor");
    if (cursor != null && (cursor.isEmpty() || cursor.length() > MAX_CURSOR_CHARS)) {
      throw new ApiError(
          HttpResponseStatus.BAD_REQUEST,
          FeedException.Code.BAD_CURSOR.apiCode(),
          "'cursor' is not a cursor of this feed; pass the 'cursor' value of a previous page");
    }
    String key = key(q.param("key"));
    FeedInfo info;
    FeedPage page;
    try {
      info = node.feeds().info(key);
      page = node.feeds().run(key, Optional.ofNullable(cursor), limit);
    } catch (FeedException e) {
      throw error(e);
    }
    PostJson views = views();
    Set<Identity> forked = node.store().forkedIdentities();
    ObjectNode o = F.objectNode();
    o.set("feed", info(info, views));
    ArrayNode entries = o.putArray("entries");
    int gone = 0;
    for (FeedItem item : page.items()) {
      Optional<LogEntry> e = node.store().entryById(item.id());
      if (e.isEmpty()) {
        // Removed between the ranking and this answer (a revoked device's entries): counted.
        gone++;
        continue;
      }
      ObjectNode j = views.of(e.get());
      j.put("identity_forked", forked.contains(e.get().header().identity()));
      j.put("score", finite(item.score()));
      j.put("reason", item.reason());
      entries.add(j);
    }
    o.put("cursor", page.cursor().orElse(null));
    o.put("candidates", page.candidates());
    o.put("failures", page.failures());
    o.put("truncated", page.truncated());
    o.put("gone", gone);
    return ApiResponse.ok(o);
  }

  private ApiResponse publish(ApiRequest q) {
    FeedDefinition d = definition(q);
    LogEntry written;
    try {
      written = node.feeds().publish(d);
    } catch (FeedException e) {
      throw error(e);
    }
    return ApiResponse.created(views().of(written));
  }

  private ApiResponse check(ApiRequest q) {
    FeedDefinition d = definition(q);
    ObjectNode o = F.objectNode();
    o.set("problems", problems(node.feeds().check(d)));
    return ApiResponse.ok(o);
  }

  /** The feed {@code key} names, without running it. */
  private ApiResponse info(ApiRequest q) {
    q.onlyQuery();
    String key = key(q.param("key"));
    try {
      return ApiResponse.ok(info(node.feeds().info(key), views()));
    } catch (FeedException e) {
      throw error(e);
    }
  }

  /** Uses ({@code stopped} false) or stops using the published version {@code id} names. */
  private ApiResponse use(ApiRequest q, boolean stopped) {
    q.onlyQuery();
    if (q.body().length > 0) {
      q.object(); // None, or {}: the feed is in the path.
    }
    EntryId id = feedId(q.param("id"));
    LogEntry written;
    try {
      written = node.feeds().use(id, stopped);
    } catch (FeedException e) {
      throw error(e);
    }
    return ApiResponse.created(views().of(written));
  }

  /**
   * The published version a use names: an entry id or a unique prefix of a held one, else the name
   * of a feed this node's person uses (so that one can stop it by the name the picker shows).
   */
  private EntryId feedId(String text) {
    String key = key(text);
    if (isHex(key)) {
      return resolver.entry(key).id();
    }
    FeedInfo info;
    try {
      info = node.feeds().info(key);
    } catch (FeedException e) {
      throw error(e);
    }
    return info.id()
        .orElseThrow(
            () ->
                ApiError.badRequest(
                    "'" + key + "' is built in: it is always there, nothing to use or stop"));
  }

  /**
   * The key of a feed as the engine takes it: a unique prefix of a held entry's id becomes the
   * whole id; anything else (a built-in's or a used feed's name, a whole id) is passed as given.
   */
  private String key(String text) {
    if (text == null || text.isEmpty() || text.length() > MAX_KEY_CHARS) {
      throw ApiError.badRequest(
          "a feed is named by its key: a built-in's name, a published version's id (or a unique"
              + " prefix of 4+ hex digits), or the name of a feed in use; at most "
              + MAX_KEY_CHARS
              + " characters");
    }
    if (isHex(text) && text.length() < 64) {
      try {
        return resolver.entry(text).id().toHex();
      } catch (ApiError e) {
        if (!e.code().equals("not_found")) {
          throw e;
        }
        return text; // Not a held entry's prefix: perhaps a used feed named like hex ("cafe").
      }
    }
    return text;
  }

  private static boolean isHex(String s) {
    return s.length() >= Resolver.MIN_ENTRY_PREFIX
        && s.length() <= 64
        && s.chars().allMatch(c -> Character.digit(c, 16) >= 0);
  }

  /** The definition in a publish or check body, with the protocol's size rules checked. */
  private static FeedDefinition definition(ApiRequest q) {
    ObjectNode body = q.object(DEFINITION_FIELDS);
    String name = ApiRequest.string(body, "name", true);
    if (name.isBlank()) {
      throw new ApiError(HttpResponseStatus.BAD_REQUEST, "empty_text", "name is empty");
    }
    checkSize(name, "name", Limits.MAX_FEED_NAME_BYTES);
    String description = orEmpty(ApiRequest.string(body, "description", false));
    checkSize(description, "description", Limits.MAX_FEED_DESCRIPTION_BYTES);
    String filter = orEmpty(ApiRequest.string(body, "filter", false));
    checkSize(filter, "filter", Limits.MAX_FEED_EXPRESSION_BYTES);
    String score = orEmpty(ApiRequest.string(body, "score", false));
    checkSize(score, "score", Limits.MAX_FEED_EXPRESSION_BYTES);
    return new FeedDefinition(name, description, version(body), filter, score);
  }

  /** {@code version}: a whole number from 1 (the protocol's first version); 1 when left out. */
  private static int version(ObjectNode body) {
    JsonNode v = body.get("version");
    if (v == null || v.isNull()) {
      return 1;
    }
    if (!v.isIntegralNumber() || !v.canConvertToInt() || v.intValue() < 1) {
      throw ApiError.badRequest(
          "field 'version' must be a whole number from 1 to " + Integer.MAX_VALUE);
    }
    return v.intValue();
  }

  private static String orEmpty(String s) {
    return s == null ? "" : s;
  }

  /** A text field of a feed: valid Unicode, at most {@code max} bytes of UTF-8. */
  private static void checkSize(String text, String field, int max) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (Character.isHighSurrogate(c)
          && i + 1 < text.length()
          && Character.isLowSurrogate(text.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        throw ApiError.badRequest(field + " is not valid Unicode (it holds a lone surrogate)");
      }
    }
    int bytes = text.getBytes(StandardCharsets.UTF_8).length;
    if (bytes > max) {
      throw new ApiError(
          HttpResponseStatus.BAD_REQUEST,
          "text_too_long",
          field + " is " + bytes + " bytes of UTF-8, at most " + max);
    }
  }

  /** A feed as the API shows it (docs/API.md "Feeds"). */
  static ObjectNode info(FeedInfo f, PostJson views) {
    FeedDefinition d = f.definition();
    ObjectNode o =
        F.objectNode()
            .put("key", f.key())
            .put("name", d.name())
            .put("description", d.description())
            .put("version", d.version())
            .put("filter", d.filter())
            .put("score", d.score())
            .put("built_in", f.builtIn());
    o.put("author", f.author().map(Identity::toString).orElse(null));
    o.put("author_name", f.author().flatMap(views::name).orElse(null));
    o.put("id", f.id().map(EntryId::toHex).orElse(null));
    o.put("used", f.used());
    o.put("newer_version", f.newerVersion().map(EntryId::toHex).orElse(null));
    o.put("users", f.users());
    return o;
  }

  static ArrayNode problems(List<FeedProblem> problems) {
    ArrayNode arr = F.arrayNode();
    for (FeedProblem p : problems) {
      arr.addObject()
          .put("expression", p.expression())
          .put("line", p.line())
          .put("column", p.column())
          .put("message", p.message());
    }
    return arr;
  }

  /**
   * A {@link FeedException} as the API's error: unknown feeds and entries that are none are 404,
   * everything else the asker's 400; an invalid definition carries its problems.
   */
  static ApiError error(FeedException e) {
    HttpResponseStatus status =
        switch (e.code()) {
          case UNKNOWN_FEED, NOT_A_FEED -> HttpResponseStatus.NOT_FOUND;
          case INVALID_DEFINITION, BAD_CURSOR, BUDGET_EXCEEDED -> HttpResponseStatus.BAD_REQUEST;
        };
    return ApiError.withProblems(
        status,
        e.code().apiCode(),
        e.getMessage(),
        e.problems().isEmpty() ? null : problems(e.problems()));
  }

  /** JSON has no infinities or NaN: a score the engine could not order is shown as null. */
  private static Double finite(double score) {
    return Double.isFinite(score) ? score : null;
  }

  private PostJson views() {
    return PostJson.of(node);
  }
}
