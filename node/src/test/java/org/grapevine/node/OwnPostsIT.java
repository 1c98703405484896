package org.grapevine.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.grapevine.protocol.testing.TestAuthors.post;

import com.google.protobuf.ByteString;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.grapevine.libp2p.crypto.PrivKey;
import org.grapevine.node.config.DataDir;
import org.grapevine.node.config.NodeConfig;
import org.grapevine.node.engine.BudgetExceededException;
import org.grapevine.protocol.crypto.SigningKey;
import org.grapevine.protocol.entry.LogEntry;
import org.grapevine.protocol.proto.Attachment;
import org.grapevine.protocol.proto.Content;
import org.grapevine.protocol.proto.Delete;
import org.grapevine.protocol.proto.Post;
import org.grapevine.protocol.testing.TestAuthors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Own posts through {@link Node#post} between two real nodes: a delete drops the content and keeps
 * the signed entry, on the author's node and on a follower's; a post over the attachment cap is
 * refused before signing and the log goes on without a gap; usage is reported.
 */
@Timeout(120)
class OwnPostsIT {
  @TempDir Path dir;
  private final MultiThreadIoEventLoopGroup group =
      new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
  private Node a;
  private Node b;

  @AfterEach
  void close() {
    for (Node n : new Node[] {a, b}) {
      if (n != null) {
        n.close();
      }
    }
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
  }

  private Node node(String name, TestAuthors.Person who, SigningKey device) throws Exception {
    return NodeLauncher.of(
            NodeConfig.loopback().withBudgets(new NodeConfig.Budgets(1L << 20, 4096)),
            dir.resolve(name),
            new DataDir.Keys(who.identity, who.root, device, PrivKey.generate(new SecureRandom())),
            group)
        .host(h -> h.inboundRate(1000, 1000))
        .start();
  }

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as(what).isLessThan(deadline);
      Thread.sleep(20);
    }
  }

  private static Content withAttachment(long size) {
    return Content.newBuilder()
        .setPost(
            Post.newBuilder()
                .setText("photo")
                .addAttachments(
                    Attachment.newBuilder()
                        .setHash(ByteString.copyFrom(new byte[32]))
                        .setSize(size)
                        .setMediaType("image/jpeg")))
        .build();
  }

  @Test
  void post_deleteAndOverCap_contentGoneEntryKeptEverywhere_overCapRefusedWithoutGap()
      throws Exception {
    TestAuthors.Person alice = TestAuthors.person("alice");
    TestAuthors.Person bob = TestAuthors.person("bob");
    SigningKey laptop = alice.deviceKey("laptop");
    a = node("a", alice, laptop);
    b = node("b", bob, bob.deviceKey("phone"));
    LogEntry regret = a.post(post("something I regret"));
    long used = a.usage(alice.identity).usedBytes();
    assertThat(used).isGreaterThanOrEqualTo(regret.header().contentSize());
    b.connect(a.host().listenAddrs().get(0).withPeerId(a.host().peerId()))
        .get(10, TimeUnit.SECONDS);
    b.follow(alice.identity);
    await(
        "b synced the post",
        () -> b.store().entryById(regret.id()).map(LogEntry::hasContent).orElse(false));

    // Over the cap: refused before signing; the next post takes the next seq.
    assertThatThrownBy(() -> a.post(withAttachment(4097)))
        .isInstanceOf(BudgetExceededException.class);
    LogEntry photo = a.post(withAttachment(4096));
    assertThat(photo.header().seq()).isEqualTo(regret.header().seq() + 1);

    Thread.sleep(1500); // Meshes form (heartbeat 1 s): the delete travels by gossip.
    LogEntry delete =
        a.post(
            Content.newBuilder()
                .setDelete(
                    Delete.newBuilder().setTarget(ByteString.copyFrom(regret.id().unsafeBytes())))
                .build());
    for (Node n : new Node[] {a, b}) {
      await(
          "the delete reached " + n.identity(), () -> n.store().entryById(delete.id()).isPresent());
      LogEntry kept = n.store().entryById(regret.id()).orElseThrow();
      assertThat(kept.hasContent()).isFalse();
      assertThat(kept.id()).isEqualTo(regret.id());
      assertThat(n.store().contiguousHead(laptop.publicKey())).isEqualTo(delete.header().seq());
    }
    assertThat(a.usage(alice.identity).usedBytes())
        .isLessThan(used + photo.header().contentSize() + delete.header().contentSize());
    assertThat(a.ingestCounts()).containsEntry("own.stored", 4L); // The delegation and three posts.
  }
}
