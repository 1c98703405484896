package org.grapevine.node.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.grapevine.node.Node;
import org.grapevine.node.storage.TimelineCursor;
import org.grapevine.protocol.entry.EntryId;
import org.grapevine.protocol.entry.LogEntry;
import org.grapevine.protocol.identity.Identity;

/**
 * {@code GET /v1/notifications} and {@code POST /v1/notifications/read} (docs/API.md,
 * "Notifications"): what others address to this node's identity ({@code PostStore.addressedTo}),
 * newest first, each with its type ({@link Notifications}) and whether it is unread, and the same
 * page grouped for people ("3 people reacted to your post"). Read state is one position, kept in
 * the store's metadata: everything at or before it is read. Entries of muted and blocked identities
 * are left out.
 */
final class NotificationRoutes {
  static final String READ_KEY = "notifications.read";

  private static final JsonNodeFactory F = JsonNodeFactory.instance;
  private final Node node;
  private final Resolver resolver;

  NotificationRoutes(Node node) {
    this.node = node;
    this.resolver = new Resolver(node.store());
  }

  void register(Router r) {
    r.add("GET", "/v1/notifications", this::list)
        .add("POST", "/v1/notifications/read", this::markRead);
  }

  private ApiResponse list(ApiRequest q) {
    q.onlyQuery("limit", "before", "unread");
    int limit = q.queryInt("limit", ApiRoutes.DEFAULT_PAGE, 1, ApiRoutes.MAX_PAGE);
    String before = q.queryParam("before");
    boolean unreadOnly = bool(q.queryParam("unread"));
    TimelineCursor cursor =
        before == null ? TimelineCursor.before(Long.MAX_VALUE) : Cursors.decode(before);
    Identity me = node.identity();
    Optional<TimelineCursor> read = readUntil();
    List<LogEntry> page = node.store().addressedTo(me, cursor, limit);
    PostJson views = PostJson.of(node);
    ObjectNode o = F.objectNode();
    ArrayNode items = o.putArray("notifications");
    Map<String, ObjectNode> groups = new LinkedHashMap<>();
    List<ObjectNode> order = new ArrayList<>();
    boolean reachedRead = false;
    for (LogEntry e : page) {
      boolean unread = read.map(r -> newer(e, r)).orElse(true);
      if (unreadOnly && !unread) {
        reachedRead = true;
        break;
      }
      Optional<Notifications.Item> item = item(e);
      if (item.isEmpty()) {
        continue;
      }
      Notifications.Type type = item.get().type();
      ObjectNode entry = views.of(e);
      items.add(
          F.objectNode()
              .put("type", type.key())
              .put("unread", unread)
              .put("about", item.get().about())
              .set("entry", entry));
      String key = type.grouped() ? type.key() + "/" + item.get().about() : e.id().toHex();
      ObjectNode g = groups.get(key);
      if (g == null) {
        g =
            F.objectNode()
                .put("type", type.key())
                .put("about", item.get().about())
                .put("count", 0)
                .put("unread", false)
                .put("timestamp", e.header().timestampMillis());
        g.putArray("identities");
        g.putArray("names");
        g.putArray("entries");
        groups.put(key, g);
        order.add(g);
      }
      g.put("count", g.get("count").asInt() + 1)
          .put("unread", g.get("unread").asBoolean() || unread);
      String who = e.header().identity().toString();
      ArrayNode ids = (ArrayNode) g.get("identities");
      if (!contains(ids, who)) {
        ids.add(who);
        ((ArrayNode) g.get("names")).add(views.name(e.header().identity()).orElse(null));
      }
      ((ArrayNode) g.get("entries")).add(e.id().toHex());
    }
    ArrayNode grouped = o.putArray("groups");
    order.forEach(grouped::add);
    o.set("read_until", read.map(NotificationRoutes::json).orElse(null));
    o.put(
        "next",
        !reachedRead && page.size() == limit
            ? Cursors.encode(TimelineCursor.after(page.get(page.size() - 1)))
            : null);
    return ApiResponse.ok(o);
  }

