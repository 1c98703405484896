package org.grapevine.cli.social;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.grapevine.cli.client.ApiClient;
import org.grapevine.cli.p2p.CliException;
import org.grapevine.protocol.Limits;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code grapevine feed ...} (issue 17): the feeds of {@code /v1/feeds}: list them, show one's
 * source, run one page by page, use or stop using one, publish or check a definition, discover
 * those the people followed use. A definition's problems are printed one a line as {@code
 * expression:line:column: message}, as a compiler prints them.
 */
@Command(
    name = "feed",
    mixinStandardHelpOptions = true,
    description = {
      "Feeds pick and order the posts this node holds with a filter and a score written in CEL",
      "(docs/FEEDS.md). Built-in ones: following, conversations, popular, friends-of-friends,",
      "mentions. Anyone can publish one; the people you follow use and share theirs.",
      "A feed is named by its KEY: a built-in's name, a published version's id (or a unique",
      "prefix of it), or the name of a feed you use."
    },
    subcommands = {
      FeedCommand.ListFeeds.class,
      FeedCommand.Show.class,
      FeedCommand.Run.class,
      FeedCommand.Use.class,
      FeedCommand.Publish.class,
      FeedCommand.Check.class,
      FeedCommand.Discover.class
    })
public final class FeedCommand implements Runnable {
  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description = {
        "The feeds you can run: built in, the ones you use (marked *), the ones you published.",
        "One a line: key, name, who wrote it, how many of the people you follow use it."
      })
  public static final class ListFeeds extends NodeCommand {
    @Override
    void run(ApiClient api) throws CliException {
      JsonNode r = api.get("/v1/feeds");
      if (options.json()) {
        System.out.println(r);
        return;
      }
      r.path("feeds").forEach(f -> System.out.println(line(f)));
    }
  }

  @Command(
      name = "discover",
      mixinStandardHelpOptions = true,
      description = {
        "Feeds the people you follow published or use, most used first.",
        "Try one with `grapevine feed run KEY`, keep it with `grapevine feed use KEY`."
      })
  public static final class Discover extends NodeCommand {
    @Option(
        names = {"-n", "--limit"},
        defaultValue = "20",
        paramLabel = "N",
        description = "How many at most (1 to 100; default ${DEFAULT-VALUE}).")
    int limit;

    @Override
    void run(ApiClient api) throws CliException {
      JsonNode r = api.get("/v1/feeds/discover?limit=" + limit);
      if (options.json()) {
        System.out.println(r);
        return;
      }
      r.path("feeds").forEach(f -> System.out.println(line(f)));
      if (r.path("feeds").isEmpty()) {
        System.err.println(
            "(none yet: no one you follow published or uses a feed that this node holds)");
      }
    }
  }

  @Command(
      name = "show",
      mixinStandardHelpOptions = true,
      description = "A feed's name, author, version, users and source (its filter and score).")
  public static final class Show extends NodeCommand {
    @Parameters(index = "0", paramLabel = "KEY", description = KEY_HELP)
    String key;

    @Override
    void run(ApiClient api) throws CliException {
      JsonNode f = api.get("/v1/feeds/" + ApiClient.segment(key) + "/info");
      if (options.json()) {
        System.out.println(f);
        return;
      }
      System.out.println(describe(f));
    }
  }

  @Command(
      name = "run",
      mixinStandardHelpOptions = true,
      description = {
        "A page of the feed, best first, each post with why it is there.",
        "The next page: the --cursor the end of this one prints."
      })
  public static final class Run extends NodeCommand {
    @Parameters(index = "0", paramLabel = "KEY", description = KEY_HELP)
    String key;

    @Option(names = "--cursor", paramLabel = "C", description = "The next page's cursor.")
    String cursor;

    @Option(
        names = {"-n", "--limit"},
        defaultValue = "20",
        paramLabel = "N",
        description = "Posts on the page (1 to 100; default ${DEFAULT-VALUE}).")
    int limit;

    @Option(names = "--show", description = ReadCommands.SHOW_HELP)
    boolean show;

    @Override
    void run(ApiClient api) throws CliException {
      JsonNode page = api.get(runPath(key, cursor, limit));
      if (options.json()) {
        System.out.println(page);
        return;
      }
      printPage(page, key, show, true);
    }
  }

  @Command(
      name = "use",
      mixinStandardHelpOptions = true,
      description = {
        "Use a published feed: it joins your list and the picker, and the people who follow you",
        "see that you use it. --stop: no longer use it."
      })
  public static final class Use extends NodeCommand {
    @Parameters(
        index = "0",
        paramLabel = "ID",
        description =
            "The published version: its id or a unique prefix (4+ hex digits), or the name of a"
                + " feed you use.")
    String id;

    @Option(names = "--stop", description = "Stop using it.")
    boolean stop;

    @Override
    void run(ApiClient api) throws CliException {
      JsonNode e =
          api.post("/v1/feeds/" + ApiClient.segment(id) + (stop ? "/stop" : "/use"), object());
      print(
          e,
          (stop ? "stopped using " : "using ")
              + Format.shortId(e.path("content").path("feed").path("entry").asText())
              + "  (entry "
              + Format.shortId(e.path("id").asText())
              + ")");
    }
  }

  /**
   * The options that make a definition: {@code publish} and {@code check} take the same. Without
   * picocli's standard options: their {@code --version} would be the program's.
   */
  abstract static class Definition extends NodeCommand {
    @Option(
        names = {"-h", "--help"},
        usageHelp = true,
        description = "Show this help message and exit.")
    boolean help;

    @Option(
        names = "--name",
        required = true,
        paramLabel = "N",
        description = "The feed's name (at most 64 bytes).")
    String name;

    @Option(
        names = "--description",
        paramLabel = "D",
        description = "What it shows, for people (at most 1024 bytes).")
    String description;

    @Option(
        names = "--version",
        paramLabel = "V",
        defaultValue = "1",
        description =
            "Its version (default ${DEFAULT-VALUE}); publish a change with the same name and a"
                + " higher one, and its users see an update.")
    int version;

    @ArgGroup(exclusive = true, multiplicity = "0..1")
    Expression filter;

    @ArgGroup(exclusive = true, multiplicity = "0..1")
    ScoreExpression score;

    /** {@code --filter EXPR} or {@code --filter-file F}. */
    static final class Expression {
      @Option(
          names = "--filter",
          paramLabel = "EXPR",
          description =
              "CEL, true keeps a post; for example: post.hashtags.exists(h, h == \"cats\")")
      String text;

      @Option(names = "--filter-file", paramLabel = "F", description = "The filter, from a file.")
      Path file;
    }

    /** {@code --score EXPR} or {@code --score-file F}. */
    static final class ScoreExpression {
      @Option(
          names = "--score",
          paramLabel = "EXPR",
          description =
              "CEL, a number, higher first; for example: double(stats.reactions_from_follows)")
      String text;

      @Option(names = "--score-file", paramLabel = "F", description = "The score, from a file.")
      Path file;
    }

    @Override
    void check() throws CliException {
      if (version < 1) {
        throw new CliException("--version must be 1 or more");
      }
      if (filter == null && score == null) {
        throw new CliException(
            "give a filter (--filter or --filter-file), a score (--score or --score-file), or"
                + " both: a feed of neither is every post, newest first");
      }
    }

    ObjectNode body() throws CliException {
      ObjectNode o = object().put("name", name).put("version", version);
      if (description != null) {
        o.put("description", description);
      }
      o.put("filter", filter == null ? "" : expression(filter.text, filter.file, "filter"));
      o.put("score", score == null ? "" : expression(score.text, score.file, "score"));
      return o;
    }
  }

  @Command(
      name = "publish",
      description = {
        "Write a feed to your log: the node checks it compiles (as every reader will) first.",
        "Give a filter, a score, or both; each as text or from a file. docs/FEEDS.md has the",
        "language. Example:",
        "  grapevine feed publish --name cats --filter 'post.hashtags.exists(h, h == \"cats\")'",
        "      --score 'double(stats.reactions_from_follows)'"
      })
  public static final class Publish extends Definition {
    @Override
    void run(ApiClient api) throws CliException {
      JsonNode e = api.post("/v1/feeds", body());
      print(
          e,
          "published "
              + e.path("content").path("name").asText()
              + " version "
              + e.path("content").path("version").asLong()
              + ": "
              + e.path("id").asText()
              + "\n(others run it with `grapevine feed run "
              + Format.shortId(e.path("id").asText())
              + "`, use it with `grapevine feed use "
              + Format.shortId(e.path("id").asText())
              + "`)");
    }
  }

  @Command(
      name = "check",
      description = {
        "Check a feed without publishing it: each problem as expression:line:column: message.",
        "Exits 1 when there is any."
      })
  public static final class Check extends Definition {
    @Override
    void run(ApiClient api) throws CliException {
      JsonNode r = api.post("/v1/feeds/check", body());
      if (options.json()) {
        System.out.println(r);
      }
      if (r.path("problems").isEmpty()) {
        if (!options.json()) {
          System.out.println("no problems: it would publish");
        }
        return;
      }
      throw new CliException(
          "the feed does not compile:" + ApiClient.problemLines(r.path("problems")));
    }
  }

  static final String KEY_HELP =
      "A built-in's name (following, popular, ...), a published version's id or unique prefix,"
          + " or the name of a feed you use.";

  /** {@code GET /v1/feeds/{key}} with the page's options. */
  static String runPath(String key, String cursor, int limit) {
    return "/v1/feeds/"
        + ApiClient.segment(key)
        + "?limit="
        + limit
        + (cursor == null ? "" : "&cursor=" + ApiClient.segment(cursor));
  }

  /**
   * A feed page for people: its entries best first, each with why it is there; how many were
   * ranked, failed or were cut; and how to get the next page.
   */
  static void printPage(JsonNode page, String key, boolean show, boolean fromFeedCommand) {
    JsonNode info = page.path("feed");
    long now = NodeCommand.now();
    List<JsonNode> entries = new ArrayList<>();
    page.path("entries").forEach(entries::add);
    for (JsonNode e : entries) {
      String reason = e.path("reason").asText("");
      System.out.println(
          Format.line(e, now, true, show) + (reason.isEmpty() ? "" : "  — " + reason));
    }
    StringBuilder note =
        new StringBuilder("(")
            .append(Format.oneLine(info.path("name").asText()))
            .append(": ")
            .append(entries.size())
            .append(entries.size() == 1 ? " post" : " posts")
            .append(" of ")
            .append(page.path("candidates").asLong())
            .append(" ranked");
    long failures = page.path("failures").asLong();
    if (failures > 0) {
      note.append("; ").append(failures).append(" left out: the expressions failed on them");
    }
    if (page.path("truncated").asBoolean()) {
      note.append("; cut short by this node's budget for a page");
    }
    note.append(')');
    System.err.println(note);
    if (page.path("cursor").isTextual()) {
      System.err.println(
          "(more: grapevine "
              + (fromFeedCommand ? "feed run " + key : "timeline --feed " + key)
              + " --cursor "
              + page.path("cursor").asText()
              + ")");
    }
    if (info.path("newer_version").isTextual()) {
      System.err.println(
          "(update available: version "
              + Format.shortId(info.path("newer_version").asText())
              + "; `grapevine feed use "
              + Format.shortId(info.path("newer_version").asText())
              + "`)");
    }
  }

  /** One feed on one line: key, name, in use, author or "built in", users, update. */
  static String line(JsonNode f) {
    StringBuilder b =
        new StringBuilder(f.path("used").asBoolean() ? "* " : "  ")
            .append(
                f.path("built_in").asBoolean()
                    ? f.path("key").asText()
                    : Format.shortId(f.path("key").asText()))
            .append("  ")
            .append(Format.oneLine(f.path("name").asText()));
    if (f.path("built_in").asBoolean()) {
      b.append("  built in");
    } else {
      b.append("  v").append(f.path("version").asLong()).append(" by ").append(author(f));
    }
    long users = f.path("users").asLong();
    if (users > 0) {
      b.append("  ").append(users).append(users == 1 ? " user" : " users");
    }
    if (f.path("newer_version").isTextual()) {
      b.append("  (update: ").append(Format.shortId(f.path("newer_version").asText())).append(')');
    }
    String description = f.path("description").asText("");
    if (!description.isEmpty()) {
      b.append("  — ").append(Format.oneLine(description));
    }
    return b.toString();
  }

  private static String author(JsonNode f) {
    return Format.who(
        NodeCommand.object()
            .put("identity", f.path("author").asText())
            .set("author_name", f.path("author_name")));
  }

  /** A feed in full, for {@code show}. */
  static String describe(JsonNode f) {
    StringBuilder b =
        new StringBuilder(f.path("name").asText())
            .append(f.path("used").asBoolean() ? "  (in use)" : "")
            .append('\n');
    if (!f.path("description").asText("").isEmpty()) {
      b.append(f.path("description").asText()).append('\n');
    }
    b.append("key:      ").append(f.path("key").asText()).append('\n');
    if (f.path("built_in").asBoolean()) {
      b.append("author:   built in\n");
    } else {
      b.append("author:   ").append(author(f)).append('\n');
      b.append("version:  ").append(f.path("version").asLong()).append('\n');
      b.append("id:       ").append(f.path("id").asText()).append('\n');
    }
    b.append("users:    ").append(f.path("users").asLong()).append(" of the people you follow\n");
    if (f.path("newer_version").isTextual()) {
      b.append("update:   ").append(f.path("newer_version").asText()).append('\n');
    }
    b.append("filter:   ").append(expression(f.path("filter").asText(), "(none: every post)"));
    b.append("score:    ").append(expression(f.path("score").asText(), "(none: newest first)"));
    return b.toString().stripTrailing();
  }

  private static String expression(String e, String none) {
    if (e.isEmpty()) {
      return none + "\n";
    }
    return e.strip().replace("\n", "\n          ") + "\n";
  }

  /** An expression given as text, or read from a file (UTF-8, at most the protocol's limit). */
  static String expression(String text, Path file, String what) throws CliException {
    if (file == null) {
      return text;
    }
    int max = Limits.MAX_FEED_EXPRESSION_BYTES;
    byte[] bytes;
    try (InputStream in = Files.newInputStream(file)) {
      bytes = in.readNBytes(max + 1);
    } catch (IOException e) {
      throw new CliException("cannot read the " + what + " from " + file + ": " + e.getMessage());
    }
    if (bytes.length > max) {
      throw new CliException(
          file + " is larger than a feed's " + what + " may be (" + max + " bytes of UTF-8)");
    }
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(java.nio.ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      throw new CliException(file + " is not UTF-8 text");
    }
  }
}
