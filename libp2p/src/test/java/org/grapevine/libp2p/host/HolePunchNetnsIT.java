package org.grapevine.libp2p.host;

import static org.assertj.core.api.Assertions.assertThat;

import org.grapevine.libp2p.testing.NatLab;
import org.grapevine.libp2p.testing.NetnsJava;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * TCP hole punching through two real NATs ({@link Host#dialHolePunch}): Alice and Bob each at home
 * behind their own router namespace that masquerades (nftables) and lets in only what belongs to
 * connections from inside, on a fake internet ({@code 11.0.x.0/24}, which exists only inside the
 * namespaces). Neither can be dialled. Both dial the other's router at the same instant, from their
 * listening port, which each router maps to the same public port (Linux keeps a free source port):
 * each SYN leaving opens its router for the other's, and the two meet as one TCP simultaneous open.
 * Bob leads the upgrade, as DCUtR's A (the client of the simultaneous open) would. With Bob behind
 * a router that maps each connection to a random port (a symmetric NAT), the same dials fail, as
 * hole punching does there. The addresses are given by the test; in the node they come from
 * identify and DCUtR. Needs root, iproute2 and nftables; skipped without them, except with {@code
 * CI=true}.
 */
@Timeout(120)
class HolePunchNetnsIT {
  private static final int PORT = 4001;
  @RegisterExtension final NatLab lab = new NatLab("gh");

  @Test
  void twoHomesBehindNats_dialEachOtherAtOnce_oneDirectConnection_bobLeads() throws Exception {
    NetnsJava[] ends = punch(lab.aliceHome(), lab.bobHome(false));
    String atAlice = ends[0].awaitLine("connected ", 30);
    String atBob = ends[1].awaitLine("connected ", 30);
    assertThat(atAlice).contains(" INBOUND "); // Alice took the responder's part.
    assertThat(atBob).contains(" OUTBOUND ");
    ends[0].awaitLine("ping ", 15);
    ends[1].awaitLine("ping ", 15);
    // How long after the agreed instant each side had its connection, for the record.
    System.out.println("hole punch: Alice " + ends[0].lines() + ", Bob " + ends[1].lines());
  }

  @Test
  void bobBehindASymmetricNat_theSameDialsFail() throws Exception {
    NetnsJava[] ends = punch(lab.aliceHome(), lab.bobHome(true));
    assertThat(ends[0].awaitLine("failed ", 40)).contains("hole punch");
    assertThat(ends[1].awaitLine("failed ", 40)).contains("hole punch");
  }

  /**
   * Starts both ends, Alice the responder and Bob the initiator; both dial 500 ms after both are
   * up.
   */
  private NetnsJava[] punch(String alice, String bob) throws Exception {
    NatLab.Peer pa = NatLab.Peer.generate();
    NatLab.Peer pb = NatLab.Peer.generate();
    NetnsJava a = child(alice, pa, NatLab.BOB_IP, pb, "responder");
    NetnsJava b = child(bob, pb, NatLab.ALICE_IP, pa, "initiator");
    assertThat(a.awaitLine("self ", 20)).isEqualTo("self " + pa.id());
    assertThat(b.awaitLine("self ", 20)).isEqualTo("self " + pb.id());
    String at = Long.toString(System.currentTimeMillis() + 500);
    a.send(at);
    b.send(at);
    return new NetnsJava[] {a, b};
  }

  private NetnsJava child(String ns, NatLab.Peer self, String peerIp, NatLab.Peer peer, String role)
      throws Exception {
    String peerAddr = "/ip4/" + peerIp + "/tcp/" + PORT + "/p2p/" + peer.id();
    return lab.start(
        ns, HolePunchPeerMain.class, Integer.toString(PORT), self.keyHex(), peerAddr, role);
  }
}
