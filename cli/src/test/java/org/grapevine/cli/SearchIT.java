package org.grapevine.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.grapevine.protocol.testing.TestContent.delete;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.grapevine.libp2p.gossipsub.netty.GossipDriver;
import org.grapevine.node.testing.BarePeer;
import org.grapevine.protocol.crypto.SigningKey;
import org.grapevine.protocol.entry.LogEntry;
import org.grapevine.protocol.log.LogWriter;
import org.grapevine.protocol.testing.TestAuthors;
import org.grapevine.protocol.testing.TestContent;
import org.grapevine.protocol.topic.Topics;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15 (search): {@code grapevine search} against a real node whose posts come from the node's
 * user and from Bob over real gossip: a word, a hashtag and {@code from:} find them, Bob's deleted
 * post is not found, {@code --json} is the API's answer, a bad query fails with the node's message;
 * then {@code grapevine store rebuild-indexes} rebuilds the index too, and a restarted node finds
 * the same.
 */
@Timeout(120)
class SearchIT {
  private static final ObjectMapper JSON = new ObjectMapper();

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

  @Test
  void search_wordHashtagFrom_deletedNotFound_rebuildIndexesKeepsIt() throws Exception {
    node = TestNode.start(tmp.resolve("alice"));
    okText("profile", "set", "--name", "Alice");
    String mine = JSON.readTree(okText("post", "Harbour lights #sea", "--json")).get("id").asText();

    TestAuthors.Person bob = TestAuthors.person("bob");
    SigningKey phone = bob.deviceKey("phone");
    LogWriter bobs = bob.deviceLog(phone);
    long t = TestAuthors.T0_MILLIS;
    LogEntry kept = bobs.append(TestAuthors.post("harbour at dawn #sea"), t + 2);
    LogEntry regretted = bobs.append(TestAuthors.post("harbour rant"), t + 3);
    List<LogEntry> published =
        List.of(
            bob.delegate(phone, t),
            bobs.append(TestContent.profile("Bob"), t + 1),
            kept,
            regretted,
            bobs.append(delete(regretted), t + 4));
    okText("follow", bob.identity.toString());
    publish(bob, published);

    String harbour = okText("search", "harbour");
    assertThat(harbour.lines().toList()).hasSize(2);
    assertThat(harbour)
        .contains(mine.substring(0, 8))
        .contains(kept.id().toHex().substring(0, 8))
        .contains("Bob (")
        .doesNotContain(regretted.id().toHex().substring(0, 8));
    assertThat(okText("search", "#SEA", "from:bob"))
        .contains(kept.id().toHex().substring(0, 8))
        .doesNotContain(mine.substring(0, 8));
    assertThat(okText("search", "alice")).startsWith("profile  Alice (");
    JsonNode json = JSON.readTree(okText("search", "lights", "--json"));
    assertThat(json.path("entries").get(0).path("id").asText()).isEqualTo(mine);

    std.reset();
    assertThat(Main.execute(withDir("search", "#"))).isEqualTo(1);
    assertThat(std.err()).contains("is not a hashtag");

    node.close();
    node = null;
    assertThat(okText("store", "rebuild-indexes"))
        .endsWith("ms, and the search index (4 posts and profiles)\n");
    node = TestNode.start(tmp.resolve("alice"));
    assertThat(node.node().search().orElseThrow().rebuiltBecause()).isEmpty();
    assertThat(okText("search", "harbour").lines().toList()).hasSize(2);
  }

  private void publish(TestAuthors.Person who, List<LogEntry> entries) throws Exception {
    List<AutoCloseable> closing = new ArrayList<>();
    MultiThreadIoEventLoopGroup group =
        new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    try {
      String topic = Topics.forIdentity(who.identity);
      GossipDriver peer = BarePeer.start(node.node(), topic, group, closing).gossip();
      for (LogEntry e : entries) {
        peer.publish(topic, e.toEnvelopeBytes()).get(5, TimeUnit.SECONDS);
      }
      LogEntry last = entries.get(entries.size() - 1);
      BarePeer.await(
          "the node holds the published entries",
          () -> node.node().store().entryById(last.id()).isPresent());
    } finally {
      for (int i = closing.size() - 1; i >= 0; i--) {
        closing.get(i).close();
      }
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
    }
  }
}
