package org.grapevine.libp2p.autonat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.grapevine.libp2p.autonat.AutonatTestPeers.addr;
import static org.grapevine.libp2p.autonat.AutonatTestPeers.peer;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import org.grapevine.libp2p.FrameError;
import org.grapevine.libp2p.autonat.AutonatV2Message.DialRequest;
import org.grapevine.libp2p.autonat.AutonatV2Message.DialResponse;
import org.grapevine.libp2p.multiaddr.Multiaddr;
import org.grapevine.libp2p.peer.PeerId;
import org.junit.jupiter.api.Test;

/** {@link AutonatServer}'s rules in virtual time: selection, amplification, limits, timeouts. */
class AutonatServerTest {
  private static final long SECOND = 1_000_000_000L;
  private static final PeerId CLIENT = peer(1);
  private static final Multiaddr OBSERVED = addr("/ip4/11.1.1.1/tcp/51000");

  private AutonatServerConfig config = AutonatServerConfig.defaults();
  private AutonatServer server = newServer();

  private AutonatServer newServer() {
    return new AutonatServer(config, new ServerLimits(config), new SplittableRandom(7));
  }

  private static DialRequest request(long nonce, String... addrs) {
    List<byte[]> raw = new ArrayList<>();
    for (String a : addrs) {
      raw.add(a.startsWith("/") ? addr(a).encode() : new byte[] {(byte) 0xff, 1, 2});
    }
    return new DialRequest(raw, nonce);
  }

  private List<ServerAction> drain() {
    List<ServerAction> out = new ArrayList<>();
    for (Optional<ServerAction> a = server.pollAction(); a.isPresent(); a = server.pollAction()) {
      out.add(a.get());
    }
    return out;
  }

  @Test
  void handleDialRequest_sameIpAsObserved_dialsBackAtOnceWithTheNonce() {
    server.handleDialRequest(1, CLIENT, OBSERVED, request(42, "/ip4/11.1.1.1/tcp/4001"), 0);

    assertThat(drain())
        .containsExactly(new ServerAction.DialBack(1, addr("/ip4/11.1.1.1/tcp/4001"), 42));
  }

  @Test
  void handleDialBackResult_respondsOkWithIndexAndStatus() {
    server.handleDialRequest(
        1, CLIENT, OBSERVED, request(42, "/ip4/10.0.0.1/tcp/1", "/ip4/11.1.1.1/tcp/4001"), 0);
    drain();

    server.handleDialBackResult(1, DialStatus.E_DIAL_ERROR, SECOND);

    assertThat(drain())
        .containsExactly(
            new ServerAction.Respond(
                1, new DialResponse(ResponseStatus.OK, 1, DialStatus.E_DIAL_ERROR)));
    assertThat(server.pendingRequests()).isZero();
  }

  @Test
  void handleDialRequest_otherIp_asksForDialDataAndDialsOnlyOncePaid() {
    server.handleDialRequest(1, CLIENT, OBSERVED, request(9, "/ip4/12.2.2.2/tcp/4001"), 0);
    List<ServerAction> asked = drain();
    assertThat(asked).singleElement().isInstanceOf(ServerAction.AskDialData.class);
    ServerAction.AskDialData ask = (ServerAction.AskDialData) asked.get(0);
    assertThat(ask.addrIdx()).isZero();
    assertThat(ask.numBytes()).isBetween(30_000L, 100_000L);

    long sent = 0;
    while (sent + 4096 < ask.numBytes()) {
      server.handleDialData(1, 4096, 1);
      sent += 4096;
      assertThat(drain()).isEmpty();
    }
    server.handleDialData(1, 4096, 2); // the last chunk may overshoot

    assertThat(drain())
        .containsExactly(new ServerAction.DialBack(1, addr("/ip4/12.2.2.2/tcp/4001"), 9));
  }

  @Test
  void handleDialRequest_unknownObservedIp_asksForDialData() {
    Multiaddr relayed = addr("/ip4/12.0.0.1/tcp/1/p2p/" + peer(9) + "/p2p-circuit");
    server.handleDialRequest(1, CLIENT, relayed, request(9, "/ip4/11.1.1.1/tcp/4001"), 0);
    assertThat(drain()).singleElement().isInstanceOf(ServerAction.AskDialData.class);
  }

