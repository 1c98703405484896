package org.grapevine.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.grapevine.protocol.testing.TestContent.quote;
import static org.grapevine.protocol.testing.TestContent.reaction;
import static org.grapevine.protocol.testing.TestContent.reply;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.grapevine.cli.client.ApiClient;
import org.grapevine.node.config.DataDir;
import org.grapevine.node.testing.BarePeer;
import org.grapevine.protocol.crypto.SigningKey;
import org.grapevine.protocol.entry.EntryId;
import org.grapevine.protocol.entry.LogEntry;
import org.grapevine.protocol.log.LogWriter;
import org.grapevine.protocol.testing.TestAuthors;
import org.grapevine.protocol.testing.TestContent;
import org.grapevine.protocol.topic.Topics;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 15 through the cli against a real node: {@code post --cw} folds in every reader until
 * {@code --show}, {@code post --quote} shows the quoted post, {@code timeline --follow} shows names
 * and quotes on live lines, and {@code block} (with Bob publishing over real gossip) unfollows and
 * hides Bob's answers from threads and counts until {@code unblock}.
 */
@Timeout(120)
class WarningsQuotesBlocksIT extends RealNodeCliTest {
  @Test
  void postWarningAndQuote_foldedUntilShow_quotedPostShown_liveLinesCarryNames() throws Exception {
    okText("profile", "set", "--name", "Alice");
    String prefix = node.identity().substring(0, 12) + "…";
    String first = ok("post", "the first post", "--json").path("id").asText();
    assertThat(okText("post", "--cw", "film spoilers", "the butler did it"))
        .matches("posted [0-9a-f]{8} \\(behind a content warning\\)\\n");
    assertThat(okText("post", "--quote", first.substring(0, 8), "so true"))
        .isEqualTo("posted " + okTextId() + " quoting " + first.substring(0, 8) + "\n");

    List<String> folded = okText("timeline").lines().toList();
    assertThat(folded)
        .anySatisfy(
            l ->
                assertThat(l)
                    .endsWith("⚠ film spoilers  [content hidden: 17 chars, --show to unfold]"));
    assertThat(folded).noneMatch(l -> l.contains("butler"));
    assertThat(folded)
        .anySatisfy(
            l -> assertThat(l).endsWith("so true  ❝Alice (" + prefix + "): the first post❞"));
    assertThat(folded).anySatisfy(l -> assertThat(l).endsWith("the first post  (1 quote)"));
    assertThat(okText("timeline", "--show")).contains("⚠ film spoilers  the butler did it");
    assertThat(okText("posts", node.identity(), "--show")).contains("the butler did it");
    assertThat(okText("reply", "--cw", "more spoilers", first.substring(0, 8), "and the cook"))
        .startsWith("replied ");
    List<String> thread = okText("thread", first.substring(0, 8)).lines().toList();
    assertThat(thread.get(1))
        .startsWith("  ↳ ")
        .endsWith("⚠ more spoilers  [content hidden: 12 chars, --show to unfold]");
    assertThat(okText("thread", first.substring(0, 8), "--show"))
        .contains("⚠ more spoilers  and the cook");
    JsonNode page = ok("timeline", "--json");
    assertThat(page.findValuesAsText("content_warning")).contains("film spoilers");

    assertThat(run("post", "--cw", " ", "x")).isEqualTo(1);
    assertThat(std.err()).contains("the content warning is empty");
    assertThat(run("post", "--cw", "w".repeat(513), "x")).isEqualTo(1);
    assertThat(std.err()).contains("the content warning is 513 bytes of UTF-8, at most 512");
    assertThat(run("post", "--quote", "ffffffff", "x")).isEqualTo(1);

    // Live: the line of a post that arrives while following has the name and the quote too.
    List<Integer> exit = new ArrayList<>();
    Thread reader =
        new Thread(
            () ->
                exit.add(
                    Main.execute(
                        "timeline",
                        "--follow",
                        "--max-events",
                        "1",
                        "--data-dir",
                        alice.toString())));
    reader.start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    int streams = 0;
    while (System.nanoTime() < deadline && streams == 0) {
      streams = ApiClient.open(new DataDir(alice)).get("/v1/status").path("event_streams").asInt();
      Thread.sleep(50);
    }
    assertThat(streams).isEqualTo(1);
    assertThat(Main.execute("post", "--quote", first, "live quote", "--data-dir", alice.toString()))
        .isZero();
    reader.join(TimeUnit.SECONDS.toMillis(30));
    assertThat(reader.isAlive()).isFalse();
    assertThat(exit).containsExactly(0);
    // The reader and the post command share stdout here: pick the timeline's line.
    assertThat(std.out().lines().filter(l -> !l.startsWith("posted ")).toList())
        .last()
        .satisfies(
            l ->
                assertThat(l)
                    .contains("Alice (" + prefix + ")")
                    .endsWith("live quote  ❝Alice (" + prefix + "): the first post❞"));
  }

