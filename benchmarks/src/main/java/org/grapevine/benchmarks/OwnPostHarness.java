package org.grapevine.benchmarks;

import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.grapevine.node.Node;
import org.grapevine.protocol.crypto.SigningKey;
import org.grapevine.protocol.entry.LogEntry;
import org.grapevine.protocol.testing.TestAuthors;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.WriteOptions;

/**
 * Own post: latency from the API call to its return, which the node makes only once the entry is
 * signed, chain-checked and synced to disk (WAL fsync) with its indexes; then it is handed to
 * gossip. Measured through the Java API ({@code Node.post}) and through the local HTTP API ({@code
 * POST /v1/posts} on 127.0.0.1 with a kept-alive connection, as the CLI and a page use it), on the
 * same node one after the other. Baselines from the same run and the same file system: a raw
 * RocksDB put of an entry-sized value with {@code WriteOptions.setSync(true)}, and a raw Ed25519
 * signature.
 *
 * <p>Usage: {@code java -cp benchmarks/target/benchmarks.jar
 * org.grapevine.benchmarks.OwnPostHarness [posts=10000]}
 */
public final class OwnPostHarness {
  private static final com.fasterxml.jackson.databind.ObjectMapper JSON =
      new com.fasterxml.jackson.databind.ObjectMapper();

  /** One way of posting. */
  interface PostApi {
    String name();

    /** Posts and returns once the node acknowledges the post as durable. */
    void post(String text) throws Exception;
  }

  /** {@code Node.post}: returns after the durable write. */
  record JavaApi(Node node) implements PostApi {
    @Override
    public String name() {
      return "Node.post (Java API)";
    }

    @Override
    public void post(String text) {
      node.post(TestAuthors.post(text));
    }
  }

  /** {@code POST /v1/posts}: answers 201 after the same durable write. */
  record HttpApi(java.net.http.HttpClient http, String url, String token) implements PostApi {
    @Override
    public String name() {
      return "POST /v1/posts (HTTP API)";
    }

