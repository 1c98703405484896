package org.grapevine.node.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.grapevine.node.LogQueries;
import org.grapevine.node.MediaRefusedException;
import org.grapevine.node.Node;
import org.grapevine.node.NodeMedia;
import org.grapevine.node.core.WriteRules;
import org.grapevine.node.storage.ForkEvidence;
import org.grapevine.node.storage.TimelineCursor;
import org.grapevine.protocol.Limits;
import org.grapevine.protocol.entry.ContentKind;
import org.grapevine.protocol.entry.EntryId;
import org.grapevine.protocol.entry.LogEntry;
import org.grapevine.protocol.identity.Identity;
import org.grapevine.protocol.proto.Attachment;
import org.grapevine.protocol.proto.Content;
import org.grapevine.protocol.proto.Profile;
import org.grapevine.protocol.validation.ContentRules;
import org.grapevine.protocol.validation.TextField;

/**
 * The writing and social endpoints (docs/API.md). Runs on the API's worker threads, never on an
 * event loop: node writes wait for the storage thread and for the entry to be durable.
 */
final class ApiRoutes {
  static final int DEFAULT_PAGE = 20;
  static final int MAX_PAGE = 200;

  /** A thread answer holds at most this many entries (flagged {@code truncated}). */
  static final int MAX_THREAD_ENTRIES = 1000;

  private static final JsonNodeFactory F = JsonNodeFactory.instance;
  private final Node node;
  private final Resolver resolver;

  ApiRoutes(Node node) {
    this.node = node;
    this.resolver = new Resolver(node.store());
  }

  void register(Router r) {
    r.add("POST", "/v1/posts", this::post)
        .add("POST", "/v1/replies", this::reply)
        .add("POST", "/v1/reactions", this::react)
        .add("POST", "/v1/reposts", this::repost)
        .add("GET", "/v1/entries/{id}", this::entry)
        .add("DELETE", "/v1/entries/{id}", this::delete)
        .add(
            "GET",
            "/v1/follows",
            q -> list(q, "follows", without(node.store().follows(), node.identity())))
        .add("POST", "/v1/follows", this::follow)
        .add("DELETE", "/v1/follows/{identity}", this::unfollow)
        .add(
            "GET",
            "/v1/followers",
            q -> list(q, "followers", LogQueries.followers(node.store(), node.identity())))
        .add("GET", "/v1/mutes", q -> list(q, "mutes", node.store().mutes()))
        .add("POST", "/v1/mutes", this::mute)
        .add("DELETE", "/v1/mutes/{identity}", this::unmute)
        .add("GET", "/v1/blocks", q -> list(q, "blocks", node.store().blocks()))
        .add("POST", "/v1/blocks", this::block)
        .add("DELETE", "/v1/blocks/{identity}", this::unblock)
        .add("GET", "/v1/timeline", this::timeline)
        .add("GET", "/v1/identities/{identity}/posts", this::posts)
        .add("GET", "/v1/threads/{id}", this::thread)
        .add("GET", "/v1/profile", q -> profile(q, node.identity()))
        .add("PUT", "/v1/profile", this::setProfile)
        .add(
            "GET",
            "/v1/profiles/{identity}",
            q -> profile(q, resolver.identity(q.param("identity"))));
  }

  /** A post, with an optional content warning and quoted entry (an id or a prefix, as reply). */
  private ApiResponse post(ApiRequest q) {
    ObjectNode body = q.object("text", "content_warning", "quote", "mentions", "attachments");
    List<Attachment> attachments = attachments(body);
    String text = ApiRequest.string(body, "text", true);
    // A picture may go without words; otherwise a post needs its text.
    text =
        attachments.isEmpty() || !text.isEmpty()
            ? checkText(text, "text", TextField.POST_TEXT)
            : text;
    String warning = contentWarning(body);
    String quote = ApiRequest.string(body, "quote", false);
    EntryId quoted = quote == null ? null : resolver.entry(quote).id();
    return ApiResponse.created(json(node.post(text, warning, quoted, mentions(body), attachments)));
  }

