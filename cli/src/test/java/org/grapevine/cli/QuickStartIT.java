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
 * The README's quick start, step by step, through the real {@code ./grapevine} launcher against
 * real node processes: Alice and Bob each {@code init} and {@code run} a node, the nodes find each
 * other by mDNS (no {@code --bootstrap}), Alice follows Bob, Bob posts, Alice's timeline shows it;
 * Alice stops, Bob posts again, Alice starts again and her timeline shows the new post too.
 *
 * <p>mDNS multicast must not leave this machine, so everything runs in a network namespace this
 * test creates with only a loopback interface that has multicast switched on; the nodes' mDNS runs
 * there (the driver falls back to a multicast-capable loopback when no other interface exists). The
 * namespace also isolates the ports, so the README's API ports are used as written. Needs root and
 * iproute2; without them the test is skipped, except with {@code CI=true}, where it fails.
 *
 * <p>The launcher must start the jar that {@code package} built, not build it again: the test
 * checks that the jar is there before and unchanged after, and that no command said it was
 * building.
 */
@Timeout(420)
class QuickStartIT {
  /** The README's API ports. */
  private static final int ALICE_API = 7321;

  private static final int BOB_API = 7322;

  /** A node stops by itself after this, should the test fail to stop it. */
  private static final String SAFETY_STOP_SECONDS = "400";

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;

  private final String ns =
      "gvq"
          + (ProcessHandle.current().pid() % 100_000)
          + Long.toString(System.nanoTime() % 1000, 36);
  private final List<Process> children = new ArrayList<>();
  private final AtomicInteger seq = new AtomicInteger();
  private final List<Path> stderrFiles = new ArrayList<>();
  private boolean created;
  private Path root;
  private Path jar;

  @BeforeEach
  void namespace() throws Exception {
    String why = NetNamespaces.unavailable(ns + "p");
    if (why != null) {
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        fail("the quick-start test cannot run on CI: " + why);
      }
      Assumptions.abort(
          "skipping the quick-start test: "
              + why
              + " (needs root and iproute2; CI=true makes this a failure)");
    }
    created = true;
    NetNamespaces.ip("netns", "add", ns);
    NetNamespaces.ip("-n", ns, "link", "set", "lo", "up");
    NetNamespaces.ip("-n", ns, "link", "set", "lo", "multicast", "on");
    NetNamespaces.ip("-n", ns, "route", "add", "224.0.0.0/4", "dev", "lo");

