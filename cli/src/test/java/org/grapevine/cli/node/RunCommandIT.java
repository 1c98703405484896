package org.grapevine.cli.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code grapevine run} in real child JVMs, as a person runs it: the first run creates the data
 * directory and keys, a second run (a fresh JVM) reuses them and keeps the same identity.
 */
@Timeout(120)
class RunCommandIT {
  @TempDir
  Path dir;

  private String run(Path dataDir) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), "org.grapevine.cli.Main",
        "run", "--data-dir", dataDir.toString(), "--stop-after", "2")
        .redirectErrorStream(true).start();
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    return out;
  }

  private static String identity(String output) {
    return output.lines().filter(l -> l.startsWith("identity:")).findFirst().orElseThrow().substring(9).strip();
  }

  @Test
  void run_firstRunCreatesKeys_secondRunKeepsTheIdentity() throws Exception {
    Path data = dir.resolve("alice");
    String first = run(data);
    assertThat(first).contains("created " + data.resolve("keys").resolve("root.key"))
        .contains("listening: /ip4/127.0.0.1/tcp/").contains("/p2p/12D3KooW");
    assertThat(identity(first)).startsWith("gv1").hasSize(62);
    assertThat(List.of("root.key", "device.key", "peer.key")).allSatisfy(f -> assertThat(data.resolve("keys").resolve(f)).exists());
    assertThat(Files.isDirectory(data.resolve("store"))).isTrue();

    String second = run(data);
    assertThat(second).doesNotContain("created ");
    assertThat(identity(second)).isEqualTo(identity(first));
  }
}
