package org.grapevine.node.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.grapevine.node.LogQueries;
import org.grapevine.node.engine.ContentState;
import org.grapevine.node.storage.EntryCounts;
import org.grapevine.node.storage.PostStore;
import org.grapevine.protocol.entry.ContentKind;
import org.grapevine.protocol.entry.LogEntry;
import org.grapevine.protocol.identity.AuthorKey;
import org.grapevine.protocol.identity.Identity;
import org.grapevine.protocol.proto.Content;
import org.grapevine.protocol.proto.Profile;

/**
 * The JSON of an entry as the API's routes return it (docs/API.md "Entry"): {@link EntryJson}'s
 * fields plus what a reader wants next to a post, read from the store at the time of the answer:
 *
 * <ul>
 *   <li>{@code author_name}: the display name of the entry's identity from its latest held profile;
 *       null when no profile (or an empty name) is held;
 *   <li>{@code counts}: held, undeleted direct replies, reposts, quotes and reactions per emoji
 *       ({@link PostStore#counts}), leaving out those written by blocked identities (issue 15);
 *   <li>for a repost: {@code original_held} and {@code original}, the reposted entry in this same
 *       form (without its own original: a repost of a repost is not followed), or null when this
 *       node does not hold it (or the repost's content, which names it, is not held);
 *   <li>for a quote post (a post whose content has {@code quote}): {@code quote_held} and {@code
 *       quote}, the quoted entry in the same form, as for a repost's original.
 * </ul>
 *
 * One instance serves one answer: it remembers the names it looked up, so a page of 200 entries by
 * few identities reads each profile once. Reading a name walks the identity's logs back to its
 * latest profile ({@link LogQueries#latestProfile}).
 */
final class PostJson {
  private final PostStore store;
  private final Function<LogEntry, ContentState> state;
  private final Function<String, String> media;
  private final Map<Identity, Optional<String>> names = new HashMap<>();
  private Set<AuthorKey> blockedAuthors;

  /**
   * @param state what this node holds of an entry's content ({@code Node.contentState})
   */
  PostJson(PostStore store, Function<LogEntry, ContentState> state) {
    this(store, state, null);
  }

  /**
   * @param media an attachment's state by its CID ({@code NodeMedia.state}), or null to leave it
   *     out
   */
  PostJson(
      PostStore store, Function<LogEntry, ContentState> state, Function<String, String> media) {
    this.store = store;
    this.state = state;
    this.media = media;
  }

  /** The answer's JSON of {@code e} for {@code node}: with the state of its attachments. */
  static PostJson of(org.grapevine.node.Node node) {
    return new PostJson(node.store(), node::contentState, node.media()::state);
  }

  /** The entry's JSON with its name, counts and, for a repost, its original. */
  ObjectNode of(LogEntry e) {
    ObjectNode o = plain(e);
    if (e.header().kind() == ContentKind.REPOST) {
      Optional<LogEntry> original = store.repostOriginal(e);
      o.put("original_held", original.isPresent());
      o.set("original", original.map(this::plain).orElse(null));
    }
    if (e.content().map(c -> c.getPost().hasQuote()).orElse(false)) {
      Optional<LogEntry> quoted = store.quoteOriginal(e);
      o.put("quote_held", quoted.isPresent());
      o.set("quote", quoted.map(this::plain).orElse(null));
    }
    return o;
  }

  private ObjectNode plain(LogEntry e) {
    ObjectNode o = EntryJson.of(e, state.apply(e));
    if (media != null) {
      // Each attachment's state here: held, fetching, or why not (docs/API.md "Media").
      for (com.fasterxml.jackson.databind.JsonNode a : o.path("content").path("attachments")) {
        String cid = a.path("cid").asText(null);
        ((ObjectNode) a).put("state", cid == null ? "unsupported" : media.apply(cid));
      }
    }
    o.put("author_name", name(e.header().identity()).orElse(null));
    EntryCounts c = store.counts(e.id(), blockedAuthors());
    ObjectNode counts = o.putObject("counts");
    counts.put("replies", c.replies()).put("reposts", c.reposts()).put("quotes", c.quotes());
    ObjectNode reactions = counts.putObject("reactions");
    c.reactions().forEach(reactions::put);
    return o;
  }

  /**
   * The keys that write for blocked identities (their devices as held, and their root keys), read
   * once per answer: what they wrote is left out of counts.
   */
  Set<AuthorKey> blockedAuthors() {
    if (blockedAuthors == null) {
      Set<AuthorKey> keys = new HashSet<>();
      for (Identity blocked : store.blocks()) {
        keys.add(blocked.root());
        keys.addAll(store.devices(blocked).keySet());
      }
      blockedAuthors = keys;
    }
    return blockedAuthors;
  }

  /** The display name from the identity's latest held profile; empty for none or an empty name. */
  Optional<String> name(Identity identity) {
    return names.computeIfAbsent(
        identity,
        i ->
            LogQueries.latestProfile(store, i)
                .flatMap(LogEntry::content)
                .map(Content::getProfile)
                .map(Profile::getName)
                .filter(n -> !n.isEmpty()));
  }
}
