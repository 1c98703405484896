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
import java.util.function.Predicate;
import org.grapevine.libp2p.testing.NetNamespaces;
import org.junit.jupiter.api.Assumptions;

/**
 * Real {@code ./grapevine} processes in network namespaces, as a person starts them from the
 * repository root ({@code ip netns exec NS ./grapevine ARGS}): long-running ones ({@link Proc},
 * stdout read line by line as it comes) and short commands ({@link #ok}, {@link #command}). Each
 * node {@code who} has the data dir {@code tmp/who}. For {@link DhtNetnsIT}, {@link
 * NatQuickStartNetnsIT} and {@link QuickStartIT}.
 *
 * <p>Call order: construct in the test's set-up, start processes, then {@link #close} in its
 * tear-down, also after a failure: it stops every process still running.
 */
final class NetnsCli {
  static final ObjectMapper JSON = new ObjectMapper();

  /** How long {@link Proc#awaitLine} waits. */
  static final int DEADLINE_SECONDS = 60;

  private final Path tmp;
  private final Path root;
  private final String safetyStopSeconds;
  private final List<Process> children = new CopyOnWriteArrayList<>();
  private final AtomicInteger seq = new AtomicInteger();
  private final List<Path> stderrFiles = new CopyOnWriteArrayList<>();
  private String nodeLog;

  /**
   * Processes whose files go to {@code tmp}; a node stops by itself after {@code
   * safetyStopSeconds}, should the test fail to stop it. Checks that {@code package} built the jar
   * the launcher starts.
   */
  NetnsCli(Path tmp, String safetyStopSeconds) {
    this.tmp = tmp;
    this.safetyStopSeconds = safetyStopSeconds;
    this.root = Path.of("").toAbsolutePath().getParent(); // Failsafe runs in cli/.
    assertThat(root.resolve("cli/target/grapevine.jar"))
        .as("the jar that `package` builds before the integration tests")
        .exists();
  }

  /**
   * Returns when network namespaces can be made here (tried with a throw-away one named {@code
   * probe}) and each of {@code commands} runs ({@code CMD --version}); otherwise skips the test, or
   * fails it with {@code CI=true}, saying that {@code test} {@code needs}.
   */
  static void requireNamespaces(String probe, String test, String needs, String... commands)
      throws InterruptedException {
    String why = NetNamespaces.unavailable(probe);
    for (String c : commands) {
      if (why == null) {
        try {
          why = NetNamespaces.run(List.of(c, "--version")) == 0 ? null : c + " --version failed";
        } catch (IOException e) {
          why = "no `" + c + "` command (" + e.getMessage() + ")";
        }
      }
    }
    if (why == null) {
      return;
    }
    if ("true".equalsIgnoreCase(System.getenv("CI"))) {
      fail(test + " cannot run on CI: " + why + " (it needs " + needs + ")");
    }
    Assumptions.abort("skipping " + test + ": " + why + " (needs " + needs + "; CI=true fails)");
  }

  record Result(int exit, String out, String err) {}

  record Line(String text, long nanos) {}

