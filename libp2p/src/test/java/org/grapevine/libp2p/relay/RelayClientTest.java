package org.grapevine.libp2p.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.grapevine.libp2p.relay.RelayTestKeys.A;
import static org.grapevine.libp2p.relay.RelayTestKeys.RELAY;
import static org.grapevine.libp2p.relay.RelayTestKeys.RELAY_KEY;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.grapevine.libp2p.crypto.PrivKey;
import org.grapevine.libp2p.multiaddr.Multiaddr;
import org.grapevine.libp2p.peer.PeerId;
import org.junit.jupiter.api.Test;

/**
 * The relay client (peer A) against real {@link HopService}s in virtual time: every RESERVE the
 * client asks for is answered by that relay's core, as the driver would over a hop stream.
 */
class RelayClientTest {
  private static final long S = 1_000_000_000L;
  private static final long UNIX = 1_700_000_000L;
  private static final PrivKey R2_KEY = RelayTestKeys.key(20);
  private static final PeerId R2 = PeerId.fromPubKey(R2_KEY.publicKey());
  private static final PrivKey R3_KEY = RelayTestKeys.key(30);
  private static final PeerId R3 = PeerId.fromPubKey(R3_KEY.publicKey());
  private static final HopConfig HOP =
      HopConfig.DEFAULT.withReservationTtl(Duration.ofSeconds(100));

  private final RelayClient client =
      new RelayClient(
          RelayClientConfig.DEFAULT
              .withWantedRelays(2)
              .withRetry(Duration.ofSeconds(10), Duration.ofSeconds(40)),
          A);
  private final HopService r1 = new HopService(HOP, RELAY_KEY);
  private final HopService r2 = new HopService(HOP, R2_KEY);
  private final HopService r3 = new HopService(HOP.withMaxReservations(0, 1, 1), R3_KEY);
  private final List<RelayClientEvent> events = new ArrayList<>();

  private static List<Multiaddr> addrs(int n) {
    return List.of(Multiaddr.of(new InetSocketAddress("11.0.0." + n, 4001)));
  }

  private HopService relay(PeerId id) {
    return id.equals(RELAY) ? r1 : id.equals(R2) ? r2 : r3;
  }

  /** Answers every pending RESERVE from the relay's core; returns the relays asked. */
  private List<PeerId> answerAll(long nowNanos) {
    List<PeerId> asked = new ArrayList<>();
    for (Optional<RelayClient.Reserve> r = client.pollAction();
        r.isPresent();
        r = client.pollAction()) {
      PeerId id = r.get().relay();
      asked.add(id);
      HopDecision d =
          relay(id)
              .handleRequest(
                  A,
                  Multiaddr.of(new InetSocketAddress("10.0.0.1", 4001)),
                  false,
                  HopMessage.reserve(),
                  r.get().addrs(),
                  nowNanos,
                  UNIX + nowNanos / S);
      client.handleReserveAnswer(
          id, ((HopDecision.Answer) d).answer(), nowNanos, UNIX + nowNanos / S);
    }
    client.pollEvent().ifPresent(events::add);
    for (Optional<RelayClientEvent> e = client.pollEvent(); e.isPresent(); e = client.pollEvent()) {
      events.add(e.get());
    }
    return asked;
  }

  @Test
  void addCandidate_reservesOnWantedNumberInOrder_advertisesCircuitAddrs() {
    client.addCandidate(RELAY, addrs(1), 0);
    client.addCandidate(R2, addrs(2), 0);
    client.addCandidate(R3, addrs(3), 0);

    assertThat(answerAll(0)).containsExactly(RELAY, R2);

    assertThat(client.reservedRelays()).containsExactly(RELAY, R2);
    assertThat(client.circuitAddrs())
        .extracting(Multiaddr::toString)
        .containsExactly(
            "/ip4/11.0.0.1/tcp/4001/p2p/" + RELAY + "/p2p-circuit",
            "/ip4/11.0.0.2/tcp/4001/p2p/" + R2 + "/p2p-circuit");
    assertThat(events)
        .hasSize(2)
        .allMatch(
            e ->
                e instanceof RelayClientEvent.Reserved r
                    && r.voucherIgnored().isEmpty()); // the relay's own vouchers verify
    assertThat(client.ignoredVouchers()).isZero();
  }

  @Test
  void handleTimeout_afterThreeQuartersOfLifetime_renewsBeforeExpiry() {
    client.addCandidate(RELAY, addrs(1), 0);
    answerAll(0);
    assertThat(client.pollTimeout()).hasValue(75 * S);

    client.handleTimeout(75 * S);
    assertThat(answerAll(75 * S)).containsExactly(RELAY);

    // Renewed at 75 s for 100 s more: still held after the first expiry (100 s).
    client.handleTimeout(120 * S);
    assertThat(client.hasReservation(RELAY)).isTrue();
    assertThat(client.pollAction()).isEmpty();
    assertThat(client.pollTimeout()).hasValue(150 * S);
    client.handleTimeout(150 * S);
    assertThat(client.pollAction()).contains(new RelayClient.Reserve(RELAY, addrs(1)));
    assertThat(client.pollTimeout()).hasValue(175 * S); // the renewal's deadline: the expiry
  }

