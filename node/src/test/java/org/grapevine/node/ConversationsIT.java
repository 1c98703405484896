package org.grapevine.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.grapevine.node.LoopbackNodes.addr;
import static org.grapevine.node.LoopbackNodes.await;
import static org.grapevine.node.LoopbackNodes.counter;
import static org.grapevine.protocol.testing.TestAuthors.post;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.grapevine.node.storage.TimelineCursor;
import org.grapevine.protocol.entry.LogEntry;
import org.grapevine.protocol.proto.Content;
import org.grapevine.protocol.proto.Post;
import org.grapevine.protocol.testing.TestAuthors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Addressed entries over real nodes (RocksDB, TCP on 127.0.0.1, Noise, Yamux, GossipSub; issue 15).
 * Alice and Carol follow Bob; Bob follows neither. Carol replies to Bob, reacts, reposts and
 * mentions him: Bob's node holds all four (loose: Carol's log is not held), and Alice, who does not
 * follow Carol, sees Carol's reply in Bob's thread. Then Carol floods Bob's addressee topic: Bob
 * takes only her limit, scores her node down past twice the limit until it is graylisted, and Bob's
 * own posts still reach Alice (their delivery time is printed with and without the flood, for the
 * closing note; no assertion on time). Last, Bob blocks Dave, another stranger: Dave's reply,
 * reaction, quote and mention are not stored on Bob's node.
 */
@Timeout(120)
class ConversationsIT {
  @TempDir Path dir;
  private LoopbackNodes nodes;

  @BeforeEach
  void open() {
    nodes = new LoopbackNodes(dir);
  }

  @AfterEach
  void close() {
    nodes.close();
  }

  private Node node(String name, TestAuthors.Person who) throws Exception {
    return nodes.start(name, who);
  }