  /**
   * The optional {@code attachments} of a post: {@code [{"cid": str, "alt": str}]}, files this node
   * holds (added with {@code POST /v1/media}), at most {@link Limits#MAX_ATTACHMENTS}.
   */
  private List<Attachment> attachments(ObjectNode body) {
    com.fasterxml.jackson.databind.JsonNode a = body.get("attachments");
    if (a == null || a.isNull()) {
      return List.of();
    }
    if (!a.isArray() || a.size() > Limits.MAX_ATTACHMENTS) {
      throw ApiError.badRequest(
          "field 'attachments' must be an array of at most "
              + Limits.MAX_ATTACHMENTS
              + " objects {\"cid\", \"alt\"}");
    }
    List<Attachment> out = new java.util.ArrayList<>();
    for (com.fasterxml.jackson.databind.JsonNode one : a) {
      if (!one.isObject()) {
        throw ApiError.badRequest("field 'attachments' must hold objects {\"cid\", \"alt\"}");
      }
      out.add(attachment((ObjectNode) one));
    }
    return out;
  }

  /** One attachment {@code {"cid", "alt"}}: a file this node holds, with its alt text checked. */
  static Attachment attachment(NodeMedia media, ObjectNode one) {
    java.util.Iterator<String> names = one.fieldNames();
    while (names.hasNext()) {
      String n = names.next();
      if (!n.equals("cid") && !n.equals("alt")) {
        throw ApiError.badRequest("an attachment has 'cid' and 'alt', not '" + n + "'");
      }
    }
    String cid = ApiRequest.string(one, "cid", true);
    String alt = ApiRequest.string(one, "alt", false);
    alt = alt == null ? "" : alt;
    int altBytes = alt.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
    if (altBytes > Limits.MAX_ALT_TEXT_BYTES) {
      throw new ApiError(
          io.netty.handler.codec.http.HttpResponseStatus.BAD_REQUEST,
          "text_too_long",
          "field 'alt' is " + altBytes + " bytes, at most " + Limits.MAX_ALT_TEXT_BYTES);
    }
    try {
      return media.attachment(cid, alt);
    } catch (MediaRefusedException e) {
      throw MediaHttp.refused(e);
    }
  }

  private Attachment attachment(ObjectNode one) {
    return attachment(node.media(), one);
  }

  /**
   * The optional {@code mentions} of a post or reply: identities (or unique prefixes of held ones),
   * at most {@link Limits#MAX_MENTIONS}.
   */
  private List<Identity> mentions(ObjectNode body) {
    com.fasterxml.jackson.databind.JsonNode m = body.get("mentions");
    if (m == null || m.isNull()) {
      return List.of();
    }
    if (!m.isArray() || m.size() > Limits.MAX_MENTIONS) {
      throw ApiError.badRequest(
          "field 'mentions' must be an array of at most " + Limits.MAX_MENTIONS + " identities");
    }
    List<Identity> out = new java.util.ArrayList<>();
    for (com.fasterxml.jackson.databind.JsonNode one : m) {
      if (!one.isTextual()) {
        throw ApiError.badRequest("field 'mentions' must hold identities as strings");
      }
      out.add(resolver.identity(one.textValue()));
    }
    return out;
  }

  private ApiResponse reply(ApiRequest q) {
    ObjectNode body = q.object("parent", "text", "content_warning", "mentions");
    String parentText = ApiRequest.string(body, "parent", true);
    String text = checkText(ApiRequest.string(body, "text", true), "text", TextField.POST_TEXT);
    String warning = contentWarning(body);
    return ApiResponse.created(
        json(node.reply(resolver.entry(parentText).id(), text, warning, mentions(body))));
  }

  /** The optional {@code content_warning} of a post or reply; empty when not given. */
  private static String contentWarning(ObjectNode body) {
    String warning = ApiRequest.string(body, "content_warning", false);
    return warning == null ? "" : checkText(warning, "content_warning", TextField.CONTENT_WARNING);
  }

