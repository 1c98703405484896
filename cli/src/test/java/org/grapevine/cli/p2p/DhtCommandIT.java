package org.grapevine.cli.p2p;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.grapevine.cli.Main;
import org.grapevine.cli.TestNode;
import org.grapevine.node.Node;
import org.grapevine.node.config.NodeConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code grapevine p2p dht} against two real nodes in DHT server mode on 127.0.0.1 (B bootstrapped
 * from A), and the DHT lines of {@code grapevine status}.
 */
@Timeout(90)
class DhtCommandIT {
  @org.junit.jupiter.api.extension.RegisterExtension
  final org.grapevine.cli.StdCapture std = new org.grapevine.cli.StdCapture();

  @TempDir Path dir;
  private TestNode a;
  private TestNode b;

  @AfterEach
  void close() throws Exception {
    if (b != null) {
      b.close();
    }
    if (a != null) {
      a.close();
    }
  }

  private static String addr(Node n) {
    return n.host().listenAddrs().get(0).withPeerId(n.host().peerId()).toString();
  }

  private void start() throws Exception {
    NodeConfig server =
        NodeConfig.loopback().withDht(new NodeConfig.Dht(NodeConfig.DhtMode.SERVER, 4, true));
    a = TestNode.start(dir.resolve("a"), server);
    b =
        TestNode.start(
            dir.resolve("b"),
            server.withNetwork(server.network().withBootstrap(List.of(addr(a.node())))));
    // B is in A's routing table once identify ran both ways.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (a.node().dhtStatus().orElseThrow().join().routingTable() < 1) {
      assertThat(System.nanoTime()).as("b in a's routing table").isLessThan(deadline);
      Thread.sleep(50);
    }
  }

  @Test
  void findPeer_andProvidersOfAnIdentity_throughTheBootstrapPeer() throws Exception {
    start();
    String peerB = b.node().host().peerId().toString();

    assertThat(Main.execute("p2p", "dht", "find-peer", peerB, "--peer", addr(a.node()))).isZero();
    assertThat(std.out()).contains(peerB + " at [" + b.node().host().listenAddrs().get(0));

    // B announces its own identity's topic; A holds the record (retried until it arrived).
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    String json = "";
    while (!json.contains(peerB)) {
      assertThat(System.nanoTime()).as("b's provider record at a").isLessThan(deadline);
      std.reset();
      Main.execute("p2p", "dht", "providers", b.identity(), "--peer", addr(a.node()), "--json");
      json = std.out();
      Thread.sleep(100);
    }
    assertThat(json).startsWith("{\"providers\":[").contains("\"requests\":");
  }

  @Test
  void status_showsTheDhtModeAndRoutingTable() throws Exception {
    start();
    assertThat(Main.execute("status", "--data-dir", dir.resolve("b").toString())).isZero();
    assertThat(std.out()).contains("dht:          server mode, 1 peers in the routing table");
  }

  @Test
  void badInput_clearOneLineErrors() throws Exception {
    assertThat(
            Main.execute(
                "p2p",
                "dht",
                "get",
                "/ipns/x",
                "--peer",
                "/ip4/127.0.0.1/tcp/1/p2p/12D3KooWLnZUpcaBwbz9uD1XsyyHnbXUrJRmxnsMiRnuCmvPix67"))
        .isEqualTo(1);
    assertThat(std.err()).contains("only /pk/<peer id> records are validated");
    std.reset();
    assertThat(
            Main.execute(
                "p2p",
                "dht",
                "providers",
                "not-a-key",
                "--peer",
                "/ip4/127.0.0.1/tcp/1/p2p/12D3KooWLnZUpcaBwbz9uD1XsyyHnbXUrJRmxnsMiRnuCmvPix67"))
        .isEqualTo(1);
    assertThat(std.err()).contains("not a CIDv1 in base32 (b...) nor a Grapevine identity");
  }
}
