package org.grapevine.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.grapevine.protocol.testing.TestContent.reaction;
import static org.grapevine.protocol.testing.TestContent.reply;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.grapevine.libp2p.gossipsub.netty.GossipDriver;
import org.grapevine.node.testing.BarePeer;
import org.grapevine.protocol.addressed.AddressedCodec;
import org.grapevine.protocol.crypto.SigningKey;
import org.grapevine.protocol.entry.EntryId;
import org.grapevine.protocol.entry.LogEntry;
import org.grapevine.protocol.log.LogWriter;
import org.grapevine.protocol.proto.Content;
import org.grapevine.protocol.proto.Follow;
import org.grapevine.protocol.proto.Post;
import org.grapevine.protocol.proto.Profile;
import org.grapevine.protocol.testing.TestAuthors;
import org.grapevine.protocol.topic.Topics;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 15 (notifications): a real node with its API; two strangers, Carol and Dave, whom Alice
 * does not follow, publish on Alice's addressee topic over real gossip (a reply, reactions, a
 * mention, a follow). {@code grapevine notifications} lists them grouped with names, marks them
 * read, and {@code --unread} then shows none.
 */
@Timeout(120)
class NotificationsIT extends RealNodeCliTest {
  /** A stranger: root key, one device, its delegation and log. */
  private record Stranger(LogEntry delegation, LogWriter log) {
    static Stranger of(String name) {
      TestAuthors.Person p = TestAuthors.person(name);
      SigningKey phone = p.deviceKey("phone");
      return new Stranger(p.delegate(phone, TestAuthors.T0_MILLIS), p.deviceLog(phone));
    }
  }

  @Test
  void strangersRepliesReactionsMentionsAndFollows_areNotificationsGroupedWithNames()
      throws Exception {
    String postId = JSON.readTree(okText("post", "hello from alice", "--json")).path("id").asText();
    LogEntry post = node.node().store().entryById(EntryId.parse(postId)).orElseThrow();
    org.grapevine.protocol.identity.Identity me =
        org.grapevine.protocol.identity.Identity.parse(node.identity());
    long t = TestAuthors.T0_MILLIS;
    Stranger carol = Stranger.of("carol");
    Stranger dave = Stranger.of("dave");
    List<byte[]> messages = new ArrayList<>();
    // Carol's name travels only in her own log, which Alice does not hold: Carol shows as a
    // prefix. Names of followed people show (CountsAndNamesIT).
    carol
        .log()
        .append(Content.newBuilder().setProfile(Profile.newBuilder().setName("C")).build(), t);
    LogEntry carolReply = carol.log().append(reply("hi alice, I am new here", post), t + 1);
    LogEntry carolHeart = carol.log().append(reaction("❤", post), t + 2);
    LogEntry daveThumbs = dave.log().append(reaction("👍", post), t + 3);
    LogEntry daveMention =
        dave.log()
            .append(
                Content.newBuilder()
                    .setPost(
                        Post.newBuilder()
                            .setText("ask Alice about it")
                            .addMentions(TestAuthors.bytes(me.root())))
                    .build(),
                t + 4);
    LogEntry carolFollow =
        carol
            .log()
            .append(
                Content.newBuilder()
                    .setFollow(Follow.newBuilder().setIdentity(TestAuthors.bytes(me.root())))
                    .build(),
                t + 5);
    for (LogEntry e : List.of(carolReply, carolHeart, carolFollow)) {
      messages.add(AddressedCodec.encode(e, carol.delegation()));
    }
    for (LogEntry e : List.of(daveThumbs, daveMention)) {
      messages.add(AddressedCodec.encode(e, dave.delegation()));
    }
    List<AutoCloseable> closing = new ArrayList<>();
    MultiThreadIoEventLoopGroup group =
        new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    try {
      String topic = Topics.forAddressee(me);
      GossipDriver peer = BarePeer.start(node.node(), topic, group, closing).gossip();
      for (byte[] m : messages) {
        peer.publish(topic, m).get(5, TimeUnit.SECONDS);
      }
      BarePeer.await(
          "the node holds the strangers' entries",
          () ->
              node.node().store().entryById(daveMention.id()).isPresent()
                  && node.node().store().entryById(carolFollow.id()).isPresent());
    } finally {
      for (int i = closing.size() - 1; i >= 0; i--) {
        closing.get(i).close();
      }
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
    }
    String carolPrefix = carolReply.header().identity().toString().substring(0, 12) + "…";
    String davePrefix = daveThumbs.header().identity().toString().substring(0, 12) + "…";
    String shortPost = postId.substring(0, 8);

    List<String> lines = okText("notifications").lines().toList();
    assertThat(lines).hasSize(4);
    assertThat(lines.get(0))
        .startsWith("● ")
        .contains(carolPrefix + " replied to your post " + shortPost + ": hi alice, I am new here");
    assertThat(lines.get(1))
        .startsWith("● ")
        .containsAnyOf(
            carolPrefix + " and 1 other reacted ❤ 👍 to your post " + shortPost,
            davePrefix + " and 1 other reacted 👍 ❤ to your post " + shortPost);
    assertThat(lines.get(2)).contains(davePrefix + " mentioned you: ask Alice about it");
    assertThat(lines.get(3)).contains(carolPrefix + " followed you");

    JsonNode page = JSON.readTree(okText("notifications", "--json"));
    assertThat(page.path("notifications")).hasSize(5);
    assertThat(page.at("/notifications/0/type").asText()).isEqualTo("follow");
    assertThat(page.at("/notifications/0/entry/identity").asText())
        .isEqualTo(carolReply.header().identity().toString());

    okText("notifications", "--mark-read");
    assertThat(okText("notifications", "--unread")).isEmpty();
    assertThat(std.err()).contains("no unread notifications");
    assertThat(okText("notifications").lines()).allMatch(l -> l.startsWith("  "));

    // Alice answers Carol and mentions Dave: both entries name them, so they reach them.
    String carolId = carolReply.header().identity().toString();
    String daveId = daveThumbs.header().identity().toString();
    JsonNode answer =
        ok("reply", "-m", daveId, carolReply.id().toHex(), "welcome, Carol", "--json");
    assertThat(answer.at("/content/reply_to/parent/identity").asText()).isEqualTo(carolId);
    assertThat(answer.at("/content/mentions/0").asText()).isEqualTo(daveId);
    JsonNode intro =
        ok("post", "--mention", carolId, "--mention", daveId, "meet each other", "--json");
    assertThat(intro.at("/content/mentions").toString())
        .isEqualTo("[\"" + carolId + "\",\"" + daveId + "\"]");
  }
}
