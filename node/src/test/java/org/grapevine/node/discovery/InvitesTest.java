package org.grapevine.node.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import org.grapevine.libp2p.crypto.PrivKey;
import org.grapevine.libp2p.multiaddr.Multiaddr;
import org.grapevine.libp2p.peer.PeerId;
import org.grapevine.protocol.identity.Identity;
import org.grapevine.protocol.identity.Invite;
import org.grapevine.protocol.testing.TestAuthors;
import org.junit.jupiter.api.Test;

class InvitesTest {
  private static final PeerId PEER =
      PeerId.fromPubKey(PrivKey.generate(new SecureRandom()).publicKey());
  private static final Identity ALICE = Identity.of(TestAuthors.key("alice").publicKey());

  private static List<Multiaddr> addrs(String... texts) throws Exception {
    List<Multiaddr> out = new ArrayList<>();
    for (String t : texts) {
      out.add(Multiaddr.parse(t));
    }
    return out;
  }

  private static List<String> chosen(String... texts) throws Exception {
    return Invites.choose(addrs(texts)).stream().map(Multiaddr::toString).toList();
  }

  @Test
  void choose_publicFirst_thenPrivate_loopbackLeftOut_unspecifiedLeftOut() throws Exception {
    assertThat(
            chosen(
                "/ip4/127.0.0.1/tcp/4001",
                "/ip4/192.168.1.20/tcp/4001",
                "/ip4/0.0.0.0/tcp/4001",
                "/ip6/fd00::5/tcp/4001",
                "/ip4/203.0.113.7/tcp/4001/p2p/" + PEER,
                "/ip6/::1/tcp/4001",
                "/ip4/100.64.1.1/tcp/4001",
                "/ip4/203.0.113.7/udp/4001/quic-v1"))
        .containsExactly(
            "/ip4/203.0.113.7/tcp/4001",
            "/ip4/192.168.1.20/tcp/4001",
            "/ip6/fd00::5/tcp/4001",
            "/ip4/100.64.1.1/tcp/4001");
  }

  @Test
  void choose_circuitThroughAPublicRelay_afterPublic_beforePrivate() throws Exception {
    String circuit = "/ip4/203.0.113.9/tcp/4001/p2p/" + PEER + "/p2p-circuit";
    assertThat(
            chosen(
                "/ip4/192.168.1.20/tcp/4001",
                circuit,
                "/ip4/0.0.0.0/tcp/4001/p2p/" + PEER + "/p2p-circuit",
                "/ip4/203.0.113.9/tcp/4001/p2p-circuit",
                "/ip4/203.0.113.7/tcp/4001"))
        .containsExactly("/ip4/203.0.113.7/tcp/4001", circuit, "/ip4/192.168.1.20/tcp/4001");
  }

  @Test
  void choose_onlyLoopback_keepsLoopback_atMostEight() throws Exception {
    assertThat(chosen("/ip4/127.0.0.1/tcp/4001", "/ip6/::1/tcp/4001"))
        .containsExactly("/ip4/127.0.0.1/tcp/4001", "/ip6/::1/tcp/4001");
    String[] many = new String[12];
    for (int i = 0; i < many.length; i++) {
      many[i] = "/ip4/198.51.100." + i + "/tcp/4001";
    }
    assertThat(chosen(many)).hasSize(Invite.MAX_ADDRS).startsWith("/ip4/198.51.100.0/tcp/4001");
  }

  @Test
  void of_thenDialAddrs_roundTripsThroughTheText() throws Exception {
    Invite invite =
        Invites.of(ALICE, PEER, addrs("/ip4/127.0.0.1/tcp/4001", "/ip4/192.0.2.1/tcp/4002"));
    Invite back = Invite.parse(invite.toString());
    assertThat(back.identity()).isEqualTo(ALICE);
    assertThat(Invites.dialAddrs(back).stream().map(Multiaddr::toString))
        .containsExactly("/ip4/192.0.2.1/tcp/4002/p2p/" + PEER);
  }

  @Test
  void of_nothingDialable_refusedWithTheReason() {
    assertThatThrownBy(() -> Invites.of(ALICE, PEER, addrs("/ip4/0.0.0.0/tcp/4001")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no TCP address on a concrete IP");
  }

  @Test
  void dialAddrs_checksummedButNotLibp2p_isAnInviteProblem() {
    Invite bad = Invite.of(ALICE, new byte[] {1, 2, 3}, List.of(new byte[] {(byte) 0xff}));
    assertThatThrownBy(() -> Invites.dialAddrs(Invite.parse(bad.toString())))
        .hasMessageStartingWith("not a Grapevine invite: its peer id is not a libp2p peer id");
  }
}
