package org.grapevine.benchmarks;

import com.google.protobuf.ByteString;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;
import org.HdrHistogram.Histogram;
import org.grapevine.node.LogQueries;
import org.grapevine.node.Node;
import org.grapevine.node.api.ApiServer;
import org.grapevine.node.config.NodeConfig;
import org.grapevine.node.search.SearchQuery;
import org.grapevine.node.storage.RocksPostStore;
import org.grapevine.node.storage.StoreConfig;
import org.grapevine.node.storage.TimelineCursor;
import org.grapevine.protocol.crypto.SigningKey;
import org.grapevine.protocol.identity.Identity;
import org.grapevine.protocol.log.LogWriter;
import org.grapevine.protocol.proto.Content;
import org.grapevine.protocol.proto.Follow;
import org.grapevine.protocol.proto.Post;
import org.grapevine.protocol.testing.TestAuthors;

/**
 * The web app's screens (issue 16) over a store of a million entries: how long the server takes to
 * render a page against the JSON route it renders, and what the home screen weighs.
 *
 * <p>The data directory: the store of {@link NodeBench#loadPosts} ({@code identities x postsEach}
 * posts of identities {@code timeline-i}, as {@code TimelineHarness} queries), plus the node's own
 * identity {@code web-own}, whose root log delegates the device {@link NodeBench#start} uses and
 * whose device log follows {@code followed} of them (seeded choice; also in the store's follow set,
 * as {@code Node.follow} leaves it), and {@value #FANS} other identities that each follow it and
 * write a post mentioning it (so the notifications page has a page of 30). The node starts over it
 * (which builds the search index the first time: timed), then serves the API on 127.0.0.1:0.
 *
 * <p>Requests go through {@link HttpClient} (HTTP/1.1, one kept-alive connection, bearer token, so
 * no browser session) from this process; each time includes reading the whole body. First the first
 * {@code GET /} after start (cold: JIT, block cache), then per screen the first request, {@code
 * requests} warm requests of the page alternating with its JSON route (the baseline: what the page
 * reads, with the same parameters), at most {@value #ROUTE_SECONDS} s per screen, and the ratio of
 * their p50 and p99. The profile page counts followers with {@code LogQueries.followers}, which
 * reads every held header: timed on its own too. Then the weight of the home screen: the HTML of
 * {@code GET /} (30 entries), /static/app.css and /static/app.js as served, and what gzip (level 6)
 * makes of them; the server itself does not compress.
 *
 * <p>Usage: {@code java -cp benchmarks/target/benchmarks.jar
 * org.grapevine.benchmarks.WebHomeHarness [identities=2000] [postsEach=500] [followed=200]
 * [requests=200]}; {@code -Dweb.dir=PATH} keeps the data directory there and reuses it in later
 * runs.
 */
public final class WebHomeHarness {
  private static final int FANS = 40;
  private static final int ROUTE_SECONDS = 60;
  private static final String TOKEN = "bench-token";