  private ApiResponse react(ApiRequest q) {
    ObjectNode body = q.object("target", "emoji");
    String target = ApiRequest.string(body, "target", true);
    String emoji = checkText(ApiRequest.string(body, "emoji", true), "emoji", TextField.EMOJI);
    return ApiResponse.created(json(node.react(resolver.entry(target).id(), emoji)));
  }

  private ApiResponse repost(ApiRequest q) {
    LogEntry t = resolver.entry(ApiRequest.string(q.object("target"), "target", true));
    return ApiResponse.created(json(node.repost(t.id())));
  }

  private ApiResponse entry(ApiRequest q) {
    q.onlyQuery();
    return ApiResponse.ok(json(resolver.entry(q.param("id"))));
  }

  private ApiResponse delete(ApiRequest q) {
    LogEntry target = resolver.entry(q.param("id"));
    LogEntry d = node.delete(target.id());
    return ApiResponse.ok(F.objectNode().put("target", target.id().toHex()).set("entry", json(d)));
  }

  /** A held entry's JSON ({@link PostJson}), with what this node holds of its content. */
  private ObjectNode json(LogEntry e) {
    return views().of(e);
  }

  /** The JSON of the entries of one answer: names looked up once per answer. */
  private PostJson views() {
    return PostJson.of(node);
  }

  private ApiResponse follow(ApiRequest q) {
    Identity other = resolver.identity(ApiRequest.string(q.object("identity"), "identity", true));
    // Before "already followed": the node's own identity is always followed, yet following it is
    // refused.
    WriteRules.relation(node.identity(), WriteRules.Relation.FOLLOW, other);
    if (node.store().isBlocked(other)) {
      // Its entries would be ignored: a follow would fetch nothing. Say so rather than follow.
      throw ApiError.badRequest(other + " is blocked: unblock it first (DELETE /v1/blocks/...)");
    }
    boolean already = node.store().follows().contains(other);
    LogEntry e = already ? null : node.follow(other);
    return ApiResponse.ok(relation(other, "following", true, e));
  }

  private ApiResponse unfollow(ApiRequest q) {
    Identity other = resolver.identity(q.param("identity"));
    // The node's own identity is always followed, so node.unfollow refuses it (WriteRules).
    LogEntry e = node.store().follows().contains(other) ? node.unfollow(other) : null;
    return ApiResponse.ok(relation(other, "following", false, e));
  }

  private ApiResponse mute(ApiRequest q) {
    Identity other = resolver.identity(ApiRequest.string(q.object("identity"), "identity", true));
    node.mute(other);
    return ApiResponse.ok(relation(other, "muted", true, null).without("entry"));
  }

  private ApiResponse unmute(ApiRequest q) {
    Identity other = resolver.identity(q.param("identity"));
    node.unmute(other);
    return ApiResponse.ok(relation(other, "muted", false, null).without("entry"));
  }

  /**
   * Blocks an identity; a followed one is unfollowed too ({@code Node.block}): the answer says so
   * with {@code unfollowed} and the unfollow {@code entry}.
   */
  private ApiResponse block(ApiRequest q) {
    Identity other = resolver.identity(ApiRequest.string(q.object("identity"), "identity", true));
    Optional<LogEntry> unfollow = node.block(other);
    return ApiResponse.ok(
        relation(other, "blocked", true, unfollow.orElse(null))
            .put("unfollowed", unfollow.isPresent()));
  }

  private ApiResponse unblock(ApiRequest q) {
    Identity other = resolver.identity(q.param("identity"));
    node.unblock(other);
    return ApiResponse.ok(relation(other, "blocked", false, null).without("entry"));
  }

  private ObjectNode relation(Identity other, String what, boolean value, LogEntry entry) {
    ObjectNode o = F.objectNode().put("identity", other.toString()).put(what, value);
    o.set("entry", entry == null ? null : json(entry));
    return o;
  }

  private ApiResponse timeline(ApiRequest q) {
    Set<Identity> who = new TreeSet<>(node.store().follows());
    who.removeAll(node.store().mutes());
    who.removeAll(node.store().blocks());
    return page(q, who);
  }

  private ApiResponse posts(ApiRequest q) {
    return page(q, Set.of(resolver.identity(q.param("identity"))));
  }

