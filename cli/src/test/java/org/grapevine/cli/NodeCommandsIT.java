package org.grapevine.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.grapevine.libp2p.gossipsub.netty.GossipDriver;
import org.grapevine.node.testing.BarePeer;
import org.grapevine.protocol.crypto.SigningKey;
import org.grapevine.protocol.entry.LogEntry;
import org.grapevine.protocol.proto.Content;
import org.grapevine.protocol.proto.Post;
import org.grapevine.protocol.testing.TestAuthors;
import org.grapevine.protocol.topic.Topics;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Every node command against a real node (store, host, local API on 127.0.0.1) in this JVM, through
 * real HTTP, as a person types them.
 */
@Timeout(120)
class NodeCommandsIT extends RealNodeCliTest {
  private void fails(int code, String message, String... args) {
    assertThat(run(args)).as(String.join(" ", args) + ": " + std.out() + std.err()).isEqualTo(code);
    assertThat(std.err())
        .as(String.join(" ", args))
        .contains(message)
        .hasLineCount(1)
        .doesNotContain("Exception");
  }

  @Test
  void writeCommands_postReplyReactRepostDelete_showInTimelineAndThread() throws Exception {
    String out = okText("post", "hello", "world");
    assertThat(out).matches("posted [0-9a-f]{8}\\s*");
    String postId = ok("post", "second post", "--json").path("id").asText();
    assertThat(postId).hasSize(64);

    JsonNode reply = ok("reply", postId.substring(0, 8), "a reply", "--json");
    assertThat(reply.path("content").path("reply_to").path("parent").path("entry").asText())
        .isEqualTo(postId);
    assertThat(okText("react", postId.substring(0, 6), "👍"))
        .startsWith("reacted 👍 to " + postId.substring(0, 8));
    assertThat(okText("repost", postId.substring(0, 10)))
        .startsWith("reposted " + postId.substring(0, 8));

    String timeline = okText("timeline");
    List<String> lines = timeline.lines().toList();
    assertThat(lines).hasSize(4); // Two posts, the reply, the repost: oldest first.
    assertThat(lines.get(0)).matches("[0-9a-f]{8}  gv1[a-z0-9]{9}…  just now  hello world");
    // The repost shows its original (held here): author and text, and the original's counts.
    assertThat(lines.get(3))
        .contains(
            "reposted "
                + node.identity().substring(0, 12)
                + "…: second post  (1 reply, 1 repost, 👍 1)");
    assertThat(lines.get(1)).endsWith("second post  (1 reply, 1 repost, 👍 1)");
    JsonNode page = ok("timeline", "--json", "--limit", "2");
    assertThat(page.path("entries")).hasSize(2);
    assertThat(page.path("next").isTextual()).isTrue();

    String thread = okText("thread", reply.path("id").asText().substring(0, 8));
    assertThat(thread.lines().toList()).hasSize(2);
    assertThat(thread.lines().toList().get(0)).endsWith("second post  (1 reply, 1 repost, 👍 1)");
    assertThat(thread.lines().toList().get(1)).startsWith("  ↳ ").endsWith("a reply");
    assertThat(ok("thread", postId, "--json").path("root").path("replies")).hasSize(1);

    assertThat(okText("delete", postId.substring(0, 8)))
        .startsWith("deleted " + postId.substring(0, 8));
    assertThat(okText("posts", node.identity())).contains("(deleted)");
    assertThat(ok("posts", node.identity().substring(0, 10), "--json").path("entries").size())
        .isEqualTo(4);
  }

  @Test
  void badInput_eachIsOneLineAndExitOne() throws Exception {
    String id = ok("post", "x", "--json").path("id").asText();
    fails(1, "the post is empty", "post", " ");
    fails(1, "at most 8192", "post", "a".repeat(8193));
    fails(
        1, "no held entry has an id starting with", "thread", id.startsWith("0") ? "1111" : "0000");
    fails(1, "is not an entry id", "react", "xyz!", "👍");
    fails(1, "is not an identity", "follow", "alice");
    fails(1, "no known identity starts with gv1zzzz", "follow", "gv1zzzz");
    String bad = node.identity().substring(0, 61) + (node.identity().endsWith("q") ? "p" : "q");
    assertThat(run("follow", bad)).isEqualTo(1);
    assertThat(std.err()).startsWith("grapevine: ").hasLineCount(1);
    fails(1, "a node always follows itself", "follow", node.identity());
    fails(1, "nothing to set", "profile", "set");
  }

  @Test
  void ambiguousPrefix_saysHowManyAndToGiveMore() throws Exception {
    // Post until two entry ids share their first four hex digits (about 300 posts on average).
    Map<String, String> byPrefix = new HashMap<>();
    String prefix = null;
    for (int i = 0; i < 20_000 && prefix == null; i++) {
      LogEntry e =
          node.node()
              .post(Content.newBuilder().setPost(Post.newBuilder().setText("p" + i)).build());
      String p = e.id().toHex().substring(0, 4);
      if (byPrefix.putIfAbsent(p, e.id().toHex()) != null) {
        prefix = p;
      }
    }
    assertThat(prefix).isNotNull();
    fails(
        1,
        "'" + prefix + "' matches 2 entries or identities; give more characters",
        "react",
        prefix,
        "👍");
    assertThat(okText("react", byPrefix.get(prefix).substring(0, 12), "👍")).startsWith("reacted");
  }