    @Override
    public void post(String text) throws Exception {
      String body = JSON.writeValueAsString(java.util.Map.of("text", text));
      var r =
          http.send(
              java.net.http.HttpRequest.newBuilder(java.net.URI.create(url + "/v1/posts"))
                  .header("Authorization", "Bearer " + token)
                  .header("Content-Type", "application/json")
                  .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body))
                  .build(),
              java.net.http.HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 201) {
        throw new IllegalStateException("the API answered " + r.statusCode() + ": " + r.body());
      }
    }
  }

  public static void main(String[] args) throws Exception {
    int posts = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
    int warmup = Math.max(100, posts / 20);
    System.out.printf(
        Locale.ROOT,
        "%d posts one at a time after %d warm-up posts; JDK %s, %d cpus, %s%n",
        posts,
        warmup,
        System.getProperty("java.version"),
        Runtime.getRuntime().availableProcessors(),
        NodeBench.loadAverage());
    Path dir = Files.createTempDirectory("grapevine-ownpost");
    MultiThreadIoEventLoopGroup group =
        new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    try {
      Histogram api;
      long envelopeBytes = 0;
      Histogram http;
      try (Node node = NodeBench.start(dir.resolve("node"), TestAuthors.person("ownpost"), group)) {
        PostApi via = new JavaApi(node);
        api = measure(via, posts, warmup);
        try (org.grapevine.node.api.ApiServer server =
            org.grapevine.node.api.ApiServer.start(node, 0, "bench-token", group)) {
          PostApi overHttp =
              new HttpApi(
                  java.net.http.HttpClient.newBuilder()
                      .version(java.net.http.HttpClient.Version.HTTP_1_1)
                      .build(),
                  server.url(),
                  "bench-token");
          http = measure(overHttp, posts, warmup);
          System.out.printf(Locale.ROOT, "%-40s %s%n", overHttp.name(), NodeBench.latencies(http));
        }
        for (long seq = 1; seq <= 50; seq++) { // The mean envelope size, for the baselines.
          LogEntry e =
              node.store()
                  .logEntry(TestAuthors.person("ownpost").deviceKey("node").publicKey(), seq)
                  .orElseThrow();
          envelopeBytes += e.envelopeSize();
        }
        envelopeBytes /= 50;
        System.out.printf(Locale.ROOT, "%-40s %s%n", via.name(), NodeBench.latencies(api));
      }
      Histogram put = syncPuts(dir.resolve("raw"), posts, (int) envelopeBytes);
      Histogram sign = signs(posts, (int) envelopeBytes);
      System.out.printf(
          Locale.ROOT,
          "%-40s %s%n",
          "raw RocksDB put, sync, " + envelopeBytes + " B",
          NodeBench.latencies(put));
      System.out.printf(
          Locale.ROOT,
          "%-40s %s%n",
          "raw Ed25519 sign, " + envelopeBytes + " B",
          NodeBench.latencies(sign));
      System.out.printf(
          Locale.ROOT,
          "post / (sync put + sign): p50 %.2f, p99 %.2f; post / sync put: p50 %.2f, p99 %.2f; %s%n",
          ratio(api, put, sign, 50),
          ratio(api, put, sign, 99),
          (double) api.getValueAtPercentile(50) / put.getValueAtPercentile(50),
          (double) api.getValueAtPercentile(99) / put.getValueAtPercentile(99),
          NodeBench.loadAverage());
      System.out.printf(
          Locale.ROOT,
          "HTTP post / (sync put + sign): p50 %.2f, p99 %.2f; HTTP post / Java post: p50 %.2f, p99 %.2f%n",
          ratio(http, put, sign, 50),
          ratio(http, put, sign, 99),
          (double) http.getValueAtPercentile(50) / api.getValueAtPercentile(50),
          (double) http.getValueAtPercentile(99) / api.getValueAtPercentile(99));
    } finally {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
      NodeBench.deleteTree(dir);
    }
  }

  /**
   * Latencies of {@code posts} posts one at a time through {@code via}, after {@code warmup}
   * unmeasured ones.
   */
  private static Histogram measure(PostApi via, int posts, int warmup) throws Exception {
    SplittableRandom random = new SplittableRandom(5);
    for (int i = 0; i < warmup; i++) {
      via.post(NodeBench.postText(random));
    }
    Histogram h = NodeBench.histogram();
    for (int i = 0; i < posts; i++) {
      String text = NodeBench.postText(random);
      long t = System.nanoTime();
      via.post(text);
      h.recordValue(System.nanoTime() - t);
    }
    return h;
  }

  private static double ratio(Histogram api, Histogram put, Histogram sign, double percentile) {
    return (double) api.getValueAtPercentile(percentile)
        / (put.getValueAtPercentile(percentile) + sign.getValueAtPercentile(percentile));
  }

  /** A plain RocksDB (default options) in the same file system, one synced put per value. */
  static Histogram syncPuts(Path dir, int n, int valueBytes) throws Exception {
    Files.createDirectories(dir);
    Histogram h = NodeBench.histogram();
    SplittableRandom random = new SplittableRandom(9);
    try (Options options = new Options().setCreateIfMissing(true);
        RocksDB db = RocksDB.open(options, dir.toString());
        WriteOptions sync = new WriteOptions().setSync(true)) {
      for (int i = -Math.max(100, n / 20); i < n; i++) {
        byte[] key = java.nio.ByteBuffer.allocate(8).putLong(i + 1_000_000L).array();
        byte[] value = new byte[valueBytes];
        random.nextBytes(value);
        long t = System.nanoTime();
        db.put(sync, key, value);
        if (i >= 0) {
          h.recordValue(System.nanoTime() - t);
        }
      }
    }
    return h;
  }

  /** Ed25519 signatures of entry-sized messages. */
  static Histogram signs(int n, int messageBytes) {
    SigningKey key = TestAuthors.key("ownpost-sign");
    Histogram h = NodeBench.histogram();
    SplittableRandom random = new SplittableRandom(10);
    for (int i = -Math.max(1000, n / 10); i < n; i++) {
      byte[] message = new byte[messageBytes];
      random.nextBytes(message);
      long t = System.nanoTime();
      key.sign(message);
      if (i >= 0) {
        h.recordValue(System.nanoTime() - t);
      }
    }
    return h;
  }
}