  /** The id of the post the last command printed ("posted 1a2b3c4d ..."), cut to 8. */
  private String okTextId() {
    return std.out().substring("posted ".length(), "posted ".length() + 8);
  }

  @Test
  void block_unfollowsAndHidesAnswers_blocksLists_unblockShowsThemAgain() throws Exception {
    String postId = ok("post", "hello from alice", "--json").path("id").asText();
    LogEntry post = node.node().store().entryById(EntryId.parse(postId)).orElseThrow();
    TestAuthors.Person bob = TestAuthors.person("bob");
    SigningKey phone = bob.deviceKey("phone");
    LogWriter bobs = bob.deviceLog(phone);
    long t = TestAuthors.T0_MILLIS;
    List<LogEntry> published =
        List.of(
            bob.delegate(phone, t),
            bobs.append(TestContent.profile("Bob"), t + 1),
            bobs.append(reply("hi alice", post), t + 2),
            bobs.append(reaction("👎", post), t + 3),
            bobs.append(quote("look", post), t + 4));
    String b = bob.identity.toString();
    okText("follow", b);
    List<AutoCloseable> closing = new ArrayList<>();
    MultiThreadIoEventLoopGroup group =
        new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    try {
      String topic = Topics.forIdentity(bob.identity);
      BarePeer peer = BarePeer.start(node.node(), topic, group, closing);
      for (LogEntry e : published) {
        peer.gossip().publish(topic, e.toEnvelopeBytes()).get(5, TimeUnit.SECONDS);
      }
      LogEntry last = published.get(published.size() - 1);
      BarePeer.await(
          "the node holds Bob's entries",
          () -> node.node().store().entryById(last.id()).isPresent());
    } finally {
      for (int i = closing.size() - 1; i >= 0; i--) {
        closing.get(i).close();
      }
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
    }
    assertThat(okText("thread", postId.substring(0, 8))).contains("Bob (").contains("hi alice");
    assertThat(okText("posts", node.identity()))
        .contains("hello from alice  (1 reply, 1 quote, 👎 1)");

    assertThat(okText("block", b.substring(0, 12)))
        .isEqualTo("blocked " + b + " (and unfollowed it)\n");
    assertThat(okText("blocks")).isEqualTo(b + "\n");
    assertThat(okText("following")).isEmpty();
    List<String> thread = okText("thread", postId.substring(0, 8)).lines().toList();
    assertThat(thread).hasSize(1);
    assertThat(thread.get(0)).endsWith("hello from alice");
    assertThat(run("follow", b)).isEqualTo(1);
    assertThat(std.err()).contains("is blocked: unblock it first");

    assertThat(okText("unblock", b)).isEqualTo("unblocked " + b + "\n");
    assertThat(run("blocks")).isZero();
    assertThat(std.err()).contains("nobody blocked");
    assertThat(okText("thread", postId.substring(0, 8))).contains("hi alice");
  }
}
