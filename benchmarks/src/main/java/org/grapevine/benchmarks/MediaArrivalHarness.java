package org.grapevine.benchmarks;

import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.grapevine.node.Node;
import org.grapevine.node.NodeMedia;
import org.grapevine.protocol.entry.LogEntry;
import org.grapevine.protocol.proto.Attachment;
import org.grapevine.protocol.testing.TestAuthors;

/**
 * Issue 18: the time from a followed post's arrival to its file being held. Two real nodes on
 * 127.0.0.1 (RocksDB, the media store on disk, Noise, Yamux, GossipSub, Bitswap); Bob follows
 * Alice. Each round Alice adds a file of random bytes and posts it; measured on Bob's node: the
 * post stored (gossip, from Alice's {@code post} call), then the file held whole (Bitswap from
 * Alice: want-have, want-block, the blocks, each written with fsync). Two sizes: one block (200
 * KiB) and four blocks under a root (3.5 MiB). The post's own latency is the baseline of the same
 * run.
 *
 * <p>Usage: {@code java -cp benchmarks/target/benchmarks.jar
 * org.grapevine.benchmarks.MediaArrivalHarness [rounds=30]}
 */
public final class MediaArrivalHarness {
  private MediaArrivalHarness() {}

  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 30;
    System.out.println(NodeBench.machine());
    Path dir = Files.createTempDirectory("grapevine-media-arrival");
    MultiThreadIoEventLoopGroup group =
        new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    TestAuthors.Person alice = TestAuthors.person("alice");
    TestAuthors.Person bob = TestAuthors.person("bob");
    Node a = NodeBench.start(dir.resolve("a"), alice, group);
    Node b = NodeBench.start(dir.resolve("b"), bob, group);
    try {
      b.connect(NodeBench.addr(a)).get(10, TimeUnit.SECONDS);
      b.follow(alice.identity);
      Thread.sleep(2000); // Meshes form (heartbeat 1 s).
      SplittableRandom random = new SplittableRandom(18);
      for (int size : new int[] {200 << 10, (7 << 20) / 2}) {
        Histogram post = NodeBench.histogram();
        Histogram file = NodeBench.histogram();
        Histogram total = NodeBench.histogram();
        int warmUp = 5;
        for (int r = 0; r < warmUp + rounds; r++) {
          byte[] bytes = new byte[size];
          random.nextBytes(bytes);
          Path f = Files.write(dir.resolve("f.bin"), bytes);
          NodeMedia.Added added = a.media().add(f);
          Attachment att = a.media().attachment(added.cid(), "");
          long t0 = System.nanoTime();
          LogEntry e = a.post("file " + r, "", null, List.of(), List.of(att));
          while (b.store().entryById(e.id()).isEmpty()) {
            spin(t0, "the post");
          }
          long t1 = System.nanoTime();
          while (!b.media().state(added.cid()).equals("held")) {
            spin(t0, "the file");
          }
          long t2 = System.nanoTime();
          if (r >= warmUp) {
            post.recordValue(t1 - t0);
            file.recordValue(t2 - t1);
            total.recordValue(t2 - t0);
          }
        }
        System.out.printf(
            Locale.ROOT,
            "%s file (%d block%s):%n  post stored at Bob   %s%n  then file held       %s%n"
                + "  post call to held    %s%n",
            size < (1 << 20) ? "200 KiB" : "3.5 MiB",
            size < (1 << 20) ? 1 : 5,
            size < (1 << 20) ? "" : "s",
            NodeBench.latencies(post),
            NodeBench.latencies(file),
            NodeBench.latencies(total));
      }
      System.out.println("Bob's media counters: " + b.media().counters());
    } finally {
      b.close();
      a.close();
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
      NodeBench.deleteTree(dir);
    }
  }

  private static void spin(long t0, String what) throws InterruptedException {
    if (System.nanoTime() - t0 > TimeUnit.SECONDS.toNanos(60)) {
      throw new IllegalStateException(what + " did not reach Bob within 60 s");
    }
    Thread.sleep(0, 200_000);
  }
}
