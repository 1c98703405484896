package org.grapevine.libp2p.testing;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Network namespaces for tests that must send multicast (mDNS) without it leaving the machine:
 * {@code ip netns} from iproute2, which needs root. Shared by libp2p's {@code MdnsNetnsIT} and the
 * cli's {@code QuickStartIT} (through this module's test-jar).
 */
public final class NetNamespaces {
  private NetNamespaces() {}

  /**
   * Why namespaces cannot be made here (tried with a throw-away one named {@code probe}), or null.
   */
  public static String unavailable(String probe) {
    if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux")) {
      return "not Linux";
    }
    try {
      if (run(List.of("ip", "netns", "add", probe)) != 0) {
        return "`ip netns add` failed (not root?)";
      }
      run(List.of("ip", "netns", "del", probe));
      return null;
    } catch (IOException e) {
      return "no `ip` command (" + e.getMessage() + ")";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "interrupted";
    }
  }

  /** Runs {@code ip args...}; throws when it fails. */
  public static void ip(String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add("ip");
    cmd.addAll(List.of(args));
    int rc = run(cmd);
    if (rc != 0) {
      throw new IOException(String.join(" ", cmd) + " exited with " + rc);
    }
  }

  /** Runs a command with its output discarded; its exit code, or -1 after 10 s (then killed). */
  public static int run(List<String> cmd) throws IOException, InterruptedException {
    Process p =
        new ProcessBuilder(cmd)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    if (!p.waitFor(10, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      return -1;
    }
    return p.exitValue();
  }
}