  @Test
  void handleDialData_notAskedFor_abortsAsProtocolViolation() {
    server.handleDialRequest(1, CLIENT, OBSERVED, request(1, "/ip4/11.1.1.1/tcp/4001"), 0);
    drain();

    server.handleDialData(1, 4096, 1);

    assertThat(drain())
        .singleElement()
        .satisfies(
            a ->
                assertThat(((ServerAction.Abort) a).code())
                    .isEqualTo(FrameError.PROTOCOL_VIOLATION));
    assertThat(server.counter(AutonatServer.Counter.ABORTED)).isEqualTo(1);
  }

  @Test
  void handleDialDataOrUnexpected_beforeAnyRequest_abortedWithoutTakingASlot() {
    server.handleDialData(1, 10, 0);
    server.handleUnexpected(2, 0);
    assertThat(drain())
        .extracting(ServerAction::id, a -> ((ServerAction.Abort) a).code())
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(1L, FrameError.PROTOCOL_VIOLATION),
            org.assertj.core.groups.Tuple.tuple(2L, FrameError.PROTOCOL_VIOLATION));
    server.handleDialRequest(3, CLIENT, OBSERVED, request(1, "/ip4/11.1.1.1/tcp/4001"), 0);
    assertThat(drain()).singleElement().isInstanceOf(ServerAction.DialBack.class);
  }

  @Test
  void handleDialRequest_privateLoopbackOrUndecodable_refused() {
    server.handleDialRequest(
        1,
        CLIENT,
        OBSERVED,
        request(
            1,
            "/ip4/10.0.0.1/tcp/4001",
            "/ip4/127.0.0.1/tcp/4001",
            "garbage",
            "/ip4/11.1.1.1/udp/4001",
            "/ip4/11.1.1.1/tcp/0",
            "/ip4/192.0.2.1/tcp/4001",
            "/ip4/11.1.1.1/tcp/4001/p2p/" + peer(5)),
        0);

    assertThat(drain())
        .containsExactly(
            new ServerAction.Respond(
                1, new DialResponse(ResponseStatus.E_DIAL_REFUSED, 0, DialStatus.UNUSED)));
    assertThat(server.counter(AutonatServer.Counter.REFUSED)).isEqualTo(1);
  }

  @Test
  void handleDialRequest_undecodableFirst_keepsIndicesOfTheRest() {
    server.handleDialRequest(
        1, CLIENT, OBSERVED, request(1, "garbage", "/ip4/11.1.1.1/tcp/4001/p2p/" + CLIENT), 0);
    assertThat(drain())
        .containsExactly(new ServerAction.DialBack(1, addr("/ip4/11.1.1.1/tcp/4001"), 1));
    server.handleDialBackResult(1, DialStatus.OK, 1);
    assertThat(drain())
        .containsExactly(
            new ServerAction.Respond(1, new DialResponse(ResponseStatus.OK, 1, DialStatus.OK)));
  }

  @Test
  void allowingPrivateAddrsForTests_dialsLoopback() {
    config = AutonatServerConfig.defaults().allowingPrivateAddrsForTests();
    server = newServer();
    server.handleDialRequest(
        1, CLIENT, addr("/ip4/127.0.0.1/tcp/5"), request(3, "/ip4/127.0.0.1/tcp/4001"), 0);
    assertThat(drain())
        .containsExactly(new ServerAction.DialBack(1, addr("/ip4/127.0.0.1/tcp/4001"), 3));
  }

  @Test
  void handleDialRequest_ipv6OnIpv4OnlyServer_refused() {
    config = new AutonatServerConfig(false, true, false, 30_000, 100_000, 8, 12, 2, 60, SECOND, 16);
    server = newServer();
    server.handleDialRequest(1, CLIENT, OBSERVED, request(3, "/ip6/2a01::1/tcp/4001"), 0);
    assertThat(drain())
        .singleElement()
        .satisfies(
            a ->
                assertThat(((ServerAction.Respond) a).response().status())
                    .isEqualTo(ResponseStatus.E_DIAL_REFUSED));
  }

  @Test
  void handleDialRequest_secondWhileFirstInFlight_rejected() {
    server.handleDialRequest(1, CLIENT, OBSERVED, request(1, "/ip4/11.1.1.1/tcp/4001"), 0);
    drain();
    server.handleDialRequest(2, CLIENT, OBSERVED, request(2, "/ip4/11.1.1.1/tcp/4001"), 0);
    assertThat(drain())
        .containsExactly(
            new ServerAction.Respond(
                2, new DialResponse(ResponseStatus.E_REQUEST_REJECTED, 0, DialStatus.UNUSED)));
  }

  @Test
  void handleDialRequest_overThePeerRate_rejectedUntilRefilled() {
    // Burst 2, 12 a minute: a third request at once is refused, and allowed 5 s later.
    long t = 0;
    for (int i = 1; i <= 2; i++) {
      server.handleDialRequest(i, CLIENT, OBSERVED, request(i, "/ip4/11.1.1.1/tcp/4001"), t);
      drain();
      server.handleDialBackResult(i, DialStatus.OK, t);
      drain();
    }
    server.handleDialRequest(3, CLIENT, OBSERVED, request(3, "/ip4/11.1.1.1/tcp/4001"), t);
    assertThat(drain())
        .singleElement()
        .satisfies(
            a ->
                assertThat(((ServerAction.Respond) a).response().status())
                    .isEqualTo(ResponseStatus.E_REQUEST_REJECTED));

    server.handleDialRequest(4, CLIENT, OBSERVED, request(4, "/ip4/11.1.1.1/tcp/4001"), 5 * SECOND);
    assertThat(drain()).singleElement().isInstanceOf(ServerAction.DialBack.class);
    assertThat(server.counter(AutonatServer.Counter.REJECTED)).isEqualTo(1);
  }

  @Test
  void handleDialRequest_moreThanMaxConcurrentPeers_rejectsTheRest() {
    for (int i = 1; i <= 9; i++) {
      server.handleDialRequest(i, peer(100 + i), OBSERVED, request(i, "/ip4/11.1.1.1/tcp/4001"), 0);
    }
    List<ServerAction> actions = drain();
    assertThat(actions.stream().filter(a -> a instanceof ServerAction.DialBack)).hasSize(8);
    assertThat(actions.get(8))
        .isEqualTo(
            new ServerAction.Respond(
                9, new DialResponse(ResponseStatus.E_REQUEST_REJECTED, 0, DialStatus.UNUSED)));
  }

  @Test
  void handleDialRequest_overTheGlobalRate_rejectedAcrossPeers() {
    // 60 a minute globally with a burst of 8: 8 at once, then one a second.
    for (int i = 1; i <= 8; i++) {
      server.handleDialRequest(i, peer(100 + i), OBSERVED, request(i, "/ip4/11.1.1.1/tcp/4001"), 0);
      drain();
      server.handleDialBackResult(i, DialStatus.OK, 0);
      drain();
    }
    server.handleDialRequest(9, peer(200), OBSERVED, request(9, "/ip4/11.1.1.1/tcp/4001"), 0);
    assertThat(((ServerAction.Respond) drain().get(0)).response().status())
        .isEqualTo(ResponseStatus.E_REQUEST_REJECTED);
    server.handleDialRequest(10, peer(200), OBSERVED, request(9, "/ip4/11.1.1.1/tcp/4001"), SECOND);
    assertThat(drain()).singleElement().isInstanceOf(ServerAction.DialBack.class);
  }

  @Test
  void handleTimeout_unpaidRequest_abortedAndPeerFreed() {
    server.handleDialRequest(1, CLIENT, OBSERVED, request(1, "/ip4/12.2.2.2/tcp/4001"), 0);
    drain();
    assertThat(server.pollTimeout()).hasValue(config.requestTimeoutNanos());

    server.handleTimeout(config.requestTimeoutNanos());

    assertThat(drain()).singleElement().isInstanceOf(ServerAction.Abort.class);
    server.handleDialRequest(
        2, CLIENT, OBSERVED, request(2, "/ip4/11.1.1.1/tcp/4001"), config.requestTimeoutNanos());
    assertThat(drain()).singleElement().isInstanceOf(ServerAction.DialBack.class);
  }

  @Test
  void handleStreamClosed_freesThePeerAndIgnoresALateDialResult() {
    server.handleDialRequest(1, CLIENT, OBSERVED, request(1, "/ip4/11.1.1.1/tcp/4001"), 0);
    drain();
    server.handleStreamClosed(1, 1);
    server.handleDialBackResult(1, DialStatus.OK, 2);
    assertThat(drain()).isEmpty();
    assertThat(server.pendingRequests()).isZero();
  }
}
