package org.grapevine.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 17 (feeds): {@code grapevine feed ...} and {@code timeline --feed} against a real node: a
 * feed published from the command line (its filter from a file) is listed, shown with its source,
 * runs over the node's posts (the #cats ones, newest first) page by page, is used (marked in the
 * list, named by its name) and stopped; a filter that does not compile fails with its place
 * (expression:line:column), for check and publish alike; the built-ins are listed and shown.
 */
@Timeout(120)
class FeedIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String CATS = "post.hashtags.exists(h, h == \"cats\")";

  @RegisterExtension final StdCapture std = new StdCapture();

  @TempDir Path tmp;

  private TestNode node;

  @AfterEach
  void stop() throws Exception {
    if (node != null) {
      node.close();
    }
  }

  private String[] withDir(String... args) {
    String[] full = java.util.Arrays.copyOf(args, args.length + 2);
    full[args.length] = "--data-dir";
    full[args.length + 1] = tmp.resolve("alice").toString();
    return full;
  }

  private String okText(String... args) {
    std.reset();
    assertThat(Main.execute(withDir(args))).as(String.join(" ", args) + ": " + std.err()).isZero();
    return std.out();
  }

  private String failing(int code, String... args) {
    std.reset();
    assertThat(Main.execute(withDir(args)))
        .as(String.join(" ", args) + ": " + std.out())
        .isEqualTo(code);
    return std.err();
  }

  private String post(String text) throws Exception {
    return JSON.readTree(okText("post", text, "--json")).get("id").asText();
  }

  @Test
  void publishListShowRunPageUseStop_andProblemsWithTheirPlaces() throws Exception {
    node = TestNode.start(tmp.resolve("alice"));
    String one = post("first #cats");
    String dog = post("a #dogs day");
    String three = post("more #cats");

    String builtIns = okText("feed", "list");
    for (String name :
        List.of("following", "conversations", "popular", "friends-of-friends", "mentions")) {
      assertThat(builtIns).contains(name);
    }
    assertThat(okText("feed", "show", "popular")).contains("author:   built in");

    Path filter = tmp.resolve("cats.cel");
    Files.writeString(filter, CATS + "\n");
    String published =
        okText(
            "feed",
            "publish",
            "--name",
            "cats",
            "--description",
            "Only cats",
            "--version",
            "2",
            "--filter-file",
            filter.toString());
    assertThat(published).startsWith("published cats version 2: ");
    String id = published.lines().findFirst().orElseThrow().replaceAll(".*: ", "").strip();
    assertThat(id).hasSize(64);

    assertThat(okText("feed", "list")).contains(id.substring(0, 8) + "  cats  v2 by ");
    assertThat(okText("feed", "show", id.substring(0, 10)))
        .contains("cats", "Only cats", "version:  2", "filter:   " + CATS);

    // Best first: the #cats posts, newest first; the #dogs one is not in it.
    String run = okText("feed", "run", id);
    List<String> lines = run.lines().toList();
    assertThat(lines).hasSize(2);
    assertThat(lines.get(0)).startsWith(three.substring(0, 8));
    assertThat(lines.get(1)).startsWith(one.substring(0, 8));
    assertThat(run).doesNotContain(dog.substring(0, 8));
    assertThat(std.err()).contains("cats: 2 posts of");
    // Page by page: the cursor the first page prints gives the second.
    okText("feed", "run", id, "--limit", "1");
    assertThat(std.out()).startsWith(three.substring(0, 8));
    String more =
        std.err()
            .lines()
            .filter(l -> l.startsWith("(more: "))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no cursor in: " + std.err()));
    String cursor = more.substring(more.indexOf("--cursor ") + 9, more.length() - 1);
    assertThat(okText("feed", "run", id, "--limit", "1", "--cursor", cursor))
        .startsWith(one.substring(0, 8));
    // The same through the timeline.
    assertThat(okText("timeline", "--feed", id).lines().toList()).hasSize(2);
    JsonNode page = JSON.readTree(okText("timeline", "--feed", id, "--json"));
    assertThat(page.path("entries").get(0).path("id").asText()).isEqualTo(three);

    // Used: marked, and its name is a key; stopped by its name.
    assertThat(okText("feed", "use", id.substring(0, 8))).startsWith("using " + id.substring(0, 8));
    assertThat(okText("feed", "list")).contains("* " + id.substring(0, 8));
    assertThat(okText("timeline", "--feed", "cats").lines().toList()).hasSize(2);
    assertThat(okText("feed", "use", "cats", "--stop")).startsWith("stopped using");
    assertThat(okText("feed", "list")).doesNotContain("* " + id.substring(0, 8));
    okText("feed", "discover");

    // A filter that does not compile: its place, as a compiler says it; check and publish alike.
    String bad = "post.hashtags.exists(h, h ==";
    assertThat(failing(1, "feed", "check", "--name", "bad", "--filter", bad))
        .contains("does not compile")
        .containsPattern("\n  filter:1:\\d+: ");
    assertThat(failing(1, "feed", "publish", "--name", "bad", "--filter", bad))
        .containsPattern("\n  filter:1:\\d+: ");
    assertThat(okText("feed", "check", "--name", "ok", "--filter", CATS)).contains("no problems");
    assertThat(failing(1, "feed", "run", "no-such-feed")).contains("grapevine: ");
    assertThat(failing(1, "feed", "publish", "--name", "x")).contains("give a filter");
    assertThat(failing(1, "timeline", "--feed", "popular", "--follow")).contains("--follow");
  }

  @Test
  void help_andCompletion_knowTheFeedCommands() {
    std.reset();
    assertThat(Main.execute("feed", "publish", "--help")).isZero();
    assertThat(std.out()).contains("--filter-file", "--score", "--version");
    std.reset();
    assertThat(Main.execute("completion", "bash")).isZero();
    assertThat(std.out()).contains("feed", "discover", "--filter-file");
  }
}
