package org.grapevine.libp2p.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.grapevine.libp2p.relay.RelayTestKeys.A;
import static org.grapevine.libp2p.relay.RelayTestKeys.B;
import static org.grapevine.libp2p.relay.RelayTestKeys.C;
import static org.grapevine.libp2p.relay.RelayTestKeys.RELAY;
import static org.grapevine.libp2p.relay.RelayTestKeys.RELAY_KEY;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import org.grapevine.libp2p.multiaddr.Multiaddr;
import org.grapevine.libp2p.multiaddr.MultiaddrFormatException;
import org.grapevine.libp2p.peer.PeerId;
import org.junit.jupiter.api.Test;

/** The hop service in virtual time: nanos start at 0, the wall clock at {@link #UNIX}. */
class HopServiceTest {
  private static final long S = 1_000_000_000L;
  private static final long UNIX = 1_700_000_000L;
  private static final List<Multiaddr> ADDRS =
      List.of(Multiaddr.of(new InetSocketAddress("11.0.0.1", 4001)));
  private static final RelayLimit LIMIT = new RelayLimit(30, 1000);
  private static final HopConfig CONFIG =
      HopConfig.DEFAULT
          .withReservationTtl(Duration.ofSeconds(60))
          .withMaxReservations(3, 2, 2)
          .withMaxCircuits(3, 2)
          .withCircuitLimit(LIMIT);

  private final HopService hop = new HopService(CONFIG, RELAY_KEY);

  /** {@code ip} as a connection's remote address, on {@code port}. */
  private static Multiaddr addr(String ip, int port) {
    try {
      return Multiaddr.parse(ip + "/tcp/" + port);
    } catch (MultiaddrFormatException e) {
      throw new AssertionError(e);
    }
  }

  private HopMessage reserve(PeerId peer, String ip, long nowNanos) {
    return reserve(peer, addr(ip, 4001), nowNanos);
  }

  private HopMessage reserve(PeerId peer, Multiaddr from, long nowNanos) {
    HopDecision d =
        hop.handleRequest(
            peer, from, false, HopMessage.reserve(), ADDRS, nowNanos, UNIX + nowNanos / S);
    return ((HopDecision.Answer) d).answer();
  }

  private HopDecision connect(PeerId from, PeerId to, long nowNanos) {
    return hop.handleRequest(
        from,
        addr("/ip4/1.1.1.1", 4001),
        false,
        HopMessage.connect(RelayPeer.of(to)),
        ADDRS,
        nowNanos,
        UNIX);
  }

  @Test
  void handleRequest_reserve_grantsExpiryAddrsVoucherAndLimit() throws Exception {
    HopMessage answer = reserve(A, "/ip4/1.1.1.1", 0);

    assertThat(answer.status()).contains(RelayStatus.OK);
    RelayReservation r = answer.reservation().orElseThrow();
    assertThat(r.expireUnixSeconds()).isEqualTo(UNIX + 60);
    assertThat(r.addrs()).containsExactly(ADDRS.get(0).withPeerId(RELAY));
    assertThat(ReservationVoucher.open(r.voucher().orElseThrow(), RELAY, A, UNIX + 60).peer())
        .isEqualTo(A);
    assertThat(answer.limit()).contains(LIMIT);
    assertThat(hop.pollTimeout()).hasValue(60 * S);
  }

  @Test
  void handleRequest_reserveAtTotalCap_refused() {
    assertThat(reserve(A, "/ip4/1.1.1.1", 0).status()).contains(RelayStatus.OK);
    assertThat(reserve(B, "/ip4/2.2.2.2", 0).status()).contains(RelayStatus.OK);
    assertThat(reserve(C, "/ip4/3.3.3.3", 0).status()).contains(RelayStatus.OK);

    assertThat(reserve(RelayTestKeys.peer(9), "/ip4/4.4.4.4", 0).status())
        .contains(RelayStatus.RESERVATION_REFUSED);
    // A renewal is not a new reservation: it passes at the cap.
    assertThat(reserve(A, "/ip4/1.1.1.1", S).status()).contains(RelayStatus.OK);
    assertThat(hop.answered(RelayStatus.RESERVATION_REFUSED)).isEqualTo(1);
  }

