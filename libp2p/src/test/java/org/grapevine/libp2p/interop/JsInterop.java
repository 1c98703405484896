package org.grapevine.libp2p.interop;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Where the js-libp2p interop peers live and whether they can run here.
 *
 * <p>Every interop test starts with {@link #assumeAvailable(JsPeer.Line)}: without Node.js (20 or
 * newer) on the PATH, or without {@code npm ci} in {@code libp2p/src/test/js/v2|v3} ({@code
 * libp2p/src/test/js/install.sh} does both), the test is skipped, not failed, so a plain {@code
 * ./mvnw verify} works on a machine without Node. CI sets {@code -Dgrapevine.interop.required=true}
 * (or the environment variable {@code GRAPEVINE_INTEROP_REQUIRED=true}) to turn those skips into
 * failures, so that a broken install cannot silently skip the interop suite.
 */
public final class JsInterop {
  /** System property (or env GRAPEVINE_INTEROP_REQUIRED): "true" fails instead of skipping. */
  public static final String REQUIRED_PROPERTY = "grapevine.interop.required";

  /** System property overriding the location of libp2p/src/test/js. */
  public static final String JS_DIR_PROPERTY = "grapevine.js.dir";

  private static final int MIN_NODE_MAJOR = 20;
  private static volatile Optional<String> nodeProblem; // empty = node usable; cached per JVM
  private static volatile String nodePath;

  private JsInterop() {}

  /**
   * Skips the calling test (or fails it, when interop is required) if the line's peer cannot run.
   */
  public static void assumeAvailable(JsPeer.Line line) {
    Optional<String> problem = unavailableReason(line);
    if (problem.isEmpty()) {
      return;
    }
    String message =
        "js-libp2p interop tests need Node.js and `npm ci` in libp2p/src/test/js/"
            + line.dir()
            + " (run libp2p/src/test/js/install.sh): "
            + problem.get();
    if (required()) {
      throw new AssertionError(message + " [" + REQUIRED_PROPERTY + "=true]");
    }
    Assumptions.assumeTrue(false, message);
  }

  /** The Helia peer's npm project under libp2p/src/test/js (README.md, "Helia"). */
  public static final String HELIA_DIR = "helia";

  /** The Helia peer's entry script: libp2p/src/test/js/helia/peer.mjs. */
  public static Path heliaScript() {
    return jsDir().resolve(HELIA_DIR).resolve("peer.mjs");
  }

  /**
   * Like {@link #assumeAvailable(JsPeer.Line)}, for the Helia peer: skips (or fails, when interop
   * is required) without Node.js or without {@code npm ci} in libp2p/src/test/js/helia.
   */
  public static void assumeHeliaAvailable() {
    Optional<String> problem = checkNode();
    if (problem.isEmpty() && !Files.isRegularFile(heliaScript())) {
      problem = Optional.of("no peer script at " + heliaScript());
    }
    Path installed = jsDir().resolve(HELIA_DIR).resolve("node_modules/helia/package.json");
    if (problem.isEmpty() && !Files.isRegularFile(installed)) {
      problem = Optional.of("no node_modules in " + jsDir().resolve(HELIA_DIR));
    }
    if (problem.isEmpty()) {
      return;
    }
    String message =
        "Helia interop tests need Node.js and `npm ci` in libp2p/src/test/js/helia"
            + " (run libp2p/src/test/js/install.sh): "
            + problem.get();
    if (required()) {
      throw new AssertionError(message + " [" + REQUIRED_PROPERTY + "=true]");
    }
    Assumptions.assumeTrue(false, message);
  }

  /** Why the peer of this line cannot run here, or empty if it can. */
  public static Optional<String> unavailableReason(JsPeer.Line line) {
    Optional<String> node = checkNode();
    if (node.isPresent()) {
      return node;
    }
    Path dir = jsDir();
    if (!Files.isRegularFile(script(line))) {
      return Optional.of("no peer script at " + script(line));
    }
    if (!Files.isRegularFile(dir.resolve(line.dir()).resolve("node_modules/libp2p/package.json"))) {
      return Optional.of("no node_modules in " + dir.resolve(line.dir()));
    }
    return Optional.empty();
  }