  private ApiResponse page(ApiRequest q, Set<Identity> who) {
    q.onlyQuery("limit", "before");
    int limit = q.queryInt("limit", DEFAULT_PAGE, 1, MAX_PAGE);
    String before = q.queryParam("before");
    TimelineCursor cursor =
        before == null ? TimelineCursor.before(Long.MAX_VALUE) : Cursors.decode(before);
    List<LogEntry> entries = node.store().timeline(who, cursor, limit);
    Set<Identity> forked = node.store().forkedIdentities();
    PostJson views = views();
    ObjectNode o = F.objectNode();
    ArrayNode arr = o.putArray("entries");
    // A forked identity signed two histories: its posts are marked, whichever history they are.
    entries.forEach(
        e -> arr.add(views.of(e).put("identity_forked", forked.contains(e.header().identity()))));
    o.put(
        "next",
        entries.size() == limit
            ? Cursors.encode(TimelineCursor.after(entries.get(entries.size() - 1)))
            : null);
    return ApiResponse.ok(o);
  }

  /** The thread around a post: its root (when held) and every held reply below it, oldest first. */
  private ApiResponse thread(ApiRequest q) {
    q.onlyQuery();
    LogEntry asked = kind(resolver.entry(q.param("id")), "entry", ContentKind.POST);
    LogEntry top =
        asked
            .content()
            .map(Content::getPost)
            .filter(p -> p.hasReplyTo())
            .flatMap(
                p ->
                    node.store()
                        .entryById(EntryId.of(p.getReplyTo().getRoot().getEntry().toByteArray())))
            .orElse(asked);
    // Muted and blocked identities' replies are hidden (a blocked one's held from before the
    // block).
    Set<Identity> muted = new TreeSet<>(node.store().mutes());
    muted.addAll(node.store().blocks());
    PostJson views = views();
    ObjectNode root = views.of(top);
    int count = 1;
    boolean truncated = false;
    Deque<ObjectNode> todo = new ArrayDeque<>();
    todo.add(root);
    while (!todo.isEmpty()) {
      ObjectNode n = todo.poll();
      ArrayNode replies = n.putArray("replies");
      List<LogEntry> children =
          node.store().replies(EntryId.parse(n.get("id").textValue())).stream()
              .filter(e -> !muted.contains(e.header().identity()))
              .sorted(
                  Comparator.comparingLong((LogEntry e) -> e.header().timestampMillis())
                      .thenComparing(LogEntry::id))
              .toList();
      for (LogEntry c : children) {
        if (count >= MAX_THREAD_ENTRIES) {
          truncated = true;
          break;
        }
        ObjectNode child = views.of(c);
        replies.add(child);
        todo.add(child);
        count++;
      }
    }
    boolean rootHeld =
        top != asked || asked.content().map(c -> !c.getPost().hasReplyTo()).orElse(true);
    ObjectNode o =
        F.objectNode().put("count", count).put("truncated", truncated).put("root_held", rootHeld);
    o.set("root", root);
    return ApiResponse.ok(o);
  }

  private ApiResponse profile(ApiRequest q, Identity who) {
    q.onlyQuery();
    return ApiResponse.ok(profileJson(who, node.profile(who)));
  }

  private ApiResponse setProfile(ApiRequest q) {
    ObjectNode body = q.object("name", "bio", "avatar");
    String name = ApiRequest.string(body, "name", false);
    String bio = ApiRequest.string(body, "bio", false);
    if (body.has("avatar")) {
      // {"avatar": {"cid", "alt"}} sets it, {"avatar": null} removes it; name and bio are kept
      // unless given too.
      com.fasterxml.jackson.databind.JsonNode a = body.get("avatar");
      if (!a.isNull() && !a.isObject()) {
        throw ApiError.badRequest("field 'avatar' must be {\"cid\", \"alt\"} or null");
      }
      node.setAvatar(a.isNull() ? null : attachment((ObjectNode) a));
      if (name == null && bio == null) {
        return ApiResponse.ok(profileJson(node.identity(), node.profile(node.identity())));
      }
    }
    if (name == null && bio == null) {
      throw ApiError.badRequest(
          "give 'name', 'bio', 'avatar' or several; a field left out keeps its current value");
    }
    Optional<Profile> current =
        node.profile(node.identity()).flatMap(LogEntry::content).map(Content::getProfile);
    name =
        name != null
            ? checkText(name, "name", TextField.PROFILE_NAME)
            : current.map(Profile::getName).orElse("");
    bio =
        bio != null
            ? checkText(bio, "bio", TextField.PROFILE_BIO)
            : current.map(Profile::getBio).orElse("");
    return ApiResponse.ok(profileJson(node.identity(), Optional.of(node.setProfile(name, bio))));
  }

