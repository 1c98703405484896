package org.grapevine.libp2p.dcutr;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.grapevine.libp2p.peer.PeerId;
import org.grapevine.libp2p.testing.NatLab;
import org.grapevine.libp2p.testing.NetnsJava;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Reach through NATs as issue 14 has it, at the libp2p level: a public relay R on the fake
 * internet; Alice and Bob at home, each behind their own NAT (the lab of {@code HolePunchNetnsIT}),
 * knowing only R. Alice reserves a slot on R (circuit relay v2); Bob dials her through R; over that
 * relayed connection Alice, the inbound side, runs DCUtR, and both end with a direct connection to
 * the other's public address. Behind a symmetric NAT the hole punch fails and the relayed
 * connection is what they keep. The observed addresses are given by the test (identify and AutoNAT
 * give them in the node). Needs root, iproute2, nftables.
 */
@Timeout(120)
class DcutrRelayNetnsIT {
  private static final String PORT = "4001";
  @RegisterExtension final NatLab lab = new NatLab("gr");

  @Test
  void aliceAndBobBehindNats_meetThroughTheRelay_thenGoDirect() throws Exception {
    NetnsJava[] ab = start(false);
    String alice = ab[0].awaitLine("dcutr ", 40);
    String bob = ab[1].awaitLine("dcutr ", 40);
    assertThat(alice).startsWith("dcutr DIRECT 1 /ip4/11.0.2.2/tcp/4001");
    assertThat(bob).startsWith("dcutr DIRECT 1 /ip4/11.0.1.2/tcp/4001");
    System.out.println("relay lab: Alice " + ab[0].lines() + "; Bob " + ab[1].lines());
  }

  @Test
  void bobBehindASymmetricNat_theRelayedConnectionIsWhatRemains() throws Exception {
    NetnsJava[] ab = start(true);
    assertThat(ab[0].awaitLine("dcutr ", 60)).startsWith("dcutr DIALS_FAILED 3 -");
    assertThat(ab[1].awaitLine("dcutr ", 60)).startsWith("dcutr DIALS_FAILED 3 -");
  }

  private NetnsJava[] start(boolean symmetric) throws Exception {
    String relay = lab.net().network("r", "11.0.9");
    String aliceNs = lab.aliceHome();
    String bobNs = lab.bobHome(symmetric);
    NatLab.Peer pr = NatLab.Peer.generate();
    NatLab.Peer pa = NatLab.Peer.generate();
    PeerId idr = pr.id();
    PeerId ida = pa.id();
    NetnsJava r = child(relay, "relay", pr, "11.0.9.2");
    r.awaitLine("self ", 20);
    NetnsJava a =
        child(aliceNs, "alice", pa, NatLab.ALICE_IP, "/ip4/11.0.9.2/tcp/" + PORT + "/p2p/" + idr);
    NetnsJava b = child(bobNs, "bob", NatLab.Peer.generate(), NatLab.BOB_IP);
    b.awaitLine("self ", 20);
    String circuit = a.awaitLine("reserved ", 30).split(" ", -1)[2];
    assertThat(circuit).isEqualTo("/ip4/11.0.9.2/tcp/4001/p2p/" + idr + "/p2p-circuit");
    b.send("dial " + circuit + "/p2p/" + ida);
    assertThat(b.awaitLine("relayed-out ", 20)).endsWith("relayed=true");
    a.awaitLine("relayed-in ", 20);
    return new NetnsJava[] {a, b};
  }

  private NetnsJava child(String ns, String role, NatLab.Peer self, String ip, String... more)
      throws Exception {
    List<String> args = new ArrayList<>(List.of(role, PORT, self.keyHex(), ip));
    args.addAll(List.of(more));
    return lab.start(ns, RelayLabMain.class, args.toArray(new String[0]));
  }
}
