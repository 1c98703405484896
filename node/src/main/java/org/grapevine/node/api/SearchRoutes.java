package org.grapevine.node.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.grapevine.node.Node;
import org.grapevine.node.search.SearchIndex;
import org.grapevine.node.search.SearchQuery;
import org.grapevine.node.search.SearchQueryException;
import org.grapevine.node.search.SearchResult;
import org.grapevine.protocol.entry.LogEntry;

/**
 * {@code GET /v1/search?q=...&limit=...}: held posts and profiles matching a query ({@link
 * SearchQuery} says the syntax: words, {@code #hashtag}, {@code from:<identity or name>}). Posts
 * come in the entry form of every other route ({@link PostJson}), best first; muted identities are
 * left out, as from the timeline. A query the index refuses is the asker's fault: 400 with the code
 * of its rule ({@link SearchQueryException.Code#apiCode()}); a node without the index answers 404
 * {@code search_disabled}.
 */
final class SearchRoutes {
  static final int DEFAULT_LIMIT = 20;
  private static final JsonNodeFactory F = JsonNodeFactory.instance;
  private final Node node;

  SearchRoutes(Node node) {
    this.node = node;
  }

  void register(Router r) {
    r.add("GET", "/v1/search", this::search);
  }

  private ApiResponse search(ApiRequest q) {
    q.onlyQuery("q", "limit");
    int limit = q.queryInt("limit", DEFAULT_LIMIT, 1, SearchIndex.MAX_RESULTS);
    SearchIndex index =
        node.search()
            .orElseThrow(
                () ->
                    new ApiError(
                        HttpResponseStatus.NOT_FOUND,
                        "search_disabled",
                        "this node keeps no search index ([search] enabled = false in config.toml)"));
    SearchResult found;
    try {
      SearchQuery query = SearchQuery.parse(q.queryParam("q"));
      Set<org.grapevine.protocol.identity.Identity> hidden = new TreeSet<>(node.store().mutes());
      hidden.addAll(node.store().blocks());
      found = index.search(query, limit, hidden);
    } catch (SearchQueryException e) {
      throw new ApiError(HttpResponseStatus.BAD_REQUEST, e.code().apiCode(), e.getMessage());
    }
    PostJson views = PostJson.of(node);
    ObjectNode o = F.objectNode();
    ArrayNode entries = o.putArray("entries");
    for (var id : found.posts()) {
      // Gone since the search (a delete applied meanwhile): left out, as the index will be.
      Optional<LogEntry> e = node.store().entryById(id).filter(LogEntry::hasContent);
      e.ifPresent(entry -> entries.add(views.of(entry)));
    }
    ArrayNode profiles = o.putArray("profiles");
    for (SearchResult.ProfileHit p : found.profiles()) {
      profiles
          .addObject()
          .put("identity", p.identity().toString())
          .put("name", p.name())
          .put("bio", p.bio())
          .put("entry", p.entry().toHex());
    }
    ArrayNode unknown = o.putArray("unknown_from");
    found.unknownFrom().forEach(unknown::add);
    return ApiResponse.ok(o);
  }
}