  /**
   * Marks notifications read up to {@code until} (an entry id; default: the newest notification).
   */
  private ApiResponse markRead(ApiRequest q) {
    String until = ApiRequest.string(q.object("until"), "until", false);
    LogEntry upTo;
    if (until != null) {
      upTo = resolver.entry(until);
      if (Notifications.of(upTo, node.identity()).isEmpty()) {
        throw ApiError.badRequest("entry " + upTo.id() + " is no notification of this identity");
      }
    } else {
      List<LogEntry> newest =
          node.store().addressedTo(node.identity(), TimelineCursor.before(Long.MAX_VALUE), 1);
      if (newest.isEmpty()) {
        return ApiResponse.ok(
            F.objectNode()
                .set("read_until", readUntil().map(NotificationRoutes::json).orElse(null)));
      }
      upTo = newest.get(0);
    }
    TimelineCursor at = new TimelineCursor(upTo.header().timestampMillis(), upTo.id());
    // Never backwards: marking an older one read leaves the newer ones read too.
    if (readUntil().map(r -> newer(upTo, r)).orElse(true)) {
      node.putMetadata(
          READ_KEY,
          ByteBuffer.allocate(40).putLong(at.timestampMillis()).put(at.id().unsafeBytes()).array());
    }
    return ApiResponse.ok(
        F.objectNode().set("read_until", readUntil().map(NotificationRoutes::json).orElse(null)));
  }

  private Optional<TimelineCursor> readUntil() {
    return node.store()
        .metadata(READ_KEY)
        .filter(b -> b.length == 40)
        .map(
            b -> {
              ByteBuffer buf = ByteBuffer.wrap(b);
              long ts = buf.getLong();
              byte[] id = new byte[32];
              buf.get(id);
              return new TimelineCursor(ts, EntryId.of(id));
            });
  }

  /** What {@code e} is to this node's identity; empty for none, or a muted or blocked writer. */
  Optional<Notifications.Item> item(LogEntry e) {
    Identity writer = e.header().identity();
    if (node.store().isMuted(writer) || node.store().isBlocked(writer)) {
      return Optional.empty();
    }
    return Notifications.of(e, node.identity());
  }

  /**
   * How many notifications are unread, counting at most {@code max}. The web app's navigation asks
   * on every page, so this reads entries only: no JSON, names or counts.
   */
  int unreadCount(int max) {
    Optional<TimelineCursor> read = readUntil();
    TimelineCursor cursor = TimelineCursor.before(Long.MAX_VALUE);
    int count = 0;
    while (true) {
      List<LogEntry> page = node.store().addressedTo(node.identity(), cursor, max);
      for (LogEntry e : page) {
        if (read.isPresent() && !newer(e, read.get())) {
          return count;
        }
        if (item(e).isPresent() && ++count >= max) {
          return count;
        }
      }
      if (page.size() < max) {
        return count;
      }
      cursor = TimelineCursor.after(page.get(page.size() - 1));
    }
  }

  /** Whether {@code e} comes after {@code read} in (timestamp, id) order. */
  private static boolean newer(LogEntry e, TimelineCursor read) {
    long ts = e.header().timestampMillis();
    return ts > read.timestampMillis()
        || (ts == read.timestampMillis() && e.id().compareTo(read.id()) > 0);
  }

  private static ObjectNode json(TimelineCursor c) {
    return F.objectNode().put("timestamp", c.timestampMillis()).put("id", c.id().toHex());
  }

  private static boolean contains(ArrayNode arr, String value) {
    for (var n : arr) {
      if (value.equals(n.asText())) {
        return true;
      }
    }
    return false;
  }

  private static boolean bool(String v) {
    if (v == null || v.equals("false")) {
      return false;
    }
    if (v.equals("true")) {
      return true;
    }
    throw ApiError.badRequest("query parameter 'unread' must be true or false");
  }
}