  /** A long-running process in a namespace, its stdout collected line by line as it comes. */
  static final class Proc {
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
              "netns-" + who);
      reader.setDaemon(true);
      reader.start();
    }

    /** Whether a line so far starts with {@code prefix}. */
    boolean has(String prefix) {
      return lines.stream().anyMatch(l -> l.text.startsWith(prefix));
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

  /**
   * Nodes started from now on log at {@code level} ({@code GRAPEVINE_LOG}) to their stderr file
   * ({@link Proc#stderr}); by default they log warnings only.
   */
  void logNodes(String level) {
    nodeLog = level;
  }

  /** The stderr files of every process started so far. */
  List<Path> stderrFiles() {
    return List.copyOf(stderrFiles);
  }

  Path dir(String who) {
    return tmp.resolve(who);
  }

  /** {@code grapevine run} of node {@code who}: no mDNS, its own data dir, then {@code flags}. */
  Proc run(String ns, String who, String... flags) throws IOException {
    List<String> args =
        new ArrayList<>(
            List.of(
                "run",
                "--data-dir",
                dir(who).toString(),
                "--no-mdns",
                "--stop-after",
                safetyStopSeconds));
    args.addAll(List.of(flags));
    return proc(ns, who, args.toArray(String[]::new));
  }

  Proc proc(String ns, String who, String... args) throws IOException {
    Path err = tmp.resolve(who.replace(' ', '-') + "-" + seq.incrementAndGet() + ".err");
    stderrFiles.add(err);
    Process p = grapevine(ns, List.of(args)).redirectError(err.toFile()).start();
    children.add(p);
    p.getOutputStream().close();
    return new Proc(who, p, err);
  }

  JsonNode json(String ns, String who, String... args) throws Exception {
    return JSON.readTree(ok(ns, who, args));
  }

  /** A command of node {@code who}'s data dir: must exit 0; returns its stdout. */
  String ok(String ns, String who, String... args) throws Exception {
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
  Proc watchTimeline(String ns, String who) throws Exception {
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

  /** The peer IDs node {@code who} is connected to ({@code peers --json}). */
  List<String> connected(String ns, String who) throws Exception {
    List<String> out = new ArrayList<>();
    json(ns, who, "peers", "--json")
        .path("connected")
        .forEach(p -> out.add(p.path("peer_id").asText()));
    return out;
  }

  /**
   * Polls {@code p2p dht providers} from namespace {@code ns}, asking the DHT server at {@code
   * boot}, until it names {@code peer}; returns that provider ({@code peer_id}, {@code addrs}).
   */
  JsonNode awaitProvider(String ns, String identity, String boot, String peer) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(DEADLINE_SECONDS);
    String last = "";
    while (System.nanoTime() < deadline) {
      Result r = command(ns, "p2p", "dht", "providers", identity, "--peer", boot, "--json");
      last = r.out + r.err;
      if (r.exit == 0) {
        for (JsonNode p : JSON.readTree(r.out).path("providers")) {
          if (p.path("peer_id").asText().equals(peer)) {
            return p;
          }
        }
      }
      Thread.sleep(300);
    }
    throw new AssertionError(
        "the DHT did not name " + peer + " a provider of " + identity + "; last answer: " + last);
  }

  /**
   * Polls {@code grapevine ARGS} (a command printing JSON) in namespace {@code ns} until its answer
   * satisfies {@code until}; returns that answer. Fails after {@link #DEADLINE_SECONDS} with the
   * last answer and {@code what} it waited for.
   */
  JsonNode awaitJson(String ns, String what, Predicate<JsonNode> until, String... args)
      throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(DEADLINE_SECONDS);
    String last = "";
    while (System.nanoTime() < deadline) {
      Result r = command(ns, args);
      last = r.out + r.err;
      if (r.exit == 0) {
        JsonNode j = JSON.readTree(r.out);
        if (until.test(j)) {
          return j;
        }
      }
      Thread.sleep(300);
    }
    throw new AssertionError("waited " + DEADLINE_SECONDS + " s for " + what + "; last: " + last);
  }

  /** {@code grapevine ARGS} in namespace {@code ns}, to its end (at most 90 s). */
  Result command(String ns, String... args) throws Exception {
    int n = seq.incrementAndGet();
    Path out = tmp.resolve("cmd-" + n + ".out");
    Path err = tmp.resolve("cmd-" + n + ".err");
    stderrFiles.add(err);
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
    if (nodeLog != null && args.get(0).equals("run")) {
      env.put("GRAPEVINE_LOG", nodeLog);
    }
    env.put(
        "PATH",
        Path.of(System.getProperty("java.home"), "bin")
            + java.io.File.pathSeparator
            + env.getOrDefault("PATH", ""));
    return pb;
  }

  /** Stops every process still running. */
  void close() throws InterruptedException {
    for (Process p : children) {
      stop(p);
    }
  }

  /** SIGTERM (a clean stop), then after 20 s SIGKILL to it and its children. */
  static void stop(Process p) throws InterruptedException {
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
