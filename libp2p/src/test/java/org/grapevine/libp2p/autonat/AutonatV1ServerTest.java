package org.grapevine.libp2p.autonat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.grapevine.libp2p.autonat.AutonatTestPeers.addr;
import static org.grapevine.libp2p.autonat.AutonatTestPeers.peer;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.grapevine.libp2p.autonat.AutonatV1Codec.Dial;
import org.grapevine.libp2p.autonat.AutonatV1Codec.Status;
import org.grapevine.libp2p.multiaddr.Multiaddr;
import org.grapevine.libp2p.peer.PeerId;
import org.junit.jupiter.api.Test;

/** {@link AutonatV1Server}: only the observed IP is dialled, never over relays. */
class AutonatV1ServerTest {
  private static final PeerId CLIENT = peer(1);
  private static final Multiaddr OBSERVED = addr("/ip4/11.1.1.1/tcp/51000");
  private final AutonatServerConfig config = AutonatServerConfig.defaults();
  private final ServerLimits limits = new ServerLimits(config);
  private final AutonatV1Server server = new AutonatV1Server(config, limits);

  private static Dial dial(Optional<PeerId> peer, String... addrs) {
    List<byte[]> raw = new ArrayList<>();
    for (String a : addrs) {
      raw.add(addr(a).encode());
    }
    return new Dial(peer, raw);
  }

  private List<ServerAction> drain() {
    List<ServerAction> out = new ArrayList<>();
    for (Optional<ServerAction> a = server.pollAction(); a.isPresent(); a = server.pollAction()) {
      out.add(a.get());
    }
    return out;
  }

  private Status respondedStatus() {
    return ((ServerAction.RespondV1) drain().get(0)).response().status();
  }

  @Test
  void handleDial_onlyAddrsOnTheObservedIp_dialled() {
    server.handleDial(
        1,
        CLIENT,
        OBSERVED,
        dial(
            Optional.of(CLIENT),
            "/ip4/12.2.2.2/tcp/4001",
            "/ip4/11.1.1.1/tcp/4001",
            "/ip4/11.1.1.1/tcp/4001",
            "/ip4/11.1.1.1/tcp/4002"),
        0);
    assertThat(drain())
        .containsExactly(
            new ServerAction.DialV1(
                1, List.of(addr("/ip4/11.1.1.1/tcp/4001"), addr("/ip4/11.1.1.1/tcp/4002"))));

    server.handleDialResult(1, Optional.of(addr("/ip4/11.1.1.1/tcp/4002")), 1);
    ServerAction.RespondV1 r = (ServerAction.RespondV1) drain().get(0);
    assertThat(r.response().status()).isEqualTo(Status.OK);
    assertThat(r.response().addr())
        .hasValueSatisfying(a -> assertThat(a).isEqualTo(addr("/ip4/11.1.1.1/tcp/4002").encode()));
  }

  @Test
  void handleDial_onlyOtherIps_refused() {
    server.handleDial(1, CLIENT, OBSERVED, dial(Optional.empty(), "/ip4/12.2.2.2/tcp/4001"), 0);
    assertThat(respondedStatus()).isEqualTo(Status.E_DIAL_REFUSED);
    assertThat(limits.inFlight()).isZero();
  }

  @Test
  void handleDial_overARelayedConnection_refused() {
    Multiaddr relayed = addr("/ip4/12.0.0.1/tcp/1/p2p/" + peer(9) + "/p2p-circuit");
    server.handleDial(1, CLIENT, relayed, dial(Optional.empty(), "/ip4/11.1.1.1/tcp/4001"), 0);
    assertThat(respondedStatus()).isEqualTo(Status.E_DIAL_REFUSED);
  }

  @Test
  void handleDial_namingAnotherPeer_badRequest() {
    server.handleDial(1, CLIENT, OBSERVED, dial(Optional.of(peer(2)), "/ip4/11.1.1.1/tcp/4001"), 0);
    assertThat(respondedStatus()).isEqualTo(Status.E_BAD_REQUEST);
  }

  @Test
  void handleDialResult_noneConnected_dialError() {
    server.handleDial(1, CLIENT, OBSERVED, dial(Optional.empty(), "/ip4/11.1.1.1/tcp/4001"), 0);
    drain();
    server.handleDialResult(1, Optional.empty(), 1);
    assertThat(respondedStatus()).isEqualTo(Status.E_DIAL_ERROR);
  }

  @Test
  void handleDial_whileAV2RequestOfThePeerRuns_refusedBySharedLimits() {
    AutonatServer v2 = new AutonatServer(config, limits, new java.util.SplittableRandom(1));
    v2.handleDialRequest(
        1,
        CLIENT,
        OBSERVED,
        new AutonatV2Message.DialRequest(List.of(addr("/ip4/11.1.1.1/tcp/4001").encode()), 5),
        0);
    server.handleDial(2, CLIENT, OBSERVED, dial(Optional.empty(), "/ip4/11.1.1.1/tcp/4001"), 0);
    assertThat(respondedStatus()).isEqualTo(Status.E_DIAL_REFUSED);
  }
}
