package org.grapevine.libp2p.mdns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.grapevine.libp2p.testing.NetNamespaces;
import org.grapevine.libp2p.testing.NetnsJava;
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
  private final List<NetnsJava> children = new ArrayList<>();
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
    for (NetnsJava child : children) {
      child.close();
    }
    if (created) {
      // Deleting a namespace deletes its end of the veth pair, and with it the other end.
      NetNamespaces.run(List.of("ip", "netns", "del", nsA));
      NetNamespaces.run(List.of("ip", "netns", "del", nsB));
    }
  }

  @Test
  void twoHostsOnOneLan_discoverEachOtherByMdns_andConnect() throws Exception {
    NetnsJava a = start(nsA);
    NetnsJava b = start(nsB);
    String idA = a.awaitLine("self ", 30).substring(5);
    String idB = b.awaitLine("self ", 30).substring(5);

    String discovered = a.awaitLine("discovered " + idB, 30);
    b.awaitLine("discovered " + idA, 30);
    a.awaitLine("connected " + idB, 30);
    b.awaitLine("connected " + idA, 30);

    // B listens on 0.0.0.0: what A heard is B's veth address, not a wildcard or loopback.
    assertThat(discovered)
        .contains("/ip4/10.99.0.2/tcp/")
        .doesNotContain("0.0.0.0")
        .doesNotContain("127.0.0.1");
  }

  private NetnsJava start(String ns) throws IOException {
    NetnsJava child = NetnsJava.start(ns, MdnsPeerMain.class, "60");
    children.add(child);
    return child;
  }
}