  @Test
  void aStrangersReplyReactionRepostAndMention_reachBob_andAliceSeesTheReplyInBobsThread()
      throws Exception {
    TestAuthors.Person alice = TestAuthors.person("alice");
    TestAuthors.Person bob = TestAuthors.person("bob");
    TestAuthors.Person carol = TestAuthors.person("carol");
    Node a = node("a", alice);
    Node b = node("b", bob);
    TestAuthors.Person dave = TestAuthors.person("dave");
    Node c = node("c", carol);
    Node d = node("d", dave);
    a.connect(addr(b)).get(10, TimeUnit.SECONDS);
    c.connect(addr(b)).get(10, TimeUnit.SECONDS);
    a.connect(addr(c)).get(10, TimeUnit.SECONDS);
    d.connect(addr(b)).get(10, TimeUnit.SECONDS);
    a.follow(bob.identity);
    c.follow(bob.identity);
    d.follow(bob.identity);
    Thread.sleep(1500); // Subscriptions travel and meshes form (heartbeat 1 s).

    LogEntry hello = b.post(post("hello"));
    await("carol has bob's post", () -> c.store().entryById(hello.id()).isPresent() ? 1 : 0, 1);
    LogEntry reply = c.reply(hello.id(), "hi Bob, I do not know you");
    LogEntry heart = c.react(hello.id(), "❤");
    LogEntry repost = c.repost(hello.id());
    LogEntry mention = c.post("have you met Bob?", "", null, List.of(bob.identity));
    LogEntry quote = c.post("worth reading", "", hello.id(), List.of());

    List<LogEntry> carols = List.of(reply, heart, repost, mention, quote);
    await(
        "bob holds carol's five",
        () -> carols.stream().filter(e -> b.store().entryById(e.id()).isPresent()).count(),
        carols.size());
    assertThat(b.store().replies(hello.id())).extracting(LogEntry::id).containsExactly(reply.id());
    assertThat(b.store().counts(hello.id()).reactionTotal()).isEqualTo(1);
    assertThat(b.store().counts(hello.id()).reposts()).isEqualTo(1);
    assertThat(b.store().follows()).doesNotContain(carol.identity);
    assertThat(b.store().contiguousHead(c.device())).as("Carol's chain is not held").isZero();
    // Bob's notifications: Carol's reply, reaction, repost, mention and quote, and the follows.
    assertThat(
            b.store().addressedTo(bob.identity, TimelineCursor.before(Long.MAX_VALUE), 50).stream()
                .map(LogEntry::id))
        .containsAll(carols.stream().map(LogEntry::id).toList());

    await(
        "alice sees carol's reply in bob's thread", () -> a.store().replies(hello.id()).size(), 1);
    assertThat(a.store().replies(hello.id()).get(0).content()).isEqualTo(reply.content());
    assertThat(a.store().follows()).doesNotContain(carol.identity);

    // Carol floods Bob's addressee topic with mentions; Bob keeps posting to his followers.
    long quiet = deliver(b, a, bob, "quiet", 10);
    long floodedAfter = counter(b, "addressed.ignored_writer_limit");
    Thread flood =
        new Thread(
            () -> {
              for (int i = 0; i < 200; i++) {
                c.post(
                    Content.newBuilder()
                        .setPost(
                            Post.newBuilder()
                                .setText("spam " + i)
                                .addMentions(TestAuthors.bytes(bob.identity.root())))
                        .build());
              }
            });
    flood.start();
    long flooded = deliver(b, a, bob, "flooded", 10);
    flood.join();
    // Past twice her limit, Bob rejects what Carol's node forwards as a flood: its score falls
    // under the graylist threshold and Bob ignores it from then on.
    await(
        "bob scored carol's node down for flooding",
        () -> b.gossipPeerScore(c.host().peerId()).join() < -80 ? 1 : 0,
        1);
    assertThat(counter(b, "addressed.stored_loose"))
        .as("at most her limit per window (20), perhaps two windows, and the follows")
        .isLessThanOrEqualTo(2 + 5 + 40);
    assertThat(counter(b, "addressed.ignored_writer_limit")).isGreaterThan(floodedAfter);
    // Alice's timeline (she follows Bob) holds Bob's posts only: the flood never enters it.
    assertThat(
            a
                .store()
                .timeline(a.store().follows(), TimelineCursor.before(Long.MAX_VALUE), 200)
                .stream()
                .map(e -> e.header().identity())
                .distinct())
        .containsExactly(bob.identity);

    // Bob blocks Dave, another stranger: none of what he addresses to Bob is stored on Bob's node.
    b.block(dave.identity);
    long ignoredBefore = counter(b, "addressed.ignored_blocked");
    LogEntry hello2 = b.post(post("hello again"));
    await(
        "dave has bob's second post",
        () -> d.store().entryById(hello2.id()).isPresent() ? 1 : 0,
        1);
    List<LogEntry> blocked =
        List.of(
            d.reply(hello2.id(), "are you there?"),
            d.react(hello2.id(), "👀"),
            d.post("look", "", hello2.id(), List.of()),
            d.post("Bob?", "", null, List.of(bob.identity)));
    await(
        "bob ignored all four as blocked",
        () -> counter(b, "addressed.ignored_blocked"),
        ignoredBefore + blocked.size());
    assertThat(blocked).allSatisfy(e -> assertThat(b.store().entryById(e.id())).isEmpty());
    System.out.printf(
        Locale.ROOT,
        "ConversationsIT: 10 of Bob's posts reached Alice in %.1f ms quiet, %.1f ms during a"
            + " 200-entry flood of Bob's addressee topic; Bob stored %d loose, ignored %d over"
            + " the writer limit, scored the flooder %.0f%n",
        quiet / 1e6,
        flooded / 1e6,
        counter(b, "addressed.stored_loose"),
        counter(b, "addressed.ignored_writer_limit"),
        b.gossipPeerScore(c.host().peerId()).get());
  }

  /** Bob posts {@code n} posts; returns the nanoseconds until Alice holds the last. */
  private static long deliver(Node b, Node a, TestAuthors.Person bob, String tag, int n)
      throws InterruptedException {
    long start = System.nanoTime();
    LogEntry last = null;
    for (int i = 0; i < n; i++) {
      last = b.post(post(tag + " " + i));
    }
    LogEntry wanted = last;
    await(
        "alice has bob's " + tag + " posts",
        () -> a.store().entryById(wanted.id()).isPresent() ? 1 : 0,
        1);
    assertThat(a.store().entryById(wanted.id()).orElseThrow().header().identity())
        .isEqualTo(bob.identity);
    return System.nanoTime() - start;
  }
}