    root = Path.of("").toAbsolutePath().getParent(); // Failsafe runs in cli/.
    jar = root.resolve("cli/target/grapevine.jar");
    assertThat(root.resolve("grapevine")).as("the launcher at the repository root").isExecutable();
    assertThat(jar)
        .as(
            "the jar that `package` builds before the integration tests (run them with `./mvnw verify`)")
        .exists();
  }

  @AfterEach
  void cleanUp() throws Exception {
    for (Process p : children) {
      stop(p);
    }
    if (created) {
      NetNamespaces.run(List.of("ip", "netns", "del", ns));
    }
  }

  @Test
  void quickStart_twoPeopleFindEachOtherFollowPostAndCatchUpAfterARestart() throws Exception {
    long jarModified = Files.getLastModifiedTime(jar).toMillis();
    long jarSize = Files.size(jar);
    String alice = tmp.resolve("alice").toString();
    String bob = tmp.resolve("bob").toString();

    // ./grapevine init --data-dir /tmp/alice   (and bob)
    assertThat(ok("init", "--data-dir", alice)).startsWith("identity:  gv1");
    assertThat(ok("init", "--data-dir", bob)).startsWith("identity:  gv1");

    // Terminal 1 and 2: ./grapevine run --data-dir /tmp/alice --api-port 7321   (bob: 7322)
    Node aliceNode = run("alice", alice, ALICE_API);
    Node bobNode = run("bob", bob, BOB_API);
    String alicePeer = aliceNode.peerId();
    String bobPeer = bobNode.peerId();
    assertThat(aliceNode.awaitLine("api:", 60)).contains("http://127.0.0.1:" + ALICE_API);
    assertThat(bobNode.awaitLine("api:", 60)).contains("http://127.0.0.1:" + BOB_API);

    // They find each other by mDNS and connect. Whoever hears the other first dials; the other
    // may then learn of it by that connection first, so one "discovered" line is all there must be.
    aliceNode.awaitLine("connected: ", 60, bobPeer);
    bobNode.awaitLine("connected: ", 60, alicePeer);
    assertThat(
            aliceNode.has("discovered: " + bobPeer + " via mdns")
                || bobNode.has("discovered: " + alicePeer + " via mdns"))
        .as(
            "a node says it found the other by mDNS; alice: %s; bob: %s",
            aliceNode.lines, bobNode.lines)
        .isTrue();

    // ./grapevine whoami --data-dir /tmp/bob
    String bobId = ok("whoami", "--data-dir", bob).strip();
    assertThat(bobId).startsWith("gv1").hasSize(62).isEqualTo(bobNode.identity());

    // ./grapevine follow gv1... --data-dir /tmp/alice
    assertThat(ok("follow", bobId, "--data-dir", alice)).isEqualTo("following " + bobId + "\n");

    // ./grapevine post "hello" --data-dir /tmp/bob
    assertThat(ok("post", "hello", "--data-dir", bob)).matches("posted [0-9a-f]{8}\n");

    // ./grapevine timeline --data-dir /tmp/alice
    awaitTimeline(alice, bobId, List.of("hello"));
    assertThat(ok("timeline", "--data-dir", alice))
        .containsPattern("(?m)^[0-9a-f]{8}  gv1\\S+  .*  hello$");

    // Alice stops her node (Ctrl-C: SIGTERM runs the same shutdown as SIGINT, and is not ignored
    // when the build runs in the background, as SIGINT is).
    aliceNode.process.destroy();
    assertThat(aliceNode.process.waitFor(60, TimeUnit.SECONDS)).as("alice's node stops").isTrue();
    assertThat(tmp.resolve("alice").resolve("api.endpoint"))
        .as("alice's node stopped cleanly")
        .doesNotExist();

    // ./grapevine post "are you there?" --data-dir /tmp/bob
    assertThat(ok("post", "are you there?", "--data-dir", bob)).matches("posted [0-9a-f]{8}\n");

    // Alice starts again (same command as before) and catches up.
    Node aliceAgain = run("alice again", alice, ALICE_API);
    assertThat(aliceAgain.awaitLine("following:", 60)).contains("following: 1 identity");
    awaitTimeline(alice, bobId, List.of("hello", "are you there?"));
    String timeline = ok("timeline", "--data-dir", alice);
    assertThat(timeline.indexOf("  hello\n"))
        .as(timeline)
        .isGreaterThanOrEqualTo(0)
        .isLessThan(timeline.indexOf("  are you there?\n"));

    // The launcher started the jar `package` built; it did not build again.
    assertThat(Files.getLastModifiedTime(jar).toMillis()).isEqualTo(jarModified);
    assertThat(Files.size(jar)).isEqualTo(jarSize);
    for (Path f : stderrFiles) {
      assertThat(Files.readString(f))
          .as("stderr of a command (%s)", f.getFileName())
          .doesNotContain("grapevine: building");
    }
  }

  /**
   * Polls {@code timeline --json} until it holds {@code texts} by {@code author}, oldest first as
   * the text timeline shows them ({@code --json} prints the API's page, newest first).
   */
  private void awaitTimeline(String dataDir, String author, List<String> texts) throws Exception {
    long deadline =
        System.nanoTime() + TimeUnit.SECONDS.toNanos(150); // Past the 60 s periodic sync.
    List<String> seen = List.of();
    while (System.nanoTime() < deadline) {
      Result r = command("timeline", "--json", "--data-dir", dataDir);
      if (r.exit == 0) {
        List<String> got = new ArrayList<>();
        for (JsonNode e : JSON.readTree(r.out).path("entries")) {
          if (e.path("identity").asText().equals(author)) {
            got.add(e.path("content").path("text").asText());
          }
        }
        java.util.Collections.reverse(got);
        if (got.equals(texts)) {
          return;
        }
        seen = got;
      }
      Thread.sleep(500);
    }
    throw new AssertionError(
        "alice's timeline did not show " + texts + " within 150 s; it showed " + seen);
  }

  // --- Processes --------------------------------------------------------------------------------

  private record Result(int exit, String out, String err) {}

  /** A long-running {@code ./grapevine run}, its stdout collected line by line. */
  private static final class Node {
    final String who;
    final Process process;
    final Path stderr;
    final List<String> lines = new CopyOnWriteArrayList<>();

    Node(String who, Process process, Path stderr) {
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
                    lines.add(l);
                  }
                } catch (IOException ignored) {
                  // The node is gone.
                }
              },
              "quickstart-" + who);
      reader.setDaemon(true);
      reader.start();
    }

    boolean has(String prefix) {
      return lines.stream().anyMatch(l -> l.startsWith(prefix));
    }

    String awaitLine(String prefix, int seconds) throws Exception {
      return awaitLine(prefix, seconds, "");
    }

    /** The first line that starts with {@code prefix} and contains {@code part}. */
    String awaitLine(String prefix, int seconds, String part) throws Exception {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
      while (System.nanoTime() < deadline) {
        for (String l : lines) {
          if (l.startsWith(prefix) && l.contains(part)) {
            return l;
          }
        }
        if (!process.isAlive() && process.waitFor(1, TimeUnit.SECONDS)) {
          Thread.sleep(200); // Let the reader take the last lines.
          break;
        }
        Thread.sleep(100);
      }
      for (String l : lines) {
        if (l.startsWith(prefix) && l.contains(part)) {
          return l;
        }
      }
      throw new AssertionError(
          who
              + "'s node printed no line starting with \""
              + prefix
              + "\" and containing \""
              + part
              + "\" in "
              + seconds
              + " s"
              + (process.isAlive() ? "" : " (it exited with " + process.exitValue() + ")")
              + "; stdout: "
              + lines
              + "; stderr: "
              + Files.readString(stderr));
    }

    String identity() throws Exception {
      return awaitLine("identity:", 60).substring("identity:".length()).strip();
    }

    String peerId() throws Exception {
      String listening = awaitLine("listening:", 60);
      return listening.substring(listening.lastIndexOf("/p2p/") + "/p2p/".length()).strip();
    }
  }

  private Node run(String who, String dataDir, int apiPort) throws IOException {
    Path err = tmp.resolve("run-" + seq.incrementAndGet() + ".err");
    stderrFiles.add(err);
    Process p =
        grapevine(
                List.of(
                    "run",
                    "--data-dir",
                    dataDir,
                    "--api-port",
                    Integer.toString(apiPort),
                    "--stop-after",
                    SAFETY_STOP_SECONDS,
                    // CI has no internet: the public bootstrap peer is left out (no DNS lookup).
                    "--no-bootstrap"))
            .redirectError(err.toFile())
            .start();
    children.add(p);
    p.getOutputStream().close();
    return new Node(who, p, err);
  }

  /** A short-lived command: must exit 0; returns its stdout. */
  private String ok(String... args) throws Exception {
    Result r = command(args);
    assertThat(r.exit)
        .as(
            "./grapevine %s exited with %d; stdout: %s; stderr: %s",
            String.join(" ", args), r.exit, r.out, r.err)
        .isZero();
    return r.out;
  }

  private Result command(String... args) throws Exception {
    int n = seq.incrementAndGet();
    Path out = tmp.resolve("cmd-" + n + ".out");
    Path err = tmp.resolve("cmd-" + n + ".err");
    stderrFiles.add(err);
    Process p =
        grapevine(List.of(args)).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    children.add(p);
    p.getOutputStream().close();
    if (!p.waitFor(90, TimeUnit.SECONDS)) {
      stop(p);
      throw new AssertionError(
          "./grapevine "
              + String.join(" ", args)
              + " did not exit in 90 s; stderr: "
              + Files.readString(err));
    }
    children.remove(p);
    return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
  }

  /** {@code ip netns exec NS ./grapevine ARGS} from the repository root, as a person types it. */
  private ProcessBuilder grapevine(List<String> args) {
    List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", ns, "./grapevine"));
    cmd.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(root.toFile());
    Map<String, String> env = pb.environment();
    for (String v :
        List.of(
            "GRAPEVINE_REBUILD", "GRAPEVINE_DATA_DIR", "GRAPEVINE_LOG", "GRAPEVINE_JAVA_OPTS")) {
      env.remove(v);
    }
    // The launcher runs `java` from PATH: make it the JDK running this build.
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