  public static void main(String[] args) throws Exception {
    int identities = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
    int postsEach = args.length > 1 ? Integer.parseInt(args[1]) : 500;
    int followedCount = Math.min(identities, args.length > 2 ? Integer.parseInt(args[2]) : 200);
    int requests = args.length > 3 ? Integer.parseInt(args[3]) : 200;
    System.out.printf(
        Locale.ROOT,
        "%d identities x %d posts, %d followed; %s%n",
        identities,
        postsEach,
        followedCount,
        NodeBench.machine());
    List<Identity> followed = new ArrayList<>();
    for (int i : NodeBench.followedIndexes(identities, followedCount)) {
      followed.add(TestAuthors.person("timeline-" + i).identity);
    }
    TestAuthors.Person own = TestAuthors.person("web-own");
    String keep = System.getProperty("web.dir");
    Path dir = keep != null ? Path.of(keep) : Files.createTempDirectory("grapevine-web");
    Path built = dir.resolve("built");
    MultiThreadIoEventLoopGroup group =
        new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    try {
      if (Files.exists(built)) {
        System.out.println("reusing the data directory " + dir);
      } else {
        long t = System.nanoTime();
        try (RocksPostStore store =
            RocksPostStore.open(dir.resolve("store"), StoreConfig.DEFAULT)) {
          long newest = NodeBench.loadPosts(store, "timeline", identities, postsEach, (i, e) -> {});
          ownAndFans(store, own, followed, newest);
        }
        Files.writeString(built, "");
        System.out.printf(
            Locale.ROOT,
            "built: %,d entries in %.0f s%n",
            (long) identities * (postsEach + 1) + followedCount + 1 + 3L * FANS,
            (System.nanoTime() - t) / 1e9);
      }
      long t = System.nanoTime();
      Node node = NodeBench.start(dir, own, group);
      System.out.printf(
          Locale.ROOT,
          "node started in %.1f s (search index: %s)%n",
          (System.nanoTime() - t) / 1e9,
          node.search().map(s -> s.documents() + " documents").orElse("off"));
      try (node;
          ApiServer api = ApiServer.start(node, 0, TOKEN, group, NodeConfig.loopback(), null)) {
        Client c = new Client(api.url());
        double cold = c.time("/") / 1e6;
        String person = followed.get(0).toString();
        String[][] screens = {
          {"/", "/v1/timeline?limit=30"},
          {"/notifications", "/v1/notifications?limit=30"},
          {"/search?q=garden", "/v1/search?q=garden&limit=30"},
          {"/people/" + person, "/v1/identities/" + person + "/posts?limit=30"},
        };
        System.out.printf(Locale.ROOT, "first GET / after start (cold): %.1f ms%n", cold);
        System.out.printf(
            Locale.ROOT,
            "%-22s %8s %8s %9s %21s %21s %15s%n",
            "screen",
            "articles",
            "writers",
            "first ms",
            "page p50 / p99 ms",
            "JSON p50 / p99 ms",
            "page/JSON p50, p99");
        for (String[] s : screens) {
          long f0 = System.nanoTime();
          String body = new String(c.get(s[0]).body(), StandardCharsets.UTF_8);
          double first = (System.nanoTime() - f0) / 1e6;
          // Writers the JSON names: each costs the page one LogQueries.latestProfile.
          long writers =
              java.util.regex.Pattern.compile("\"author\":\"([0-9a-f]+)\"")
                  .matcher(new String(c.get(s[1]).body(), StandardCharsets.UTF_8))
                  .results()
                  .map(m -> m.group(1))
                  .distinct()
                  .count();
          Histogram page = NodeBench.histogram();
          Histogram json = NodeBench.histogram();
          long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(ROUTE_SECONDS);
          for (int i = 0; i < 5; i++) { // warm-up: not kept
            c.time(s[0]);
            c.time(s[1]);
          }
          for (int i = 0; i < requests && (i < 3 || System.nanoTime() < end); i++) {
            page.recordValue(c.time(s[0]));
            json.recordValue(c.time(s[1]));
          }
          System.out.printf(
              Locale.ROOT,
              "%-22s %8d %8d %9.1f %9.2f / %9.2f %9.2f / %9.2f %7.1fx, %5.1fx (n=%d)%n",
              s[0].length() > 22 ? s[0].substring(0, 19) + "..." : s[0],
              body.split("<article", -1).length - 1,
              writers,
              first,
              page.getValueAtPercentile(50) / 1e6,
              page.getValueAtPercentile(99) / 1e6,
              json.getValueAtPercentile(50) / 1e6,
              json.getValueAtPercentile(99) / 1e6,
              (double) page.getValueAtPercentile(50) / json.getValueAtPercentile(50),
              (double) page.getValueAtPercentile(99) / json.getValueAtPercentile(99),
              page.getTotalCount());
        }
        System.out.println("in-process parts of the pages (the store the node has open):");
        RocksPostStore store = node.store();
        part(
            "store.timeline(follows, first page, 30)",
            50,
            () -> store.timeline(store.follows(), TimelineCursor.before(Long.MAX_VALUE), 30));
        part(
            "LogQueries.latestProfile(an author, none held)",
            50,
            () -> LogQueries.latestProfile(store, followed.get(0)));
        SearchQuery garden = SearchQuery.parse("garden");
        part(
            "SearchIndex.search(garden, 30)",
            50,
            () -> node.search().orElseThrow().search(garden, 30, Set.of()));
        part(
            "LogQueries.followers(a followed identity)",
            3,
            () -> LogQueries.followers(store, followed.get(0)));
        weight(c);
      }
      System.out.println(NodeBench.loadAverage());
    } finally {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
      if (keep == null) {
        NodeBench.deleteTree(dir);
      }
    }
  }

