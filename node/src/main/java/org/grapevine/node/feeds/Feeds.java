package org.grapevine.node.feeds;

import java.util.List;
import java.util.Optional;
import org.grapevine.protocol.entry.EntryId;
import org.grapevine.protocol.entry.LogEntry;

/**
 * The node's feeds (issue 17): the built-in ones, those this node's person uses, those they and the
 * people they follow published, ranked locally over what the node holds. Thread-safe: the API calls
 * it from its threads, entries arrive on the storage thread.
 */
public interface Feeds {
  /** Built-in feeds first, then the feeds used, then those published by this node's person. */
  List<FeedInfo> list();

  /**
   * The feed a key names: a built-in's name, a published version's entry id (hex), or the name of a
   * feed this node's person uses (case-insensitive).
   *
   * @throws FeedException UNKNOWN_FEED, NOT_A_FEED, or INVALID_DEFINITION for a held feed whose
   *     expressions do not compile here
   */
  FeedInfo info(String key) throws FeedException;

  /**
   * A page of the feed: the first ({@code cursor} empty) or the one after the page that gave the
   * cursor.
   *
   * @param limit 1 to {@link #MAX_PAGE}
   * @throws FeedException UNKNOWN_FEED, NOT_A_FEED, INVALID_DEFINITION, BUDGET_EXCEEDED, BAD_CURSOR
   */
  FeedPage run(String key, Optional<String> cursor, int limit) throws FeedException;

  /**
   * Compiles the definition (as every reader will) and, if it compiles within the budget, writes it
   * to this node's log.
   *
   * @throws FeedException INVALID_DEFINITION (with each problem's place), BUDGET_EXCEEDED
   */
  LogEntry publish(FeedDefinition definition) throws FeedException;

  /**
   * Writes a use of the exact version {@code feed} names (or, with {@code stopped}, that it is no
   * longer used). The feed must be held and compile.
   */
  LogEntry use(EntryId feed, boolean stopped) throws FeedException;

  /**
   * Feeds published or used by the people this node follows, most used first (then newest), at most
   * {@code max}; the ones this node's person uses included, marked used.
   */
  List<FeedInfo> discover(int max);

  /** The feed versions an identity published, as held here, newest first (for its profile). */
  List<FeedInfo> publishedBy(org.grapevine.protocol.identity.Identity author);

  /** Checks a definition without publishing it: its problems, empty when it would publish. */
  List<FeedProblem> check(FeedDefinition definition);

  /** Most items a page gives. */
  int MAX_PAGE = 100;

  /** A feed's latest version by the same author and name, if held: for "update available". */
  Optional<EntryId> latestVersion(EntryId feed);
}
