package org.grapevine.libp2p.host;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.SecureRandom;
import java.util.HexFormat;
import org.grapevine.libp2p.crypto.PrivKey;
import org.grapevine.libp2p.peer.PeerId;
import org.grapevine.libp2p.testing.NatLab;
import org.grapevine.libp2p.testing.NetnsJava;
import org.grapevine.libp2p.testing.RoutedNetwork;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * TCP hole punching through two real NATs ({@link Host#dialHolePunch}): Alice and Bob each at home
 * behind their own router namespace that masquerades (nftables) and lets in only what belongs to
 * connections from inside, on a fake internet ({@code 11.0.x.0/24}, which exists only inside the
 * namespaces). Neither can be dialled. Both dial the other's router at the same instant, from their
 * listening port, which each router maps to the same public port (Linux keeps a free source port):
 * each SYN leaving opens its router for the other's, and the two meet as one TCP simultaneous open.
 * Bob leads the upgrade, as the DCUtR initiator would. With Bob behind a router that maps each
 * connection to a random port (a symmetric NAT), the same dials fail, as hole punching does there.
 * The addresses are given by the test; in the node they come from identify and DCUtR. Needs root,
 * iproute2 and nftables; skipped without them, except with {@code CI=true}.
 */
@Timeout(120)
class HolePunchNetnsIT {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final int PORT = 4001;
  private final String tag = "gh" + (ProcessHandle.current().pid() % 10_000);
  private NatLab lab;
  private RoutedNetwork net;

  @BeforeEach
  void lab() throws Exception {
    lab = NatLab.open(tag);
    net = lab.net();
  }

  @AfterEach
  void cleanUp() throws Exception {
    if (lab != null) {
      lab.close();
    }
  }

  @Test
  void twoHomesBehindNats_dialEachOtherAtOnce_oneDirectConnection_bobLeads() throws Exception {
    String alice = net.natNetwork("a", "11.0.1", "192.168.71");
    String bob = net.natNetwork("b", "11.0.2", "192.168.72");
    NetnsJava[] ends = punch(alice, bob);
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
    String alice = net.natNetwork("a", "11.0.1", "192.168.71");
    String bob = net.natNetwork("b", "11.0.2", "192.168.72", true);
    NetnsJava[] ends = punch(alice, bob);
    assertThat(ends[0].awaitLine("failed ", 40)).contains("hole punch");
    assertThat(ends[1].awaitLine("failed ", 40)).contains("hole punch");
  }

  /**
   * Starts both ends, Alice the responder and Bob the initiator; both dial 500 ms after both are
   * up.
   */
  private NetnsJava[] punch(String alice, String bob) throws Exception {
    PrivKey ka = PrivKey.generate(RANDOM);
    PrivKey kb = PrivKey.generate(RANDOM);
    PeerId ida = PeerId.fromPubKey(ka.publicKey());
    PeerId idb = PeerId.fromPubKey(kb.publicKey());
    NetnsJava a =
        lab.start(
            alice,
            HolePunchPeerMain.class,
            Integer.toString(PORT),
            HexFormat.of().formatHex(ka.encode()),
            "/ip4/11.0.2.2/tcp/" + PORT + "/p2p/" + idb,
            "responder");
    NetnsJava b =
        lab.start(
            bob,
            HolePunchPeerMain.class,
            Integer.toString(PORT),
            HexFormat.of().formatHex(kb.encode()),
            "/ip4/11.0.1.2/tcp/" + PORT + "/p2p/" + ida,
            "initiator");
    assertThat(a.awaitLine("self ", 20)).isEqualTo("self " + ida);
    assertThat(b.awaitLine("self ", 20)).isEqualTo("self " + idb);
    String at = Long.toString(System.currentTimeMillis() + 500);
    a.send(at);
    b.send(at);
    return new NetnsJava[] {a, b};
  }
}
