package org.grapevine.libp2p.mdns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.grapevine.libp2p.testing.NetNamespaces;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * mDNS between two hosts for real: two network namespaces joined by a veth pair, one child JVM in
 * each ({@link MdnsPeerMain}) with a libp2p host and mDNS on UDP 224.0.0.251:5353. Each must
 * discover the other by multicast and connect. Needs root and iproute2; without them the test is
 * skipped, except with {@code CI=true}, where it fails.
 */
@Timeout(120)
class MdnsNetnsIT {
  private final String tag =
      "gvm"
          + (ProcessHandle.current().pid() % 100_000)
          + Long.toString(System.nanoTime() % 1000, 36);
  private final String nsA = tag + "a";
  private final String nsB = tag + "b";
  private final List<Process> children = new ArrayList<>();
  private boolean created;

  @BeforeEach
  void network() throws Exception {
    String why = NetNamespaces.unavailable(tag + "p");
    if (why != null) {
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        fail("mDNS multi-host test cannot run on CI: " + why);
      }
      Assumptions.abort(
          "skipping the mDNS multi-host test: "
              + why
              + " (needs root and iproute2; CI=true makes this a failure)");
    }
    created = true;
    NetNamespaces.ip("netns", "add", nsA);
    NetNamespaces.ip("netns", "add", nsB);
    NetNamespaces.ip("link", "add", nsA, "type", "veth", "peer", "name", nsB);
    NetNamespaces.ip("link", "set", nsA, "netns", nsA);
    NetNamespaces.ip("link", "set", nsB, "netns", nsB);
    NetNamespaces.ip("-n", nsA, "addr", "add", "10.99.0.1/24", "dev", nsA);
    NetNamespaces.ip("-n", nsB, "addr", "add", "10.99.0.2/24", "dev", nsB);
    for (String ns : List.of(nsA, nsB)) {
      NetNamespaces.ip("-n", ns, "link", "set", "lo", "up");
      NetNamespaces.ip("-n", ns, "link", "set", ns, "up");
      NetNamespaces.ip("-n", ns, "route", "add", "224.0.0.0/4", "dev", ns);
    }
  }

  @AfterEach
  void cleanUp() throws Exception {
    for (Process p : children) {
      p.getOutputStream().close();
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    }
    if (created) {
      // Deleting a namespace deletes its end of the veth pair, and with it the other end.
      NetNamespaces.run(List.of("ip", "netns", "del", nsA));
      NetNamespaces.run(List.of("ip", "netns", "del", nsB));
    }
  }

  @Test
  void twoHostsOnOneLan_discoverEachOtherByMdns_andConnect() throws Exception {
    List<String> outA = start(nsA);
    List<String> outB = start(nsB);
    String idA = awaitLine(outA, "self ", nsA).substring(5);
    String idB = awaitLine(outB, "self ", nsB).substring(5);

    String discovered = awaitLine(outA, "discovered " + idB, nsA);
    awaitLine(outB, "discovered " + idA, nsB);
    awaitLine(outA, "connected " + idB, nsA);
    awaitLine(outB, "connected " + idA, nsB);

    // B listens on 0.0.0.0: what A heard is B's veth address, not a wildcard or loopback.
    assertThat(discovered)
        .contains("/ip4/10.99.0.2/tcp/")
        .doesNotContain("0.0.0.0")
        .doesNotContain("127.0.0.1");
  }

  private List<String> start(String ns) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String cp =
        System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    Process p =
        new ProcessBuilder(
                "ip", "netns", "exec", ns, java, "-cp", cp, MdnsPeerMain.class.getName(), "60")
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    children.add(p);
    List<String> lines = new CopyOnWriteArrayList<>();
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(
                      new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = r.readLine(); line != null; line = r.readLine()) {
                  lines.add(line);
                }
              } catch (IOException ignored) {
                // The child is gone.
              }
            });
    reader.setDaemon(true);
    reader.start();
    return lines;
  }

  private static String awaitLine(List<String> lines, String prefix, String who)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      for (String l : lines) {
        if (l.startsWith(prefix)) {
          return l;
        }
      }
      Thread.sleep(50);
    }
    throw new AssertionError(
        who + " printed no line starting with \"" + prefix + "\" in 30 s; it printed " + lines);
  }
}
