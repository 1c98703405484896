package org.grapevine.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code grapevine run} in a child JVM (this test JVM's class path), as a person starts it: its
 * stdout and stderr merged, stdin closed, no passphrase in the environment unless a test gives one.
 */
public final class RunProcess {
  private RunProcess() {}

  /**
   * Starts {@code run --data-dir DIR --api-port 0 --no-bootstrap} with {@code extra} flags and
   * {@code env}.
   */
  public static Process start(Path dataDir, Map<String, String> env, String... extra)
      throws IOException {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                "org.grapevine.cli.Main",
                "run",
                "--data-dir",
                dataDir.toString(),
                "--api-port",
                "0",
                // Tests never reach the internet: no public bootstrap peer, no DNS lookup.
                "--no-bootstrap"));
    cmd.addAll(List.of(extra));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().remove("GRAPEVINE_PASSPHRASE");
    pb.environment().putAll(env);
    Process p = pb.start();
    p.getOutputStream().close();
    return p;
  }
}
