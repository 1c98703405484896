package org.grapevine.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.grapevine.node.LoopbackNodes.addr;
import static org.grapevine.node.LoopbackNodes.await;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.grapevine.node.config.NodeConfig;
import org.grapevine.protocol.entry.LogEntry;
import org.grapevine.protocol.proto.Attachment;
import org.grapevine.protocol.testing.TestAuthors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Media through a follower (issue 18), over real nodes (RocksDB, the media store on disk, TCP on
 * 127.0.0.1, Noise, Yamux, GossipSub, Bitswap): Alice posts a photo of two blocks and a root; Bob
 * follows her and holds it without asking; Carol, who follows Bob and not Alice and never connects
 * to her, opens the post after Alice stopped and gets the photo from Bob. A delete removes the file
 * from a follower's store; a file over a follower's media budget is not fetched and says so.
 */
@Timeout(180)
class MediaFollowerIT {
  @TempDir Path dir;
  private LoopbackNodes nodes;

  @AfterEach
  void close() {
    nodes.close();
  }

  /** A PNG of random pixels: incompressible, so over 1 MiB, several blocks. */
  static byte[] photo(int side, long seed) throws Exception {
    BufferedImage img = new BufferedImage(side, side, BufferedImage.TYPE_INT_RGB);
    SplittableRandom r = new SplittableRandom(seed);
    for (int y = 0; y < side; y++) {
      for (int x = 0; x < side; x++) {
        img.setRGB(x, y, r.nextInt(1 << 24));
      }
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(img, "png", out);
    return out.toByteArray();
  }

  private static byte[] read(Node n, String cid) throws Exception {
    NodeMedia.Opened o = n.media().open(cid, Duration.ofSeconds(60)).get(90, TimeUnit.SECONDS);
    try (InputStream in = o.in()) {
      return in.readAllBytes();
    }
  }

  private static NodeConfig noCircle() {
    // Without the extended circle (issue 17): Carol holds Alice's post only through Bob's repost.
    return NodeConfig.loopback().withCircle(new NodeConfig.Circle(false, 1L << 20, 64L << 20, 500));
  }

  @Test
  void photo_followerHoldsItWithoutAsking_carolGetsItFromBobWithAliceOffline() throws Exception {
    nodes = new LoopbackNodes(dir);
    TestAuthors.Person alice = TestAuthors.person("alice");
    TestAuthors.Person bob = TestAuthors.person("bob");
    TestAuthors.Person carol = TestAuthors.person("carol");
    Node a = nodes.start("a", alice, noCircle());
    Node b = nodes.start("b", bob, noCircle());
    Node c = nodes.start("c", carol, noCircle());
    b.connect(addr(a)).get(10, TimeUnit.SECONDS);
    c.connect(addr(b)).get(10, TimeUnit.SECONDS);
    b.follow(alice.identity);
    c.follow(bob.identity);
    Thread.sleep(1500); // Subscriptions travel and meshes form (heartbeat 1 s).

    Path file = dir.resolve("photo.png");
    Files.write(file, photo(800, 1));
    NodeMedia.Added added = a.media().add(file);
    assertThat(added.size()).isGreaterThan(1 << 20); // A root and two leaves at least.
    assertThat(added.codec()).isEqualTo(0x70);
    assertThat(added.mediaType()).isEqualTo("image/png");
    Attachment att = a.media().attachment(added.cid(), "random noise, in colour");
    LogEntry post = a.post("my photo", "", null, List.of(), List.of(att));
    byte[] stored = read(a, added.cid());

    await(
        "bob fetched the photo on arrival",
        () -> b.media().state(added.cid()).equals("held") ? 1 : 0,
        1);
    assertThat(read(b, added.cid())).isEqualTo(stored);
    nodes.stop(a); // From now on only Bob holds it.

    LogEntry repost = b.repost(post.id());
    await("carol holds alice's post", () -> c.store().entryById(post.id()).isPresent() ? 1 : 0, 1);
    assertThat(c.store().entryById(repost.id())).isPresent();
    // Not followed: nothing fetched until someone opens it.
    assertThat(c.media().state(added.cid())).isEqualTo("not_fetched");

    assertThat(read(c, added.cid())).isEqualTo(stored);
    assertThat(c.media().state(added.cid())).isEqualTo("held");
    assertThat(c.media().counters()).containsEntry("fetched", 1L);
    assertThat(b.media().counters().get("bitswap_blocks_sent")).isGreaterThanOrEqualTo(3L);
  }

  @Test
  void deleteAndBudget_deletedFileCollected_fileOverBudgetNotFetchedAndSaysSo() throws Exception {
    nodes = new LoopbackNodes(dir);
    TestAuthors.Person alice = TestAuthors.person("alice");
    TestAuthors.Person bob = TestAuthors.person("bob");
    TestAuthors.Person dave = TestAuthors.person("dave");
    Node a = nodes.start("a", alice, noCircle());
    Node b = nodes.start("b", bob, noCircle());
    // Dave keeps at most 1 MiB of media: Alice's second photo (over 1 MiB) is over it.
    Node d =
        nodes.start(
            "d",
            dave,
            noCircle()
                .withBudgets(
                    new NodeConfig.Budgets(256L << 20, 16L << 20).withMedia(1L << 20, 1L << 20)));
    b.connect(addr(a)).get(10, TimeUnit.SECONDS);
    d.connect(addr(a)).get(10, TimeUnit.SECONDS);
    b.follow(alice.identity);
    d.follow(alice.identity);
    Thread.sleep(1500);

    Path small = dir.resolve("small.png");
    Files.write(small, photo(200, 2));
    NodeMedia.Added s = a.media().add(small);
    LogEntry first =
        a.post("small", "", null, List.of(), List.of(a.media().attachment(s.cid(), "")));
    await("bob holds the small photo", () -> b.media().state(s.cid()).equals("held") ? 1 : 0, 1);
    long held = b.media().usage().storedBytes();
    assertThat(held).isGreaterThanOrEqualTo(s.size());

    a.delete(first.id());
    await(
        "bob collected the deleted photo",
        () -> b.media().state(s.cid()).equals("held") ? 0 : 1,
        1);
    assertThat(b.media().usage().storedBytes()).isEqualTo(held - s.size());

    Path big = dir.resolve("big.png");
    Files.write(big, photo(800, 3));
    NodeMedia.Added g = a.media().add(big);
    a.post("big", "", null, List.of(), List.of(a.media().attachment(g.cid(), "")));
    await("bob holds the big photo", () -> b.media().state(g.cid()).equals("held") ? 1 : 0, 1);
    await(
        "dave refused the big photo",
        () -> d.media().state(g.cid()).equals("over_budget") ? 1 : 0,
        1);
    assertThat(d.media().counters()).containsEntry("fetch_failed_over_budget", 1L);
    assertThat(d.media().usage().storedBytes()).isZero();
  }
}
