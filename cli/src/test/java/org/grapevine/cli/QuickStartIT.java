package org.grapevine.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.grapevine.libp2p.testing.NetNamespaces;
import org.junit.jupiter.api.AfterEach;
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
  private NetnsCli cli;
  private boolean created;
  private Path root;
  private Path jar;

  @BeforeEach
  void namespace() throws Exception {
    NetnsCli.requireNamespaces(ns + "p", "the quick-start test", "root and iproute2");
    created = true;
    NetNamespaces.ip("netns", "add", ns);
    NetNamespaces.ip("-n", ns, "link", "set", "lo", "up");
    NetNamespaces.ip("-n", ns, "link", "set", "lo", "multicast", "on");
    NetNamespaces.ip("-n", ns, "route", "add", "224.0.0.0/4", "dev", "lo");

    root = Path.of("").toAbsolutePath().getParent(); // Failsafe runs in cli/.
    jar = root.resolve("cli/target/grapevine.jar");
    assertThat(root.resolve("grapevine")).as("the launcher at the repository root").isExecutable();
    cli = new NetnsCli(tmp, SAFETY_STOP_SECONDS);
  }

  @AfterEach
  void cleanUp() throws Exception {
    try {
      if (cli != null) {
        cli.close();
      }
    } finally {
      if (created) {
        NetNamespaces.run(List.of("ip", "netns", "del", ns));
      }
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
    NetnsCli.Proc aliceNode = run("alice", alice, ALICE_API);
    NetnsCli.Proc bobNode = run("bob", bob, BOB_API);
    String alicePeer = aliceNode.peerId();
    String bobPeer = bobNode.peerId();
    assertThat(aliceNode.awaitLine("api:").text()).contains("http://127.0.0.1:" + ALICE_API);
    assertThat(bobNode.awaitLine("api:").text()).contains("http://127.0.0.1:" + BOB_API);

    // They find each other by mDNS and connect. Whoever hears the other first dials; the other
    // may then learn of it by that connection first, so one "discovered" line is all there must be.
    aliceNode.awaitLine("connected: ", bobPeer);
    bobNode.awaitLine("connected: ", alicePeer);
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
    NetnsCli.Proc aliceAgain = run("alice again", alice, ALICE_API);
    assertThat(aliceAgain.awaitLine("following:").text()).contains("following: 1 identity");
    awaitTimeline(alice, bobId, List.of("hello", "are you there?"));
    String timeline = ok("timeline", "--data-dir", alice);
    assertThat(timeline.indexOf("  hello\n"))
        .as(timeline)
        .isGreaterThanOrEqualTo(0)
        .isLessThan(timeline.indexOf("  are you there?\n"));

    // The launcher started the jar `package` built; it did not build again.
    assertThat(Files.getLastModifiedTime(jar).toMillis()).isEqualTo(jarModified);
    assertThat(Files.size(jar)).isEqualTo(jarSize);
    for (Path f : cli.stderrFiles()) {
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
      NetnsCli.Result r = cli.command(ns, "timeline", "--json", "--data-dir", dataDir);
      if (r.exit() == 0) {
        List<String> got = new ArrayList<>();
        for (JsonNode e : JSON.readTree(r.out()).path("entries")) {
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

  /** {@code ./grapevine run} as the README types it, plus the safety stop and no bootstrap. */
  private NetnsCli.Proc run(String who, String dataDir, int apiPort) throws IOException {
    return cli.proc(
        ns,
        who,
        "run",
        "--data-dir",
        dataDir,
        "--api-port",
        Integer.toString(apiPort),
        "--stop-after",
        SAFETY_STOP_SECONDS,
        // CI has no internet: the public bootstrap peer is left out (no DNS lookup).
        "--no-bootstrap");
  }

  /** A short-lived command: must exit 0; returns its stdout. */
  private String ok(String... args) throws Exception {
    NetnsCli.Result r = cli.command(ns, args);
    assertThat(r.exit())
        .as(
            "./grapevine %s exited with %d; stdout: %s; stderr: %s",
            String.join(" ", args), r.exit(), r.out(), r.err())
        .isZero();
    return r.out();
  }
}