  @Test
  void profile_setShowAndJson() throws Exception {
    assertThat(okText("profile")).contains("name: (none)").contains("(no profile entry held)");
    assertThat(okText("profile", "set", "--name", "Alice", "--bio", "hi there"))
        .contains("profile set")
        .contains("name: Alice");
    JsonNode p = ok("profile", "--json");
    assertThat(p.path("name").asText()).isEqualTo("Alice");
    assertThat(p.path("bio").asText()).isEqualTo("hi there");
    ok("profile", "set", "--bio", "", "--json");
    JsonNode q = ok("profile", node.identity().substring(0, 9), "--json");
    assertThat(q.path("name").asText()).isEqualTo("Alice");
    assertThat(q.path("bio").asText()).isEmpty();
  }

  @Test
  void whoamiPeersStatus_humanAndJson() throws Exception {
    assertThat(okText("whoami").strip()).isEqualTo(node.identity());
    JsonNode w = ok("whoami", "--json");
    assertThat(w.path("identity").asText()).isEqualTo(node.identity());
    assertThat(w.path("device").asText()).hasSize(64);
    assertThat(w.path("peer_id").asText()).startsWith("12D3KooW");
    assertThat(w.path("listen_addrs").get(0).asText())
        .startsWith("/ip4/127.0.0.1/tcp/")
        .endsWith("/p2p/" + w.path("peer_id").asText());

    assertThat(ok("peers", "--json").path("connected").isArray()).isTrue();
    assertThat(run("peers")).isZero();
    assertThat(std.err()).contains("0 connected");

    assertThat(okText("status"))
        .contains("identity:     " + node.identity())
        .contains("sync:         caught up");
    assertThat(ok("status", "--json").path("entries_stored").asLong()).isPositive();
    assertThat(okText("status", "--watch", "--max-polls", "2"))
        .contains("[" + "#".repeat(30) + "] 100%")
        .contains("caught up");
  }

  @Test
  void followMuteAndFollowers_withASecondNode() throws Exception {
    Path bobDir = tmp.resolve("bob");
    try (TestNode bob = TestNode.start(bobDir)) {
      String b = bob.identity();
      assertThat(okText("follow", b)).isEqualTo("following " + b + "\n");
      assertThat(okText("follow", b.substring(0, 12))).isEqualTo("already following " + b + "\n");
      assertThat(okText("following")).isEqualTo(b + "\n");
      assertThat(ok("following", "--json").path("follows").get(0).asText()).isEqualTo(b);

      // Bob follows alice; once alice holds bob's log (sync over a real connection), bob is a known
      // follower.
      bob.node().follow(node.node().identity());
      node.node()
          .connect(bob.node().host().listenAddrs().get(0).withPeerId(bob.node().host().peerId()))
          .get(10, TimeUnit.SECONDS);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (!okText("followers").contains(b) && System.nanoTime() < deadline) {
        Thread.sleep(200);
      }
      assertThat(okText("followers")).isEqualTo(b + "\n");
      assertThat(okText("peers")).contains(bob.node().host().peerId().toString());

      assertThat(okText("mute", b.substring(0, 10))).isEqualTo("muted " + b + "\n");
      assertThat(okText("mutes")).isEqualTo(b + "\n");
      assertThat(okText("unmute", b)).isEqualTo("unmuted " + b + "\n");
      assertThat(okText("unfollow", b)).isEqualTo("unfollowed " + b + "\n");
      assertThat(run("following")).isZero();
      assertThat(std.out()).isEmpty();
      assertThat(std.err()).contains("following nobody");
    }
  }