  @Test
  void handleRequest_reservePerIpCap_refusesThirdIdentityFromOneAddress() {
    assertThat(reserve(A, "/ip4/1.1.1.1", 0).status()).contains(RelayStatus.OK);
    assertThat(reserve(B, "/ip4/1.1.1.1", 0).status()).contains(RelayStatus.OK);

    assertThat(reserve(C, "/ip4/1.1.1.1", 0).status()).contains(RelayStatus.RESERVATION_REFUSED);
    assertThat(reserve(C, "/ip4/3.3.3.3", 0).status()).contains(RelayStatus.OK);
  }

  @Test
  void handleRequest_reservePerIpCap_countsTheIpWhateverThePort() {
    assertThat(reserve(A, addr("/ip4/1.1.1.1", 1), 0).status()).contains(RelayStatus.OK);
    assertThat(reserve(B, addr("/ip6/::ffff:1.1.1.1", 2), 0).status()).contains(RelayStatus.OK);

    assertThat(reserve(C, addr("/ip4/1.1.1.1", 3), 0).status())
        .contains(RelayStatus.RESERVATION_REFUSED);
  }

  @Test
  void ipOf_ipWithoutPortOrTheWholeAddress() throws Exception {
    assertThat(HopService.ipOf(addr("/ip4/1.2.3.4", 5))).isEqualTo("1.2.3.4");
    assertThat(HopService.ipOf(addr("/ip6/::ffff:1.2.3.4", 6))).isEqualTo("1.2.3.4");
    assertThat(HopService.ipOf(addr("/ip6/2001:db8::1", 6)))
        .isEqualTo(HopService.ipOf(addr("/ip6/2001:db8:0::1", 7)));
    assertThat(HopService.ipOf(Multiaddr.parse("/dns4/relay.example/tcp/1")))
        .isEqualTo("/dns4/relay.example/tcp/1");
  }

  @Test
  void handleRequest_manyIdentitiesFromManyIps_doNotLockOthersOut() {
    // 4 × maxReservations peers, each from its own IP, reserve and go: their buckets are
    // remembered (bounded), and a newcomer is still served.
    for (int i = 0; i < 12; i++) {
      PeerId p = RelayTestKeys.peer(20 + i);
      assertThat(reserve(p, "/ip4/5.0.0." + i, i).status()).contains(RelayStatus.OK);
      hop.handlePeerDisconnected(p, i);
    }

    assertThat(reserve(C, "/ip4/3.3.3.3", 12).status()).contains(RelayStatus.OK);
  }

  @Test
  void handleRequest_reservePerPeerCap_regainedAtTheCapPerTtl() {
    // A reserves, disconnects, reserves again: its 2 grants are used, the third is refused.
    assertThat(reserve(A, "/ip4/1.1.1.1", 0).status()).contains(RelayStatus.OK);
    hop.handlePeerDisconnected(A, S);
    assertThat(reserve(A, "/ip4/1.1.1.2", 2 * S).status()).contains(RelayStatus.OK);
    hop.handlePeerDisconnected(A, 3 * S);

    assertThat(reserve(A, "/ip4/1.1.1.3", 4 * S).status())
        .contains(RelayStatus.RESERVATION_REFUSED);
    // 2 per 60 s come back: by 60 s A may reserve again.
    assertThat(reserve(A, "/ip4/1.1.1.3", 60 * S).status()).contains(RelayStatus.OK);
  }

  @Test
  void handleTimeout_reservationExpires_thenRenewalExtendsIt() {
    reserve(A, "/ip4/1.1.1.1", 0);
    reserve(A, "/ip4/1.1.1.1", 50 * S); // renewed at 50 s: lasts until 110 s
    hop.handleTimeout(60 * S);
    assertThat(hop.hasReservation(A)).isTrue();
    assertThat(hop.pollEvent()).isEmpty();

    hop.handleTimeout(110 * S);

    assertThat(hop.hasReservation(A)).isFalse();
    assertThat(hop.pollEvent()).contains(new HopEvent.ReservationEnded(A));
  }

  @Test
  void handleRequest_connectWithoutReservation_noReservation() {
    HopDecision d = connect(B, A, 0);

    assertThat(((HopDecision.Answer) d).answer().status()).contains(RelayStatus.NO_RESERVATION);
  }

  @Test
  void handleRequest_overRelayedConnection_permissionDenied() {
    HopDecision d =
        hop.handleRequest(
            A, addr("/ip4/1.1.1.1", 4001), true, HopMessage.reserve(), ADDRS, 0, UNIX);

    assertThat(((HopDecision.Answer) d).answer().status()).contains(RelayStatus.PERMISSION_DENIED);
    assertThat(hop.hasReservation(A)).isFalse();
  }

