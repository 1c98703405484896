package org.grapevine.libp2p.dcutr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.grapevine.libp2p.crypto.PrivKey;
import org.grapevine.libp2p.peer.PeerId;
import org.grapevine.libp2p.testing.NetNamespaces;
import org.grapevine.libp2p.testing.NetnsJava;
import org.grapevine.libp2p.testing.RoutedNetwork;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The whole DCUtR protocol between two homes behind their own NATs (the lab of {@code
 * HolePunchNetnsIT}): Bob connects to Alice over a cable around the routers that stands in for the
 * relayed connection (circuit relay v2 is not in yet); Alice, the inbound side, runs DCUtR over it
 * (CONNECT with her public address, the round trip, SYNC) and both dial each other's router at the
 * moment the protocol picks. Both must end with a direct connection to the other's public address.
 * Behind a symmetric NAT, all three attempts fail and both say so. Needs root, iproute2, nftables.
 */
@Timeout(120)
class DcutrNetnsIT {
  private static final SecureRandom RANDOM = new SecureRandom();
  private final String tag = "gd" + (ProcessHandle.current().pid() % 10_000);
  private RoutedNetwork net;
  private final List<NetnsJava> children = new ArrayList<>();

  @BeforeEach
  void lab() throws Exception {
    String why = NetNamespaces.unavailable(tag + "p");
    if (why != null) {
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        fail("the NAT lab cannot run on CI: " + why);
      }
      Assumptions.abort("skipping the NAT lab: " + why + " (needs root, iproute2, nftables)");
    }
    net = new RoutedNetwork(tag);
  }

  @AfterEach
  void cleanUp() throws Exception {
    for (NetnsJava c : children) {
      c.close();
    }
    if (net != null) {
      net.close();
    }
  }

  @Test
  void overAStandInForTheRelay_dcutrMakesADirectConnectionThroughBothNats() throws Exception {
    NetnsJava[] ends = run(false);
    String alice = ends[0].awaitLine("dcutr ", 40);
    String bob = ends[1].awaitLine("dcutr ", 40);
    assertThat(alice).startsWith("dcutr DIRECT 1 /ip4/11.0.2.2/tcp/4001");
    assertThat(bob).startsWith("dcutr DIRECT 1 /ip4/11.0.1.2/tcp/4001");
    System.out.println("dcutr: Alice " + alice + "; Bob " + bob);
  }

  @Test
  void bobBehindASymmetricNat_threeAttemptsFail_bothSaySo() throws Exception {
    NetnsJava[] ends = run(true);
    assertThat(ends[0].awaitLine("dcutr ", 60)).startsWith("dcutr DIALS_FAILED 3 -");
    assertThat(ends[1].awaitLine("dcutr ", 60)).startsWith("dcutr DIALS_FAILED 3 -");
  }

  private NetnsJava[] run(boolean symmetric) throws Exception {
    String alice = net.natNetwork("a", "11.0.1", "192.168.71");
    String bob = net.natNetwork("b", "11.0.2", "192.168.72", symmetric);
    net.sideLink(alice, bob, "10.77.0");
    PrivKey ka = PrivKey.generate(RANDOM);
    PrivKey kb = PrivKey.generate(RANDOM);
    PeerId ida = PeerId.fromPubKey(ka.publicKey());
    NetnsJava a =
        NetnsJava.start(
            alice,
            DcutrPeerMain.class,
            "4001",
            HexFormat.of().formatHex(ka.encode()),
            "/ip4/11.0.1.2/tcp/4001",
            "listen");
    children.add(a);
    NetnsJava b =
        NetnsJava.start(
            bob,
            DcutrPeerMain.class,
            "4001",
            HexFormat.of().formatHex(kb.encode()),
            "/ip4/11.0.2.2/tcp/4001",
            "dial",
            "/ip4/10.77.0.1/tcp/4001/p2p/" + ida);
    children.add(b);
    a.awaitLine("self ", 20);
    b.awaitLine("self ", 20);
    b.send("go");
    b.awaitLine("relay-standin up", 20);
    return new NetnsJava[] {a, b};
  }
}