  /** p50 / p99 of {@code n} calls in this thread, after {@code n / 5} warm-up calls. */
  private static void part(String name, int n, java.util.concurrent.Callable<?> call)
      throws Exception {
    for (int i = 0; i < n / 5; i++) {
      call.call();
    }
    Histogram h = NodeBench.histogram();
    for (int i = 0; i < n; i++) {
      long t = System.nanoTime();
      call.call();
      h.recordValue(System.nanoTime() - t);
    }
    System.out.printf(Locale.ROOT, "  %-48s %s%n", name, NodeBench.latencies(h));
  }

  /**
   * The own identity's root log (delegating the node's device) and its follows; then {@value #FANS}
   * fans, each a delegation, a follow of the own identity and a post mentioning it, just after
   * {@code newest}.
   */
  private static void ownAndFans(
      RocksPostStore store, TestAuthors.Person own, List<Identity> followed, long newest) {
    long t = newest;
    SigningKey device = own.deviceKey("node");
    store.apply(own.delegate(device, ++t));
    LogWriter log = own.deviceLog(device);
    for (Identity who : followed) {
      store.apply(log.append(follow(who), ++t));
      store.follow(who);
    }
    ByteString me = ByteString.copyFrom(own.identity.root().unsafeBytes());
    for (int i = 0; i < FANS; i++) {
      TestAuthors.Person fan = TestAuthors.person("web-fan-" + i);
      SigningKey phone = fan.deviceKey("phone");
      store.apply(fan.delegate(phone, ++t));
      LogWriter fanLog = fan.deviceLog(phone);
      store.apply(fanLog.append(follow(own.identity), ++t));
      Post mention =
          Post.newBuilder().setText("hello garden friends, fan " + i).addMentions(me).build();
      store.apply(fanLog.append(Content.newBuilder().setPost(mention).build(), ++t));
    }
  }

  private static Content follow(Identity who) {
    return Content.newBuilder()
        .setFollow(Follow.newBuilder().setIdentity(ByteString.copyFrom(who.root().unsafeBytes())))
        .build();
  }

  /** Bytes of the home screen as served, and gzipped. */
  private static void weight(Client c) throws Exception {
    long raw = 0;
    long zipped = 0;
    System.out.printf(Locale.ROOT, "%-16s %9s %9s  %s%n", "home screen", "bytes", "gzip -6", "");
    for (String path : List.of("/", "/static/app.css", "/static/app.js")) {
      HttpResponse<byte[]> r = c.get(path);
      int gz = gzip(r.body());
      raw += r.body().length;
      zipped += gz;
      System.out.printf(
          Locale.ROOT,
          "%-16s %,9d %,9d  Content-Encoding: %s%n",
          path,
          r.body().length,
          gz,
          r.headers().firstValue("content-encoding").orElse("(none)"));
    }
    System.out.printf(Locale.ROOT, "%-16s %,9d %,9d%n", "total", raw, zipped);
  }

  private static int gzip(byte[] body) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream z = new GZIPOutputStream(out)) {
      z.write(body);
    }
    return out.size();
  }

  /** One HTTP/1.1 client with the bearer token; a request that is not 200 fails the run. */
  private record Client(HttpClient http, String base) {
    Client(String base) {
      this(HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build(), base);
    }

    HttpResponse<byte[]> get(String path) throws Exception {
      HttpRequest req =
          HttpRequest.newBuilder(URI.create(base + path))
              .header("Authorization", "Bearer " + TOKEN)
              .build();
      HttpResponse<byte[]> r = http.send(req, HttpResponse.BodyHandlers.ofByteArray());
      if (r.statusCode() != 200) {
        throw new IllegalStateException(
            "GET "
                + path
                + " answered "
                + r.statusCode()
                + ": "
                + new String(r.body(), StandardCharsets.UTF_8));
      }
      return r;
    }

    /** Nanoseconds of one GET, the whole body read. */
    long time(String path) throws Exception {
      long t = System.nanoTime();
      get(path);
      return System.nanoTime() - t;
    }
  }
}