  @Test
  void handleRequest_statusAsRequest_unexpectedMessage() {
    HopDecision d =
        hop.handleRequest(
            A,
            addr("/ip4/1.1.1.1", 4001),
            false,
            HopMessage.status(RelayStatus.OK),
            ADDRS,
            0,
            UNIX);

    assertThat(((HopDecision.Answer) d).answer().status()).contains(RelayStatus.UNEXPECTED_MESSAGE);
    assertThat(hop.handleMalformed().status()).contains(RelayStatus.MALFORMED_MESSAGE);
  }

  @Test
  void connect_reservedTarget_opensStopThenOkWithLimit() {
    reserve(A, "/ip4/1.1.1.1", 0);

    HopDecision.OpenStop open = (HopDecision.OpenStop) connect(B, A, S);
    assertThat(open.target()).isEqualTo(A);
    assertThat(open.request()).isEqualTo(StopMessage.connect(RelayPeer.of(B), LIMIT));
    HopMessage answer =
        hop.handleStopAnswer(open.circuitId(), StopMessage.status(RelayStatus.OK), S);

    assertThat(answer).isEqualTo(HopMessage.status(RelayStatus.OK, LIMIT));
    assertThat(hop.circuitCount()).isEqualTo(1);
  }

  @Test
  void connect_targetRefusesOrUnreachable_connectionFailed() {
    reserve(A, "/ip4/1.1.1.1", 0);
    HopDecision.OpenStop first = (HopDecision.OpenStop) connect(B, A, 0);
    HopDecision.OpenStop second = (HopDecision.OpenStop) connect(B, A, 0);

    assertThat(
            hop.handleStopAnswer(
                    first.circuitId(), StopMessage.status(RelayStatus.PERMISSION_DENIED), 0)
                .status())
        .contains(RelayStatus.CONNECTION_FAILED);
    assertThat(hop.handleStopFailed(second.circuitId(), 0).status())
        .contains(RelayStatus.CONNECTION_FAILED);
    assertThat(hop.circuitCount()).isZero();
  }

  @Test
  void connect_circuitsPerPeerCap_resourceLimitExceeded_freedOnClose() {
    reserve(A, "/ip4/1.1.1.1", 0);
    long first = ((HopDecision.OpenStop) connect(B, A, 0)).circuitId();
    connect(C, A, 0);

    HopDecision third = connect(RelayTestKeys.peer(9), A, 0);
    assertThat(((HopDecision.Answer) third).answer().status())
        .contains(RelayStatus.RESOURCE_LIMIT_EXCEEDED);
    hop.handleCircuitClosed(first, CircuitEnd.CLOSED, 0);
    hop.handleCircuitClosed(first, CircuitEnd.CLOSED, 0);
    assertThat(connect(RelayTestKeys.peer(9), A, 0)).isInstanceOf(HopDecision.OpenStop.class);
    assertThat(hop.ended(CircuitEnd.CLOSED)).as("counted once").isEqualTo(1);
    assertThat(hop.ended(CircuitEnd.SOURCE_RESET)).isZero();
  }

  @Test
  void handleTimeout_circuitPastDuration_expiresIt() {
    reserve(A, "/ip4/1.1.1.1", 0);
    HopDecision.OpenStop open = (HopDecision.OpenStop) connect(B, A, 0);
    hop.handleStopAnswer(open.circuitId(), StopMessage.status(RelayStatus.OK), 5 * S);
    assertThat(hop.pollTimeout()).hasValue(35 * S);
    hop.handleTimeout(35 * S - 1);
    assertThat(hop.pollEvent()).isEmpty();

    hop.handleTimeout(35 * S);

    assertThat(hop.pollEvent()).contains(new HopEvent.CircuitExpired(open.circuitId()));
    assertThat(hop.circuitCount()).isZero();
  }

  @Test
  void handlePeerDisconnected_reservationEnds_connectThenRefused() {
    reserve(A, "/ip4/1.1.1.1", 0);

    hop.handlePeerDisconnected(A, S);

    assertThat(hop.pollEvent()).contains(new HopEvent.ReservationEnded(A));
    assertThat(((HopDecision.Answer) connect(B, A, 2 * S)).answer().status())
        .contains(RelayStatus.NO_RESERVATION);
  }
}