  @Test
  void fork_shownByStatusProfileAndTimeline() throws Exception {
    TestAuthors.Person bob = TestAuthors.person("bob-who-forks");
    SigningKey phone = bob.deviceKey("phone");
    String b = bob.identity.toString();
    String topic = Topics.forIdentity(bob.identity);
    okText("follow", b);
    assertThat(ok("status", "--json").path("forked")).isEmpty();
    LogEntry one =
        bob.deviceLog(phone).append(TestAuthors.post("one history"), TestAuthors.T0_MILLIS + 1);
    LogEntry other = // The same device's seq 1 again: a second history.
        bob.deviceLog(phone).append(TestAuthors.post("another"), TestAuthors.T0_MILLIS + 2);
    List<AutoCloseable> closing = new ArrayList<>();
    MultiThreadIoEventLoopGroup group =
        new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    try {
      GossipDriver peer = BarePeer.start(node.node(), topic, group, closing).gossip();
      for (LogEntry e : List.of(bob.delegate(phone, TestAuthors.T0_MILLIS), one, other)) {
        peer.publish(topic, e.toEnvelopeBytes()).get(5, TimeUnit.SECONDS);
      }
      BarePeer.await(
          "the node holds the fork",
          () -> {
            try {
              return ok("status", "--json").path("forked").toString().contains(b);
            } catch (Exception e) {
              throw new IllegalStateException(e);
            }
          });
    } finally {
      for (int i = closing.size() - 1; i >= 0; i--) {
        closing.get(i).close();
      }
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
    }
    JsonNode profile = ok("profile", b, "--json");
    assertThat(profile.path("forked").asBoolean()).isTrue();
    assertThat(profile.path("forks")).hasSize(1);
    JsonNode fork = profile.path("forks").get(0);
    assertThat(fork.path("seq").asLong()).isEqualTo(1);
    assertThat(List.of(fork.path("held").asText(), fork.path("incoming").asText()))
        .containsExactlyInAnyOrder(one.id().toHex(), other.id().toHex());
    assertThat(okText("profile", b)).contains("[FORKED] this identity signed two histories");
    assertThat(okText("status")).contains("forked:       " + b + " signed two histories");
    JsonNode posts = ok("posts", b, "--json").path("entries");
    assertThat(posts).isNotEmpty();
    posts.forEach(e -> assertThat(e.path("identity_forked").asBoolean()).isTrue());
    assertThat(okText("timeline").lines().filter(l -> l.contains("one history")))
        .singleElement()
        .satisfies(l -> assertThat(l).contains("[FORKED]"));
    assertThat(ok("profile", "--json").path("forked").asBoolean()).isFalse(); // Alice's own.
  }

  @Test
  void timelineFollow_printsNewPostsAsJsonLines() throws Exception {
    okText("post", "before");
    List<Integer> exit = new ArrayList<>();
    Thread reader =
        new Thread(
            () ->
                exit.add(
                    Main.execute(
                        "timeline",
                        "--follow",
                        "--json",
                        "--max-events",
                        "1",
                        "--data-dir",
                        alice.toString())));
    reader.start();
    // Wait until the stream is open, then post from another command.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    int streams = 0;
    while (System.nanoTime() < deadline && streams == 0) {
      streams =
          org.grapevine.cli.client.ApiClient.open(new org.grapevine.node.config.DataDir(alice))
              .get("/v1/status")
              .path("event_streams")
              .asInt();
      Thread.sleep(50);
    }
    assertThat(streams).isEqualTo(1);
    assertThat(Main.execute("post", "live one", "--data-dir", alice.toString())).isZero();
    reader.join(TimeUnit.SECONDS.toMillis(30));
    assertThat(reader.isAlive()).isFalse();
    assertThat(exit).containsExactly(0);
    List<JsonNode> lines = new ArrayList<>();
    for (String l : std.out().lines().toList()) {
      if (l.startsWith("{")) {
        lines.add(JSON.readTree(l));
      }
    }
    assertThat(lines)
        .extracting(j -> j.path("content").path("text").asText())
        .containsExactly("before", "live one");
  }

  @Test
  void timelineFollow_nodeStops_exitsThree() throws Exception {
    List<Integer> exit = new ArrayList<>();
    Thread reader =
        new Thread(
            () -> exit.add(Main.execute("timeline", "--follow", "--data-dir", alice.toString())));
    reader.start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline
        && node.node().metrics().snapshot().stream()
            .noneMatch(
                f ->
                    f.name().equals("grapevine_api_event_streams")
                        && f.samples().get(0).value() == 1)) {
      Thread.sleep(50);
    }
    node.close();
    node = null;
    reader.join(TimeUnit.SECONDS.toMillis(30));
    assertThat(reader.isAlive()).isFalse();
    assertThat(exit).containsExactly(ExitCode.NO_NODE);
    assertThat(std.err()).contains("closed the event stream");
  }

  @Test
  void device_addListRevoke_withTheNodeStopped() throws Exception {
    fails(1, "is running; stop it first", "device", "list");
    node.close();
    node = null;
    assertThat(okText("device", "list")).containsPattern("[0-9a-f]{64}  active  \\d+ entries held");
    Path phoneKey = tmp.resolve("phone.key");
    String added = okText("device", "add", "--name", "phone", "--out", phoneKey.toString());
    assertThat(added).startsWith("added device ");
    assertThat(phoneKey).exists();
    String phone = added.substring("added device ".length(), "added device ".length() + 64);
    JsonNode list = ok("device", "list", "--json");
    assertThat(list.path("devices")).hasSize(2);
    String own =
        list.path("devices").findValuesAsText("device").stream()
            .filter(d -> !d.equals(phone))
            .findFirst()
            .orElseThrow();
    fails(1, "is the one this data directory writes with", "device", "revoke", own.substring(0, 8));
    assertThat(okText("device", "revoke", phone.substring(0, 8)))
        .startsWith("revoked device " + phone);
    fails(1, "already revoked", "device", "revoke", phone);
    // The node starts on the changed store and serves the root log as usual.
    node = TestNode.start(alice);
    assertThat(okText("whoami").strip()).isEqualTo(node.identity());
  }
}