  private ObjectNode profileJson(Identity who, Optional<LogEntry> entry) {
    Optional<Profile> p = entry.flatMap(LogEntry::content).map(Content::getProfile);
    ObjectNode o =
        F.objectNode()
            .put("identity", who.toString())
            .put("name", p.map(Profile::getName).orElse(""))
            .put("bio", p.map(Profile::getBio).orElse(""));
    o.put("entry", entry.map(e -> e.id().toHex()).orElse(null));
    o.put("timestamp", entry.map(e -> e.header().timestampMillis()).orElse(null));
    if (p.isPresent() && p.get().hasAvatar()) {
      ObjectNode a = EntryJson.attachment(p.get().getAvatar());
      String cid = a.path("cid").asText(null);
      a.put("state", cid == null ? "unsupported" : node.media().state(cid));
      o.set("avatar", a);
    } else {
      o.putNull("avatar");
    }
    forks(o, node.store().forks(who));
    // The feeds this identity published (issue 17: "others see it in your profile"), newest first.
    com.fasterxml.jackson.databind.node.ArrayNode feeds = o.putArray("feeds");
    for (org.grapevine.node.feeds.FeedInfo f : node.feeds().publishedBy(who)) {
      feeds
          .addObject()
          .put("key", f.key())
          .put("name", f.definition().name())
          .put("description", f.definition().description())
          .put("version", f.definition().version())
          .put("used", f.used())
          .put("users", f.users());
    }
    return o;
  }

  /**
   * {@code forked} and the evidence: for each fork, the log, the seq and both entries' ids (the one
   * held first and the conflicting one), so that a person can see and check it.
   */
  static void forks(ObjectNode o, List<ForkEvidence> evidence) {
    o.put("forked", !evidence.isEmpty());
    ArrayNode arr = o.putArray("forks");
    for (ForkEvidence f : evidence) {
      arr.addObject()
          .put("author", f.incoming().header().author().toHex())
          .put("seq", f.incoming().header().seq())
          .put("held", f.held().id().toHex())
          .put("incoming", f.incoming().id().toHex());
    }
  }

  private static ApiResponse list(ApiRequest q, String name, Set<Identity> identities) {
    q.onlyQuery();
    ObjectNode o = F.objectNode();
    ArrayNode arr = o.putArray(name);
    identities.forEach(i -> arr.add(i.toString()));
    return ApiResponse.ok(o);
  }

  private static Set<Identity> without(Set<Identity> set, Identity self) {
    Set<Identity> out = new TreeSet<>(set);
    out.remove(self);
    return out;
  }

  private static LogEntry kind(LogEntry e, String field, ContentKind... kinds) {
    if (!List.of(kinds).contains(e.header().kind())) {
      throw ApiError.badRequest(
          field
              + " "
              + e.id()
              + " is a "
              + e.header().kind().name().toLowerCase(java.util.Locale.ROOT)
              + "; it must be a "
              + String.join(
                  " or ",
                  List.of(kinds).stream()
                      .map(k -> k.name().toLowerCase(java.util.Locale.ROOT))
                      .toList()));
    }
    return e;
  }

  /**
   * {@code text} if the protocol's writer rule ({@link ContentRules#checkText}) takes it for {@code
   * field}.
   */
  static String checkText(String text, String name, TextField field) {
    ContentRules.checkText(field, text)
        .ifPresent(
            p -> {
              throw ApiError.text(p, name);
            });
    return text;
  }
}
