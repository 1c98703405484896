package org.grapevine.cli.p2p;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import org.grapevine.cli.Main;
import org.grapevine.libp2p.crypto.PrivKey;
import org.grapevine.libp2p.host.Host;
import org.grapevine.libp2p.host.HostConfig;
import org.grapevine.libp2p.peer.PeerId;
import org.grapevine.libp2p.pnet.SwarmKey;
import org.grapevine.libp2p.relay.HopConfig;
import org.grapevine.libp2p.relay.netty.HopServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The p2p commands against a real host on 127.0.0.1, as a user runs them. */
@Timeout(60)
class P2pCommandIT {
  @org.junit.jupiter.api.extension.RegisterExtension
  final org.grapevine.cli.StdCapture std = new org.grapevine.cli.StdCapture();

  private Host host;

  @AfterEach
  void closeHost() {
    if (host != null) {
      host.close();
    }
  }

  private String startHost(SwarmKey key) throws Exception {
    host =
        new Host(
            HostConfig.builder(PrivKey.generate(new SecureRandom()))
                .listen("/ip4/127.0.0.1/tcp/0")
                .swarmKey(key)
                .agentVersion("test-host/1")
                .build());
    host.start();
    return host.listenAddrs().get(0).withPeerId(host.peerId()).toString();
  }

  @Test
  void id_json_printsThePeersIdentify() throws Exception {
    String addr = startHost(null);
    assertThat(Main.execute("p2p", "id", "--json", addr)).isZero();
    String json = std.out();
    assertThat(json)
        .contains("\"peerId\":\"" + host.peerId() + "\"")
        .contains("\"agentVersion\":\"test-host/1\"")
        .contains("/ipfs/ping/1.0.0")
        .contains(host.listenAddrs().get(0).toString());
  }

  @Test
  void relay_reservesOnARelay_printsTheCircuitAddress() throws Exception {
    String addr = startHost(null);
    HopServer hop = HopServer.start(host, HopConfig.DEFAULT, host::listenAddrs);
    try {
      assertThat(Main.execute("p2p", "relay", addr)).isZero();
      assertThat(std.out())
          .contains("reserved on " + host.peerId())
          .contains("per circuit: 120 s, 131072 bytes")
          .containsPattern("reachable at " + addr + "/p2p-circuit/p2p/12D3KooW\\w+");
    } finally {
      hop.close();
    }
  }

  @Test
  void relay_notARelay_refusedExitOne() throws Exception {
    String addr = startHost(null);
    assertThat(Main.execute("p2p", "relay", "--timeout", "3", addr)).isEqualTo(1);
    assertThat(std.out()).startsWith("refused: ");
  }

  @Test
  void autonat_loopbackOnly_nothingToTest_unknownExitOne() throws Exception {
    String addr = startHost(null);
    assertThat(
            Main.execute(
                "p2p", "autonat", "--timeout", "1", "--addr", "/ip4/127.0.0.1/tcp/1", addr))
        .isEqualTo(1);
    assertThat(std.out())
        .contains("asking " + host.peerId())
        .contains("requests 0")
        .contains("reachability: unknown");
  }

  @Test
  void ping_countTwo_printsTwoPongsAndSummary() throws Exception {
    String addr = startHost(null);
    assertThat(Main.execute("p2p", "ping", "-c", "2", "-i", "10", addr)).isZero();
    String text = std.out();
    assertThat(text).contains("seq=1").contains("seq=2").contains("2 pings, rtt min/avg/max");
  }

  @Test
  void ping_wrongPeerId_oneLineErrorExitOne() throws Exception {
    String addr = startHost(null);
    String wrong =
        addr.substring(0, addr.indexOf("/p2p/"))
            + "/p2p/"
            + PeerId.fromPubKey(PrivKey.generate(new SecureRandom()).publicKey());
    assertThat(Main.execute("p2p", "ping", "-c", "1", wrong)).isEqualTo(1);
    String e = std.err().strip();
    assertThat(e).startsWith("grapevine: dial ").doesNotContain("\n").doesNotContain("Exception");
  }

  @Test
  void swarmKey_newKeyFileWorks_andMismatchIsOneLineError(@TempDir Path dir) throws Exception {
    assertThat(Main.execute("p2p", "swarm-key", "new")).isZero();
    String keyFile = std.out();
    assertThat(keyFile).startsWith("/key/swarm/psk/1.0.0/\n/base16/\n");
    Path file = dir.resolve("swarm.key");
    Files.writeString(file, keyFile.strip());
    String addr = startHost(SwarmKey.parse(Files.readAllBytes(file)));
    std.reset();
    assertThat(Main.execute("p2p", "ping", "-c", "1", "--swarm-key", file.toString(), addr))
        .isZero();
    assertThat(Main.execute("p2p", "ping", "-c", "1", "--timeout", "5", addr)).isEqualTo(1);
    assertThat(std.err()).contains("swarm key");
  }

  @Test
  void pub_toASubscribedPeer_deliversAndExitsZero_withoutSubscriberFails() throws Exception {
    String addr = startHost(null);
    var inbox = new java.util.concurrent.LinkedBlockingQueue<String>();
    var driver =
        new org.grapevine.libp2p.gossipsub.netty.GossipDriver(
            host,
            org.grapevine.libp2p.gossipsub.GossipConfig.builder().build(),
            new java.util.SplittableRandom(1),
            io.netty.util.concurrent.GlobalEventExecutor.INSTANCE);
    driver.setMessageHandler(
        (m, verdict) -> {
          inbox.add(new String(m.data(), StandardCharsets.UTF_8));
          verdict.accept(org.grapevine.libp2p.gossipsub.Acceptance.ACCEPT);
        });
    driver.start();
    driver.subscribe("news").get();
    assertThat(Main.execute("p2p", "pub", "news", "hello, pubsub", "--connect", addr)).isZero();
    assertThat(std.out()).contains("to 1 peer(s)");
    assertThat(inbox.poll(10, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo("hello, pubsub");
    assertThat(
            Main.execute(
                "p2p", "pub", "elsewhere", "nobody listens", "--timeout", "2", "--connect", addr))
        .isEqualTo(1);
    assertThat(std.err()).contains("no connected peer subscribed to elsewhere");
    driver.close();
  }

  @Test
  void badInput_clearErrors() {
    assertThat(Main.execute("p2p", "ping", "not-an-address")).isEqualTo(1);
    assertThat(std.err()).contains("not a multiaddr");
    std.reset();
    assertThat(Main.execute("p2p", "ping", "--swarm-key", "/no/such/file", "/ip4/127.0.0.1/tcp/1"))
        .isEqualTo(1);
    assertThat(std.err()).contains("does not exist");
  }
}