  @Test
  void handleTimeout_renewalNeverAnswered_expiresAndReplacesRelay() {
    client.addCandidate(RELAY, addrs(1), 0);
    answerAll(0);
    client.addCandidate(R2, addrs(2), 0); // wanted 2: R2 reserved too
    answerAll(0);
    client.addCandidate(R3, addrs(3), 0);
    client.handleTimeout(75 * S);
    client.pollAction(); // RESERVE to RELAY: lost
    client.pollAction(); // RESERVE to R2: lost

    client.handleTimeout(100 * S);

    assertThat(client.hasReservation(RELAY)).isFalse();
    assertThat(answerAll(100 * S)).containsExactly(R3); // R3 is at cap 0: refuses
    assertThat(client.reservedRelays()).isEmpty();
    assertThat(events)
        .filteredOn(e -> e instanceof RelayClientEvent.Failed)
        .extracting(e -> ((RelayClientEvent.Failed) e).reason())
        .contains("expired before it was renewed", "refused: RESERVATION_REFUSED");
  }

  @Test
  void handleReserveAnswer_refused_triesNextCandidateAndBacksOff() {
    client.addCandidate(R3, addrs(3), 0);
    client.addCandidate(RELAY, addrs(1), 0);
    client.addCandidate(R2, addrs(2), 0);

    assertThat(answerAll(0)).containsExactly(R3, RELAY, R2);

    assertThat(client.reservedRelays()).containsExactly(RELAY, R2);
    // R3 is asked again only after the backoff (10 s), and only if a slot is free.
    client.handleRelayDisconnected(R2, S);
    assertThat(answerAll(S)).isEmpty();
    client.handleTimeout(10 * S);
    assertThat(answerAll(10 * S)).containsExactly(R3);
    client.handleTimeout(11 * S + 10 * S); // second failure in a row: 20 s
    assertThat(answerAll(21 * S)).containsExactly(R2); // R2's backoff is over first
  }

  @Test
  void handleRelayDisconnected_dropsReservationAndItsAddrs() {
    client.addCandidate(RELAY, addrs(1), 0);
    answerAll(0);

    client.handleRelayDisconnected(RELAY, S);

    assertThat(client.circuitAddrs()).isEmpty();
    assertThat(client.pollEvent())
        .contains(new RelayClientEvent.Failed(RELAY, true, "disconnected"));
  }

  @Test
  void handleReserveAnswer_voucherForAnotherPeer_ignoredReservationStands() {
    client.addCandidate(RELAY, addrs(1), 0);
    client.pollAction();
    byte[] wrong = new ReservationVoucher(RELAY, RelayTestKeys.B, UNIX + 100).seal(RELAY_KEY);

    client.handleReserveAnswer(
        RELAY,
        HopMessage.reserved(
            new RelayReservation(UNIX + 100, addrs(1), Optional.of(wrong)), RelayLimit.NONE),
        0,
        UNIX);

    assertThat(client.hasReservation(RELAY)).isTrue();
    assertThat(client.ignoredVouchers()).isEqualTo(1);
    assertThat(client.pollEvent().orElseThrow())
        .isInstanceOfSatisfying(
            RelayClientEvent.Reserved.class,
            r -> assertThat(r.voucherIgnored().orElseThrow()).contains("WRONG_IDENTITY"));
  }

  @Test
  void handleReserveAnswer_voucherSignedByAnotherRelay_ignoredReservationStands() {
    client.addCandidate(RELAY, addrs(1), 0);
    client.pollAction();
    byte[] forged =
        new ReservationVoucher(RelayTestKeys.B, A, UNIX + 100).seal(RelayTestKeys.key(3));

    client.handleReserveAnswer(
        RELAY,
        HopMessage.reserved(
            new RelayReservation(UNIX + 100, addrs(1), Optional.of(forged)), RelayLimit.NONE),
        0,
        UNIX);

    assertThat(client.hasReservation(RELAY)).isTrue();
    assertThat(client.ignoredVouchers()).isEqualTo(1);
    assertThat(client.pollEvent().orElseThrow())
        .isInstanceOfSatisfying(
            RelayClientEvent.Reserved.class, r -> assertThat(r.voucherIgnored()).isPresent());
  }

  @Test
  void handleReserveAnswer_alreadyExpired_refusesReservation() {
    client.addCandidate(RELAY, addrs(1), 0);
    client.pollAction();

    client.handleReserveAnswer(
        RELAY,
        HopMessage.reserved(
            new RelayReservation(UNIX, addrs(1), Optional.empty()), RelayLimit.NONE),
        0,
        UNIX);

    assertThat(client.hasReservation(RELAY)).isFalse();
  }
}
