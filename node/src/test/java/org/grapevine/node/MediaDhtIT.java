package org.grapevine.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.grapevine.node.LoopbackNodes.addr;
import static org.grapevine.node.LoopbackNodes.await;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.grapevine.libp2p.kad.QueryKind;
import org.grapevine.node.config.NodeConfig;
import org.grapevine.node.core.CoreEvent;
import org.grapevine.protocol.entry.LogEntry;
import org.grapevine.protocol.proto.Attachment;
import org.grapevine.protocol.testing.TestAuthors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A file found through the DHT (issue 18), with real nodes in one JVM (TCP on 127.0.0.1, no mDNS).
 * S is the only DHT server. Alice (no DHT) posts a photo; Bob follows her over a direct connection,
 * holds the photo and provides it to S (he does not announce his follows: nobody finds him as a
 * peer of Alice's topic). Dave (no DHT) follows Alice too but keeps almost no media: he holds her
 * post, not the photo. Alice stops. Carol knows S (her DHT bootstrap peer) and Dave; she follows
 * Alice and syncs the post from Dave. Her connected peers (Dave, S) lack the photo, so she looks up
 * its providers in the DHT, finds Bob, dials him and gets the photo from him.
 */
@Timeout(180)
class MediaDhtIT {
  @TempDir Path dir;
  private LoopbackNodes nodes;

  @AfterEach
  void close() {
    nodes.close();
  }

  private static NodeConfig config(NodeConfig.DhtMode mode, Node bootstrap) {
    NodeConfig c =
        NodeConfig.loopback()
            .withDht(new NodeConfig.Dht(mode, 4, false))
            .withCircle(new NodeConfig.Circle(false, 1L << 20, 64L << 20, 500));
    if (bootstrap != null) {
      c = c.withNetwork(c.network().withBootstrap(List.of(addr(bootstrap).toString())));
    }
    return c;
  }

  @Test
  void photo_heldOnlyByAPeerNobodyConnectedKnows_isFoundThroughTheDht() throws Exception {
    nodes = new LoopbackNodes(dir);
    TestAuthors.Person server = TestAuthors.person("server");
    TestAuthors.Person alice = TestAuthors.person("alice");
    TestAuthors.Person bob = TestAuthors.person("bob");
    TestAuthors.Person carol = TestAuthors.person("carol");
    TestAuthors.Person dave = TestAuthors.person("dave");
    Node s = nodes.start("s", server, config(NodeConfig.DhtMode.SERVER, null));
    Node a = nodes.start("a", alice, config(NodeConfig.DhtMode.OFF, null));
    Node b = nodes.start("b", bob, config(NodeConfig.DhtMode.CLIENT, s));
    // Dave keeps at most 1 KiB of media: the photo (over 1 MiB) is not fetched.
    Node d =
        nodes.start(
            "d",
            dave,
            config(NodeConfig.DhtMode.OFF, null)
                .withBudgets(
                    new NodeConfig.Budgets(256L << 20, 16L << 20).withMedia(1L << 10, 1L << 10)));
    CountDownLatch bobProvided = new CountDownLatch(1);
    b.addCoreListener(
        e -> {
          // Bob announces his own topic (a topic is named) and the photo (none is).
          if (e instanceof CoreEvent.DhtQueryDone q
              && q.kind() == QueryKind.PROVIDE
              && q.topic() == null
              && q.stats().success()) {
            bobProvided.countDown();
          }
        });
    b.connect(addr(a)).get(10, TimeUnit.SECONDS);
    d.connect(addr(a)).get(10, TimeUnit.SECONDS);
    b.follow(alice.identity);
    d.follow(alice.identity);
    Thread.sleep(1500); // Subscriptions travel and meshes form (heartbeat 1 s).

    Path file = dir.resolve("photo.png");
    Files.write(file, MediaFollowerIT.photo(800, 7));
    NodeMedia.Added added = a.media().add(file);
    Attachment att = a.media().attachment(added.cid(), "noise");
    LogEntry post = a.post("my photo", "", null, List.of(), List.of(att));
    byte[] stored = read(a, added.cid());
    await("bob holds the photo", () -> b.media().state(added.cid()).equals("held") ? 1 : 0, 1);
    assertThat(bobProvided.await(60, TimeUnit.SECONDS)).as("bob provided the photo to s").isTrue();
    await(
        "dave holds the post, not the photo",
        () -> d.media().state(added.cid()).equals("over_budget") ? 1 : 0,
        1);
    nodes.stop(a);

    Node c = nodes.start("c", carol, config(NodeConfig.DhtMode.CLIENT, s));
    c.connect(addr(d)).get(10, TimeUnit.SECONDS);
    assertThat(c.host().connections(b.host().peerId())).as("carol does not know bob").isEmpty();
    c.follow(alice.identity);
    // Followed: the post's file is fetched as the post arrives (the media part is told after the
    // write, on its own thread), and open() joins or restarts that fetch.
    await(
        "carol's media part took alice's post",
        () -> c.media().state(added.cid()).equals("not_fetched") ? 0 : 1,
        1);

    assertThat(c.store().entryById(post.id())).as("synced from dave").isPresent();
    assertThat(read(c, added.cid())).isEqualTo(stored);
    assertThat(c.media().counters()).containsEntry("fetched_via_dht", 1L);
    assertThat(c.media().counters().get("dht_providers_found")).isGreaterThanOrEqualTo(1L);
    assertThat(c.host().connections(b.host().peerId())).as("carol dialled bob").isNotEmpty();
    assertThat(d.media().state(added.cid())).isEqualTo("over_budget");
  }

  private static byte[] read(Node n, String cid) throws Exception {
    NodeMedia.Opened o = n.media().open(cid, Duration.ofSeconds(60)).get(90, TimeUnit.SECONDS);
    try (InputStream in = o.in()) {
      return in.readAllBytes();
    }
  }
}
