package org.grapevine.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.grapevine.libp2p.testing.NetNamespaces;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13's scenario with real {@code ./grapevine} processes on four networks joined by a router
 * ({@link RoutedNetwork}), no mDNS: what {@code RendezvousIT} shows in one JVM, here as people run
 * it. A is on 203.0.113.0/24 (public by the node's rule), so {@code [dht] mode = auto} makes it a
 * DHT server by itself; B, C and D are each on a private 10.213.x.0/24 (auto: client) and know only
 * A ({@code --bootstrap}). C follows B, whom it never met: the DHT leads C to B, and C gets B's
 * history, then B's live post. B stops; D follows B and gets all three from C, which announced B's
 * topic. Prints the time from {@code follow} to the first post for C (author never met) and D
 * (author offline); asserts no time.
 *
 * <p>Needs root and iproute2; without them the test is skipped, except with {@code CI=true}, where
 * it fails. Every process and namespace is removed at the end, also after a failure.
 */
@Timeout(300)
class DhtNetnsIT {
  private static final int A_PORT = 4001;
  private static final String SAFETY_STOP_SECONDS = "280";
  private static final int DEADLINE_SECONDS = 60;
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;

  private final String router =
      "gvr"
          + (ProcessHandle.current().pid() % 100_000)
          + Long.toString(System.nanoTime() % 1000, 36);
  private final List<Process> children = new CopyOnWriteArrayList<>();
  private final AtomicInteger seq = new AtomicInteger();
  private RoutedNetwork net;
  private Path root;

  @BeforeEach
  void networks() throws Exception {
    String why = NetNamespaces.unavailable(router + "p");
    if (why != null) {
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        fail("the DHT netns test cannot run on CI: " + why);
      }
      Assumptions.abort(
          "skipping the DHT netns test: " + why + " (needs root and iproute2; CI=true fails)");
    }
    root = Path.of("").toAbsolutePath().getParent(); // Failsafe runs in cli/.
    assertThat(root.resolve("cli/target/grapevine.jar"))
        .as("the jar that `package` builds before the integration tests")
        .exists();
    net = new RoutedNetwork(router);
  }

  @AfterEach
  void cleanUp() throws Exception {
    for (Process p : children) {
      stop(p);
    }
    if (net != null) {
      net.close();
    }
  }

  @Test
  void followANeverMetIdentityAcrossRoutedNetworks_thenGetItFromAnotherFollowerWhenItIsGone()
      throws Exception {
    String nsA = net.network("a", "203.0.113");
    String nsB = net.network("b", "10.213.2");
    String nsC = net.network("c", "10.213.3");
    String nsD = net.network("d", "10.213.4");

    Proc a = run(nsA, "a", "--port", Integer.toString(A_PORT));
    String aPeer = a.peerId();
    String boot = "/ip4/203.0.113.2/tcp/" + A_PORT + "/p2p/" + aPeer;
    a.awaitLine("listening: " + boot);
    Proc b = run(nsB, "b", "--bootstrap", boot);
    Proc c = run(nsC, "c", "--bootstrap", boot);
    String bobId = b.identity();
    String bPeer = b.peerId();
    String cPeer = c.peerId();
    b.awaitLine("api:");
    c.awaitLine("api:");

    ok(nsB, "b", "post", "bob's first");
    ok(nsB, "b", "post", "bob's second");
    // B (a client: it serves nothing) announced its own topic to A, the only DHT server.
    awaitProvider(nsC, bobId, boot, bPeer);
    assertThat(connected(nsC, "c")).as("c never dialled b").doesNotContain(bPeer);

    Proc cTimeline = watchTimeline(nsC, "c");
    long cFollowed = System.nanoTime();
    ok(nsC, "c", "follow", bobId);
    long cFirst = cTimeline.awaitLine("", "bob's first").nanos() - cFollowed;
    cTimeline.awaitLine("", "bob's second");
    assertThat(connected(nsC, "c")).as("c found b through the DHT").contains(bPeer);

    ok(nsB, "b", "post", "bob's third, live");
    cTimeline.awaitLine("", "bob's third, live");

    JsonNode statusA = json(nsA, "a", "status", "--json");
    assertThat(statusA.path("dht").path("mode").asText())
        .as("a on 203.0.113.2 (public) runs the DHT as a server in auto mode: %s", statusA)
        .isEqualTo("server");
    JsonNode statusC = json(nsC, "c", "status", "--json");
    assertThat(statusC.path("dht").path("mode").asText())
        .as("c on 10.213.3.2 (private) runs the DHT as a client in auto mode: %s", statusC)
        .isEqualTo("client");
    JsonNode topic = null;
    for (JsonNode t : statusC.path("dht").path("topics")) {
      if (t.path("identity").asText().equals(bobId)) {
        topic = t;
      }
    }
    assertThat(topic).as("c's dht.topics has bob: %s", statusC).isNotNull();
    assertThat(topic.path("topic_peers").asInt())
        .as("c keeps a topic peer of bob found in the DHT: %s", statusC)
        .isGreaterThanOrEqualTo(1);
    assertThat(topic.path("connected").asInt())
        .as("c is connected to a subscriber of bob's topic: %s", statusC)
        .isGreaterThanOrEqualTo(1);

    // C announces the topics it follows (announce_follows): A now names C for bob too.
    awaitProvider(nsB, bobId, boot, cPeer);
    stop(b.process);
    assertThat(dir("b").resolve("api.endpoint")).as("b stopped cleanly").doesNotExist();

    Proc d = run(nsD, "d", "--bootstrap", boot);
    d.awaitLine("api:");
    Proc dTimeline = watchTimeline(nsD, "d");
    long dFollowed = System.nanoTime();
    ok(nsD, "d", "follow", bobId);
    long dFirst = dTimeline.awaitLine("", "bob's first").nanos() - dFollowed;
    dTimeline.awaitLine("", "bob's third, live");
    assertThat(connected(nsD, "d")).as("d found c through the DHT").contains(cPeer);
    List<String> texts = new ArrayList<>();
    for (JsonNode e : json(nsD, "d", "timeline", "--json").path("entries")) {
      if (e.path("identity").asText().equals(bobId)) {
        texts.add(0, e.path("content").path("text").asText());
      }
    }
    assertThat(texts).containsExactly("bob's first", "bob's second", "bob's third, live");

    System.out.printf(
        "DhtNetnsIT: follow to the first post: c (author never met) %.0f ms, d (author offline)"
            + " %.0f ms (each includes a `grapevine follow` process start)%n",
        cFirst / 1e6, dFirst / 1e6);
  }

  /** Polls {@code p2p dht providers} from namespace {@code ns} until A names {@code peer}. */
  private void awaitProvider(String ns, String identity, String boot, String peer)
      throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(DEADLINE_SECONDS);
    String last = "";
    while (System.nanoTime() < deadline) {
      Result r = command(ns, "p2p", "dht", "providers", identity, "--peer", boot, "--json");
      last = r.out + r.err;
      if (r.exit == 0) {
        for (JsonNode p : JSON.readTree(r.out).path("providers")) {
          if (p.path("peer_id").asText().equals(peer)) {
            return;
          }
        }
      }
      Thread.sleep(300);
    }
    throw new AssertionError(
        "the DHT did not name " + peer + " a provider of " + identity + "; last answer: " + last);
  }

  private List<String> connected(String ns, String who) throws Exception {
    List<String> out = new ArrayList<>();
    json(ns, who, "peers", "--json")
        .path("connected")
        .forEach(p -> out.add(p.path("peer_id").asText()));
    return out;
  }

  // --- Processes --------------------------------------------------------------------------------

  private record Result(int exit, String out, String err) {}

  private record Line(String text, long nanos) {}

  /** A long-running process in a namespace, its stdout collected line by line as it comes. */
  private static final class Proc {
    final String who;
    final Process process;
    final Path stderr;
    final List<Line> lines = new CopyOnWriteArrayList<>();

    Proc(String who, Process process, Path stderr) {
      this.who = who;
      this.process = process;
      this.stderr = stderr;
      Thread reader =
          new Thread(
              () -> {
                try (BufferedReader r =
                    new BufferedReader(
                        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                  for (String l = r.readLine(); l != null; l = r.readLine()) {
                    lines.add(new Line(l, System.nanoTime()));
                  }
                } catch (IOException ignored) {
                  // The process is gone.
                }
              },
              "dht-netns-" + who);
      reader.setDaemon(true);
      reader.start();
    }

    Line awaitLine(String prefix) throws Exception {
      return awaitLine(prefix, "");
    }

    /** The first line that starts with {@code prefix} and contains {@code part}. */
    Line awaitLine(String prefix, String part) throws Exception {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(DEADLINE_SECONDS);
      boolean last = false;
      while (true) {
        for (Line l : lines) {
          if (l.text.startsWith(prefix) && l.text.contains(part)) {
            return l;
          }
        }
        if (last) {
          break;
        }
        last = System.nanoTime() > deadline || !process.isAlive();
        Thread.sleep(last ? 200 : 50); // Let the reader take the last lines.
      }
      throw new AssertionError(
          who
              + " printed no line starting with \""
              + prefix
              + "\" and containing \""
              + part
              + "\" in "
              + DEADLINE_SECONDS
              + " s"
              + (process.isAlive() ? "" : " (it exited with " + process.exitValue() + ")")
              + "; stdout: "
              + lines.stream().map(Line::text).toList()
              + "; stderr: "
              + Files.readString(stderr));
    }

    String identity() throws Exception {
      return awaitLine("identity:").text.substring("identity:".length()).strip();
    }

    String peerId() throws Exception {
      String listening = awaitLine("listening:").text;
      return listening.substring(listening.lastIndexOf("/p2p/") + "/p2p/".length()).strip();
    }
  }

  private Path dir(String who) {
    return tmp.resolve(who);
  }

  /** {@code grapevine run} of node {@code who}: no mDNS, its own data dir, API on port 7320. */
  private Proc run(String ns, String who, String... flags) throws IOException {
    List<String> args =
        new ArrayList<>(
            List.of(
                "run",
                "--data-dir",
                dir(who).toString(),
                "--no-mdns",
                "--stop-after",
                SAFETY_STOP_SECONDS));
    args.addAll(List.of(flags));
    return proc(ns, who, args.toArray(String[]::new));
  }

  private Proc proc(String ns, String who, String... args) throws IOException {
    Path err = tmp.resolve(who + "-" + seq.incrementAndGet() + ".err");
    Process p = grapevine(ns, List.of(args)).redirectError(err.toFile()).start();
    children.add(p);
    p.getOutputStream().close();
    return new Proc(who, p, err);
  }

  private JsonNode json(String ns, String who, String... args) throws Exception {
    return JSON.readTree(ok(ns, who, args));
  }

  /** A command of node {@code who}'s data dir: must exit 0; returns its stdout. */
  private String ok(String ns, String who, String... args) throws Exception {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of("--data-dir", dir(who).toString()));
    Result r = command(ns, all.toArray(String[]::new));
    assertThat(r.exit).as("%s: grapevine %s: %s %s", who, all, r.out, r.err).isZero();
    return r.out;
  }

  /**
   * {@code timeline --follow --json} of node {@code who}, once it shows the node's own post: the
   * live stream is open (the command opens it before it reads the page), so what arrives later is
   * timed as it arrives.
   */
  private Proc watchTimeline(String ns, String who) throws Exception {
    ok(ns, who, "post", who + " is here");
    Proc p =
        proc(
            ns,
            who + "-timeline",
            "timeline",
            "--follow",
            "--json",
            "--data-dir",
            dir(who).toString());
    p.awaitLine("", who + " is here");
    return p;
  }

  private Result command(String ns, String... args) throws Exception {
    int n = seq.incrementAndGet();
    Path out = tmp.resolve("cmd-" + n + ".out");
    Path err = tmp.resolve("cmd-" + n + ".err");
    Process p =
        grapevine(ns, List.of(args))
            .redirectOutput(out.toFile())
            .redirectError(err.toFile())
            .start();
    children.add(p);
    p.getOutputStream().close();
    if (!p.waitFor(90, TimeUnit.SECONDS)) {
      stop(p);
      throw new AssertionError(
          "grapevine "
              + String.join(" ", args)
              + " did not exit in 90 s: "
              + Files.readString(err));
    }
    children.remove(p);
    return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
  }

  /** {@code ip netns exec NS ./grapevine ARGS} from the repository root. */
  private ProcessBuilder grapevine(String ns, List<String> args) {
    List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", ns, "./grapevine"));
    cmd.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(root.toFile());
    Map<String, String> env = pb.environment();
    for (String v : List.of("GRAPEVINE_REBUILD", "GRAPEVINE_DATA_DIR", "GRAPEVINE_LOG")) {
      env.remove(v);
    }
    // Short-lived commands start faster without the optimising compiler; nodes run as usual.
    env.put("GRAPEVINE_JAVA_OPTS", args.get(0).equals("run") ? "" : "-XX:TieredStopAtLevel=1");
    env.put(
        "PATH",
        Path.of(System.getProperty("java.home"), "bin")
            + java.io.File.pathSeparator
            + env.getOrDefault("PATH", ""));
    return pb;
  }

  private static void stop(Process p) throws InterruptedException {
    if (!p.isAlive()) {
      return;
    }
    p.destroy();
    if (!p.waitFor(20, TimeUnit.SECONDS)) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }
}
