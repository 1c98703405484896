package org.grapevine.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.grapevine.protocol.testing.TestContent.delete;
import static org.grapevine.protocol.testing.TestContent.reaction;
import static org.grapevine.protocol.testing.TestContent.reply;
import static org.grapevine.protocol.testing.TestContent.repost;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.grapevine.libp2p.gossipsub.netty.GossipDriver;
import org.grapevine.node.testing.BarePeer;
import org.grapevine.protocol.crypto.SigningKey;
import org.grapevine.protocol.entry.LogEntry;
import org.grapevine.protocol.log.LogWriter;
import org.grapevine.protocol.proto.Content;
import org.grapevine.protocol.proto.Profile;
import org.grapevine.protocol.testing.TestAuthors;
import org.grapevine.protocol.topic.Topics;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 15 (names and counts): a real node with its API, and Bob publishing over real gossip
 * (reaction, reply, reposts, a delete): the timeline, thread and posts commands show names with an
 * identity prefix, the counts, and reposts with their original or that it is not held; {@code
 * --json} keeps the full ids.
 */
@Timeout(120)
class CountsAndNamesIT extends RealNodeCliTest {
  @Test
  void timelineThreadPosts_showNamesPrefixCountsAndReposts() throws Exception {
    okText("profile", "set", "--name", "Alice");
    String postId = ok("post", "hello from alice", "--json").path("id").asText();
    okText("react", postId.substring(0, 8), "❤");
    LogEntry post =
        node.node()
            .store()
            .entryById(org.grapevine.protocol.entry.EntryId.parse(postId))
            .orElseThrow();

    TestAuthors.Person bob = TestAuthors.person("bob");
    TestAuthors.Person carol = TestAuthors.person("carol");
    SigningKey phone = bob.deviceKey("phone");
    LogWriter bobs = bob.deviceLog(phone);
    long t = TestAuthors.T0_MILLIS;
    LogEntry carols =
        carol.deviceLog(carol.deviceKey("x")).append(TestAuthors.post("elsewhere"), t);
    LogEntry thumbs = bobs.append(reaction("👍", post), t + 2);
    List<LogEntry> published =
        List.of(
            bob.delegate(phone, t),
            bobs.append(
                Content.newBuilder().setProfile(Profile.newBuilder().setName("Bob")).build(),
                t + 1),
            thumbs,
            bobs.append(reply("hi alice", post), t + 3),
            bobs.append(repost(post), t + 4),
            bobs.append(repost(carols), t + 5),
            bobs.append(delete(thumbs), t + 6));
    String b = bob.identity.toString();
    okText("follow", b);
    List<AutoCloseable> closing = new ArrayList<>();
    MultiThreadIoEventLoopGroup group =
        new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    try {
      String topic = Topics.forIdentity(bob.identity);
      GossipDriver peer = BarePeer.start(node.node(), topic, group, closing).gossip();
      for (LogEntry e : published) {
        peer.publish(topic, e.toEnvelopeBytes()).get(5, TimeUnit.SECONDS);
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
    String alicePrefix = node.identity().substring(0, 12) + "…";
    String bobPrefix = b.substring(0, 12) + "…";

    List<String> lines = okText("timeline").lines().toList();
    assertThat(lines).noneMatch(l -> l.contains(node.identity()) || l.contains(b));
    // Bob's 👍 was deleted: it no longer counts.
    assertThat(lines)
        .anySatisfy(
            l ->
                assertThat(l)
                    .contains("Alice (" + alicePrefix + ")")
                    .endsWith("hello from alice  (1 reply, 1 repost, ❤ 1)"));
    assertThat(lines)
        .anySatisfy(
            l ->
                assertThat(l)
                    .startsWith(
                        published.get(4).id().toHex().substring(0, 8) + "  Bob (" + bobPrefix + ")")
                    .endsWith(
                        "reposted Alice ("
                            + alicePrefix
                            + "): hello from alice  (1 reply, 1 repost, ❤ 1)"));
    assertThat(lines)
        .anySatisfy(
            l ->
                assertThat(l)
                    .contains("Bob (" + bobPrefix + ")")
                    .endsWith(
                        "reposted "
                            + carols.id().toHex().substring(0, 8)
                            + " (the original is not held here)"));

    List<String> thread = okText("thread", postId.substring(0, 8)).lines().toList();
    assertThat(thread).hasSize(2);
    assertThat(thread.get(0)).contains("Alice (" + alicePrefix + ")");
    assertThat(thread.get(1))
        .startsWith("  ↳ ")
        .contains("Bob (" + bobPrefix + ")")
        .endsWith("hi alice");
    assertThat(okText("posts", b.substring(0, 10)))
        .contains("Bob (" + bobPrefix + ")")
        .doesNotContain(b);

    JsonNode page = ok("timeline", "--json");
    JsonNode repostJson = null;
    for (JsonNode e : page.path("entries")) {
      if (e.path("id").asText().equals(published.get(4).id().toHex())) {
        repostJson = e;
      }
    }
    assertThat(repostJson).isNotNull();
    assertThat(repostJson.path("identity").asText()).isEqualTo(b);
    assertThat(repostJson.path("author_name").asText()).isEqualTo("Bob");
    assertThat(repostJson.path("original_held").asBoolean()).isTrue();
    assertThat(repostJson.at("/original/identity").asText()).isEqualTo(node.identity());
    assertThat(repostJson.at("/original/author_name").asText()).isEqualTo("Alice");
    assertThat(repostJson.at("/original/counts/reactions").toString()).isEqualTo("{\"❤\":1}");
    JsonNode root = ok("thread", postId, "--json").path("root");
    assertThat(root.path("id").asText()).isEqualTo(postId); // Full ids in --json.
    assertThat(root.at("/counts/replies").asLong()).isEqualTo(1);
    assertThat(root.at("/replies/0/author_name").asText()).isEqualTo("Bob");
  }
}