  /**
   * libp2p/src/test/js: the {@value #JS_DIR_PROPERTY} property, else found from the working
   * directory.
   */
  public static Path jsDir() {
    String configured = System.getProperty(JS_DIR_PROPERTY);
    if (configured != null && !configured.isBlank()) {
      return Path.of(configured).toAbsolutePath().normalize();
    }
    Path cwd = Path.of("").toAbsolutePath();
    // Surefire/Failsafe run in the module directory (libp2p, or a sibling using the test-jar); an
    // IDE may run in the repository root.
    for (Path candidate :
        new Path[] {
          cwd.resolve("src/test/js"),
          cwd.resolve("libp2p/src/test/js"),
          cwd.resolve("../libp2p/src/test/js")
        }) {
      if (Files.isDirectory(candidate)) {
        return candidate.normalize();
      }
    }
    return cwd.resolve("src/test/js").normalize();
  }

  /** The entry script of a line: libp2p/src/test/js/vN/peer.mjs. */
  public static Path script(JsPeer.Line line) {
    return jsDir().resolve(line.dir()).resolve("peer.mjs");
  }

  /** Absolute path of the {@code node} executable found on the PATH. */
  public static String node() {
    Optional<String> problem = checkNode();
    if (problem.isPresent()) {
      throw new IllegalStateException(problem.get());
    }
    return nodePath;
  }

  /**
   * Writes a pnet key file in the only form js reads ({@code /key/swarm/psk/1.0.0/}, {@code
   * /base16/}, 64 hex digits, no trailing newline; libp2p-notes §5).
   */
  public static Path writeSwarmKey(Path file, byte[] psk) throws IOException {
    if (psk.length != 32) {
      throw new IllegalArgumentException("a pnet key has 32 bytes, not " + psk.length);
    }
    String text = "/key/swarm/psk/1.0.0/\n/base16/\n" + HexFormat.of().formatHex(psk);
    return Files.writeString(file, text, StandardCharsets.US_ASCII);
  }

  static boolean required() {
    String value =
        System.getProperty(REQUIRED_PROPERTY, System.getenv("GRAPEVINE_INTEROP_REQUIRED"));
    return value != null && value.trim().equalsIgnoreCase("true");
  }

  private static synchronized Optional<String> checkNode() {
    if (nodeProblem == null) {
      nodeProblem = probeNode();
    }
    return nodeProblem;
  }

  private static Optional<String> probeNode() {
    String exe =
        System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("win")
            ? "node.exe"
            : "node";
    String path = System.getenv("PATH");
    Path found = null;
    for (String dir : path == null ? new String[0] : path.split(File.pathSeparator)) {
      if (dir.isEmpty()) {
        continue;
      }
      Path candidate = Path.of(dir, exe);
      if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
        found = candidate;
        break;
      }
    }
    if (found == null) {
      return Optional.of("`node` is not on the PATH");
    }
    try {
      Process p =
          new ProcessBuilder(found.toString(), "--version").redirectErrorStream(true).start();
      p.getOutputStream().close();
      String version;
      try (InputStream in = p.getInputStream()) {
        version = new String(in.readNBytes(200), StandardCharsets.UTF_8).trim();
      }
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return Optional.of("`node --version` did not answer");
      }
      // "v20.20.2"
      int major = Integer.parseInt(version.replaceFirst("^v", "").split("\\.", -1)[0]);
      if (major < MIN_NODE_MAJOR) {
        return Optional.of("Node.js " + version + " is older than " + MIN_NODE_MAJOR);
      }
    } catch (IOException | NumberFormatException e) {
      return Optional.of("`" + found + " --version` failed: " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.of("interrupted while probing node");
    }
    nodePath = found.toString();
    return Optional.empty();
  }
}
