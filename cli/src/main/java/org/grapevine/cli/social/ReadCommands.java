package org.grapevine.cli.social;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.grapevine.cli.client.ApiClient;
import org.grapevine.cli.p2p.CliException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Reading: the timeline (once or live), one identity's posts, a thread. Each entry is one line of
 * {@link Format}: author name and identity prefix, counts, a repost's original, a quote post's
 * quoted post; a post behind a content warning folded unless {@code --show}. Live entries (the
 * event stream) carry no names or counts, so each is read again from {@code GET /v1/entries/ID}
 * before it is shown, like the entries of a page.
 */
public final class ReadCommands {
  private ReadCommands() {}

  @Command(
      name = "timeline",
      mixinStandardHelpOptions = true,
      description = {
        "Posts and reposts of the identities you follow (and your own), oldest first, newest last.",
        "Each shows its author's name (from the profile this node holds) with a prefix of the",
        "identity, and its replies, reposts and reactions as far as this node holds them.",
        "With --follow, keep printing new ones as the node stores them, until Ctrl-C.",
        "Posts behind a content warning are folded; --show unfolds them.",
        "--json prints the API's page; with --follow, one entry per line (JSON lines)."
      })
  public static final class Timeline extends NodeCommand {
    @Option(names = "--show", description = SHOW_HELP)
    boolean show;

    @Option(
        names = {"-n", "--limit"},
        defaultValue = "20",
        paramLabel = "N",
        description = "How many of the latest to show (1 to 200; default ${DEFAULT-VALUE}).")
    int limit;

    @Option(
        names = {"-f", "--follow"},
        description = "Stay and print new posts as they arrive.")
    boolean follow;

    /** For tests and scripts: stop after this many live entries. */
    @Option(names = "--max-events", hidden = true, defaultValue = "0")
    int maxEvents;

    @Option(
        names = "--feed",
        paramLabel = "KEY",
        description = {
          "Show a feed instead, best first (`grapevine feed list`): a built-in's name such as",
          "popular, the name of a feed you use, or a published feed's id."
        })
    String feed;

    @Option(
        names = "--cursor",
        paramLabel = "C",
        description = "With --feed: the next page, as the end of the previous one says.")
    String cursor;

    @Override
    void check() throws CliException {
      if (feed != null && follow) {
        throw new CliException(
            "--feed and --follow do not go together: a feed is ranked a page at a time");
      }
      if (cursor != null && feed == null) {
        throw new CliException("--cursor pages a feed: give --feed too");
      }
    }

    @Override
    void run(ApiClient api) throws CliException, InterruptedException {
      if (feed != null) {
        JsonNode page = api.get(FeedCommand.runPath(feed, cursor, Math.min(limit, 100)));
        if (options.json()) {
          System.out.println(page);
        } else {
          FeedCommand.printPage(page, feed, show, false);
        }
        return;
      }
      if (!follow) {
        page(api.get("/v1/timeline?limit=" + limit), false);
        return;
      }
      Set<String> shown = new HashSet<>();
      live(
          api,
          "entry",
          () -> shown.addAll(page(api.get("/v1/timeline?limit=" + limit), true)),
          e -> {
            String kind = e.path("kind").asText();
            if ((kind.equals("post") || kind.equals("repost"))
                && shown.add(e.path("id").asText())) {
              JsonNode full = withNamesAndCounts(api, e);
              System.out.println(
                  options.json() ? full.toString() : Format.line(full, now(), true, show));
              return true;
            }
            return false;
          },
          maxEvents);
    }

    /** Prints a page oldest first; returns the ids shown. */
    private List<String> page(JsonNode page, boolean lines) {
      List<JsonNode> entries = new ArrayList<>();
      page.path("entries").forEach(entries::add);
      List<String> ids = new ArrayList<>();
      if (options.json() && !lines) {
        System.out.println(page);
      }
      for (int i = entries.size() - 1; i >= 0; i--) {
        JsonNode e = entries.get(i);
        ids.add(e.path("id").asText());
        if (!options.json()) {
          System.out.println(Format.line(e, now(), true, show));
        } else if (lines) {
          System.out.println(e);
        }
      }
      if (entries.isEmpty() && !options.json()) {
        System.err.println(
            "(nothing yet: post with `grapevine post`, follow someone with `grapevine follow <identity>`)");
      }
      return ids;
    }
  }

  static final String SHOW_HELP =
      "Unfold posts behind a content warning: show the warning and the text.";

  /**
   * A live entry as a page serves it (names, counts, a repost's original, a quote's quoted post):
   * read again by id. The event alone when that read fails (for example the entry was removed in
   * between): the line then shows the identity prefix without a name.
   */
  static JsonNode withNamesAndCounts(ApiClient api, JsonNode event) {
    try {
      return api.get("/v1/entries/" + ApiClient.segment(event.path("id").asText()));
    } catch (CliException e) {
      return event;
    }
  }

  @Command(
      name = "posts",
      mixinStandardHelpOptions = true,
      description = "One identity's posts and reposts held by this node, oldest first.")
  public static final class Posts extends NodeCommand {
    @Parameters(
        index = "0",
        paramLabel = "IDENTITY",
        description = "The identity or a unique prefix of one this node knows (7+ characters).")
    String identity;

    @Option(
        names = {"-n", "--limit"},
        defaultValue = "20",
        paramLabel = "N",
        description = "How many of the latest to show (1 to 200; default ${DEFAULT-VALUE}).")
    int limit;

    @Option(names = "--show", description = SHOW_HELP)
    boolean show;

    @Override
    void run(ApiClient api) throws CliException {
      JsonNode page =
          api.get("/v1/identities/" + ApiClient.segment(identity) + "/posts?limit=" + limit);
      if (options.json()) {
        System.out.println(page);
        return;
      }
      List<JsonNode> entries = new ArrayList<>();
      page.path("entries").forEach(entries::add);
      for (int i = entries.size() - 1; i >= 0; i--) {
        System.out.println(Format.line(entries.get(i), now(), true, show));
      }
      if (entries.isEmpty()) {
        System.err.println("(no posts of " + identity + " held here; follow it to fetch them)");
      }
    }
  }

  @Command(
      name = "thread",
      mixinStandardHelpOptions = true,
      description =
          "A post with its replies as a tree, from the first post of the thread (if held) down.")
  public static final class ThreadCommand extends NodeCommand {
    @Parameters(
        index = "0",
        paramLabel = "ENTRY",
        description = "Any post of the thread: its id or a unique prefix (4+ hex digits).")
    String entry;

    @Option(names = "--show", description = SHOW_HELP)
    boolean show;

    @Override
    void run(ApiClient api) throws CliException {
      JsonNode t = api.get("/v1/threads/" + ApiClient.segment(entry));
      if (options.json()) {
        System.out.println(t);
        return;
      }
      if (!t.path("root_held").asBoolean(true)) {
        System.out.println(
            "(the thread's first post is not held here; showing from the nearest held post)");
      }
      tree(t.path("root"), 0, now(), show);
      if (t.path("truncated").asBoolean()) {
        System.out.println("(more replies than shown; see --json or a reply's own thread)");
      }
    }

    private static void tree(JsonNode n, int depth, long now, boolean show) {
      System.out.println(
          "  ".repeat(depth) + (depth > 0 ? "↳ " : "") + Format.line(n, now, false, show));
      n.path("replies").forEach(r -> tree(r, depth + 1, now, show));
    }
  }
}
