package org.grapevine.libp2p.autonat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.grapevine.libp2p.autonat.AutonatTestPeers.addr;
import static org.grapevine.libp2p.autonat.AutonatTestPeers.peer;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import org.grapevine.libp2p.autonat.AutonatV2Message.DialResponse;
import org.grapevine.libp2p.multiaddr.Multiaddr;
import org.grapevine.libp2p.peer.PeerId;
import org.junit.jupiter.api.Test;

/**
 * {@link AutonatClient} in virtual time: nonce verification, the confidence rule, reachability
 * transitions and events, refusals, backoffs, rechecks.
 */
class AutonatClientTest {
  private static final long SECOND = 1_000_000_000L;
  private static final long MINUTE = 60 * SECOND;
  private static final Multiaddr ADDR = addr("/ip4/11.1.1.1/tcp/4001");
  private static final Multiaddr LOCAL = addr("/ip4/192.168.1.2/tcp/4001");
  private static final DialResponse OK = new DialResponse(ResponseStatus.OK, 0, DialStatus.OK);
  private static final DialResponse DIAL_ERROR =
      new DialResponse(ResponseStatus.OK, 0, DialStatus.E_DIAL_ERROR);

  private final AutonatClientConfig config = AutonatClientConfig.defaults();
  private final AutonatClient client = new AutonatClient(config, new SplittableRandom(3));
  private final List<AutonatEvent> events = new ArrayList<>();
  private long now;

  private List<ClientRequest> requests() {
    List<ClientRequest> out = new ArrayList<>();
    for (Optional<ClientRequest> r = client.pollRequest();
        r.isPresent();
        r = client.pollRequest()) {
      out.add(r.get());
    }
    for (Optional<AutonatEvent> e = client.pollEvent(); e.isPresent(); e = client.pollEvent()) {
      events.add(e.get());
    }
    return out;
  }

  private void servers(int n) {
    for (int i = 1; i <= n; i++) {
      client.handleServerAvailable(peer(i), now);
    }
  }

  /** Answers every request now pending as {@code reachable} (with a verified dial back) or not. */
  private int answerAll(boolean reachable) {
    List<ClientRequest> rs = requests();
    for (ClientRequest r : rs) {
      if (reachable) {
        assertThat(client.handleDialBack(r.nonce(), LOCAL, now)).isTrue();
        client.handleResponse(r.id(), OK, now);
      } else {
        client.handleResponse(r.id(), DIAL_ERROR, now);
      }
    }
    return rs.size();
  }

  /** Runs the clock forward in steps, answering everything, until {@code until}. */
  private void run(boolean reachable, long until) {
    while (now < until) {
      answerAll(reachable);
      now += SECOND;
      client.handleTimeout(now);
    }
    answerAll(reachable);
  }

  @Test
  void handleResponse_threeServersDialBack_publicWithEvents() {
    client.handleCandidates(List.of(ADDR), now);
    servers(3);

    run(true, MINUTE);

    assertThat(client.reachability()).isEqualTo(Reachability.PUBLIC);
    assertThat(client.publicAddrs()).containsExactly(ADDR);
    assertThat(events)
        .containsExactly(
            new AutonatEvent.AddrReachabilityChanged(
                ADDR, Reachability.UNKNOWN, Reachability.PUBLIC),
            new AutonatEvent.ReachabilityChanged(
                Reachability.UNKNOWN, Reachability.PUBLIC, List.of(ADDR)));
    assertThat(client.counter(AutonatClient.Counter.REACHABLE)).isEqualTo(3);
  }

  @Test
  void handleResponse_twoServersOnly_staysUnknown() {
    client.handleCandidates(List.of(ADDR), now);
    servers(2);
    run(true, 10 * MINUTE);
    assertThat(client.reachability()).isEqualTo(Reachability.UNKNOWN);
    assertThat(client.counter(AutonatClient.Counter.REACHABLE)).isGreaterThan(2);
  }

  @Test
  void handleResponse_okWithoutDialBack_discardedAsUnverified() {
    client.handleCandidates(List.of(ADDR), now);
    servers(3);
    for (int round = 0; round < 5; round++) {
      for (ClientRequest r : requests()) {
        client.handleResponse(r.id(), OK, now); // a server claiming success it never proved
      }
      now += MINUTE;
      client.handleTimeout(now);
    }
    assertThat(client.reachability()).isEqualTo(Reachability.UNKNOWN);
    assertThat(client.counter(AutonatClient.Counter.DISCARDED_UNVERIFIED)).isGreaterThan(3);
  }

  @Test
  void handleDialBack_wrongNonce_notRecognisedAndResponseDiscarded() {
    client.handleCandidates(List.of(ADDR), now);
    servers(1);
    ClientRequest r = requests().get(0);

    assertThat(client.handleDialBack(r.nonce() + 1, LOCAL, now)).isFalse();
    client.handleResponse(r.id(), OK, now);

    assertThat(client.counter(AutonatClient.Counter.DIAL_BACK_UNKNOWN_NONCE)).isEqualTo(1);
    assertThat(client.counter(AutonatClient.Counter.DISCARDED_UNVERIFIED)).isEqualTo(1);
  }

  @Test
  void handleDialBack_onAnotherPort_notCounted() {
    client.handleCandidates(List.of(ADDR), now);
    servers(1);
    ClientRequest r = requests().get(0);
    assertThat(client.handleDialBack(r.nonce(), addr("/ip4/192.168.1.2/tcp/9999"), now)).isFalse();
    assertThat(client.counter(AutonatClient.Counter.DIAL_BACK_WRONG_PORT)).isEqualTo(1);
  }

  @Test
  void handleResponse_dialErrorsFromThreeServers_private() {
    client.handleCandidates(List.of(ADDR), now);
    servers(3);
    run(false, MINUTE);
    assertThat(client.reachability()).isEqualTo(Reachability.PRIVATE);
    assertThat(client.reachability(ADDR)).isEqualTo(Reachability.PRIVATE);
  }

  @Test
  void handleTimeout_afterThePortIsOpened_privateTurnsPublicOnRecheck() {
    client.handleCandidates(List.of(ADDR), now);
    servers(3);
    run(false, MINUTE);
    assertThat(client.reachability()).isEqualTo(Reachability.PRIVATE);
    events.clear();

    // Rechecks (every 30 min, one server at a time) replace answers one by one: after two
    // successes it is UNKNOWN (2 vs 1), after three PUBLIC.
    run(true, 3 * 31 * MINUTE);

    assertThat(client.reachability()).isEqualTo(Reachability.PUBLIC);
    assertThat(events)
        .filteredOn(e -> e instanceof AutonatEvent.ReachabilityChanged)
        .containsExactly(
            new AutonatEvent.ReachabilityChanged(
                Reachability.PRIVATE, Reachability.UNKNOWN, List.of()),
            new AutonatEvent.ReachabilityChanged(
                Reachability.UNKNOWN, Reachability.PUBLIC, List.of(ADDR)));
  }

  @Test
  void handleTimeout_settledAddress_rechecksOnlyAfterTheInterval() {
    client.handleCandidates(List.of(ADDR), now);
    servers(3);
    run(true, MINUTE);
    int before = (int) client.counter(AutonatClient.Counter.REQUESTS);

    run(true, 29 * MINUTE);
    assertThat(client.counter(AutonatClient.Counter.REQUESTS)).isEqualTo(before);
    run(true, 32 * MINUTE);
    assertThat(client.counter(AutonatClient.Counter.REQUESTS)).isEqualTo(before + 1);
  }

  @Test
  void handleResponse_refused_serverNotAskedAboutThatAddressAgain() {
    client.handleCandidates(List.of(ADDR), now);
    servers(1);
    ClientRequest r = requests().get(0);
    client.handleResponse(
        r.id(), new DialResponse(ResponseStatus.E_DIAL_REFUSED, 0, DialStatus.UNUSED), now);
    now += 10 * MINUTE;
    client.handleTimeout(now);
    assertThat(requests()).isEmpty();
    assertThat(client.counter(AutonatClient.Counter.REFUSED)).isEqualTo(1);
  }

  @Test
  void handleResponse_rejected_serverBackedOffThenAskedAgain() {
    client.handleCandidates(List.of(ADDR), now);
    servers(1);
    ClientRequest r = requests().get(0);
    client.handleResponse(
        r.id(), new DialResponse(ResponseStatus.E_REQUEST_REJECTED, 0, DialStatus.UNUSED), now);
    now += 4 * MINUTE;
    client.handleTimeout(now);
    assertThat(requests()).isEmpty();
    assertThat(client.pollTimeout()).hasValue(5 * MINUTE);
    now = 5 * MINUTE;
    client.handleTimeout(now);
    assertThat(requests()).singleElement().extracting(ClientRequest::server).isEqualTo(peer(1));
  }

  @Test
  void handleTimeout_noAnswer_failsTheRequestAndBacksOff() {
    client.handleCandidates(List.of(ADDR), now);
    servers(2);
    List<ClientRequest> first = requests();
    assertThat(first).hasSize(1);
    now += config.requestTimeoutNanos();
    client.handleTimeout(now);
    assertThat(client.counter(AutonatClient.Counter.FAILED)).isEqualTo(1);
    now += config.probeIntervalNanos();
    client.handleTimeout(now);
    assertThat(requests())
        .singleElement()
        .extracting(ClientRequest::server)
        .isNotEqualTo(first.get(0).server());
  }

  @Test
  void handleFailure_serverFailsTheFirstAddress_nextRequestIsAboutTheOther() {
    Multiaddr other = addr("/ip4/11.2.2.2/tcp/4001");
    client.handleCandidates(List.of(ADDR, other), now);
    servers(1);
    ClientRequest first = requests().get(0);
    assertThat(first.addrs()).containsExactly(ADDR);
    client.handleFailure(first.id(), now);

    now += config.serverBackoffNanos();
    client.handleTimeout(now);

    // ADDR is due again too, but `other` has waited longer (before: ADDR forever, `other` never).
    assertThat(requests())
        .singleElement()
        .satisfies(r -> assertThat(r.addrs()).containsExactly(other));
  }

  @Test
  void handleDialDataRequest_withinLimit_paid_otherwiseRefused() {
    client.handleCandidates(List.of(ADDR), now);
    servers(1);
    long id = requests().get(0).id();
    assertThat(client.handleDialDataRequest(id, 0, 100_000, now)).isTrue();
    assertThat(client.handleDialDataRequest(id, 0, 100_001, now)).isFalse();
    assertThat(client.handleDialDataRequest(id, 1, 50_000, now)).isFalse();
    assertThat(client.handleDialDataRequest(id + 7, 0, 50_000, now)).isFalse();
  }

  @Test
  void handleResponse_unknownStatusOrIndex_discarded() {
    client.handleCandidates(List.of(ADDR), now);
    servers(1);
    ClientRequest r = requests().get(0);
    client.handleDialBack(r.nonce(), LOCAL, now);
    client.handleResponse(r.id(), new DialResponse(ResponseStatus.UNKNOWN, 0, DialStatus.OK), now);
    assertThat(client.counter(AutonatClient.Counter.DISCARDED_MALFORMED)).isEqualTo(1);
    assertThat(client.counter(AutonatClient.Counter.REACHABLE)).isZero();
  }

  @Test
  void handleCandidates_privateAndNonTcp_filteredUnlessAllowedForTests() {
    List<Multiaddr> given =
        List.of(
            addr("/ip4/127.0.0.1/tcp/4001"),
            addr("/ip4/10.0.0.1/tcp/4001"),
            addr("/ip4/11.1.1.1/udp/4001"),
            addr("/ip4/0.0.0.0/tcp/4001"));
    client.handleCandidates(given, now);
    servers(3);
    assertThat(requests()).isEmpty();

    AutonatClient lab =
        new AutonatClient(config.allowingPrivateAddrsForTests(), new SplittableRandom(1));
    lab.handleCandidates(given, now);
    lab.handleServerAvailable(peer(1), now);
    lab.handleServerAvailable(peer(2), now);
    List<Multiaddr> asked = new ArrayList<>();
    for (Optional<ClientRequest> r = lab.pollRequest(); r.isPresent(); r = lab.pollRequest()) {
      asked.addAll(r.get().addrs());
    }
    assertThat(asked)
        .containsExactlyInAnyOrder(addr("/ip4/127.0.0.1/tcp/4001"), addr("/ip4/10.0.0.1/tcp/4001"));
  }

  @Test
  void handleServerGone_noServers_noRequestsAndNoBusyTimer() {
    client.handleCandidates(List.of(ADDR), now);
    PeerId s = peer(1);
    client.handleServerAvailable(s, now);
    ClientRequest r = requests().get(0);
    client.handleServerGone(s, now);
    client.handleFailure(r.id(), now);
    now += MINUTE;
    client.handleTimeout(now);
    assertThat(requests()).isEmpty();
    assertThat(client.pollTimeout().orElseThrow()).isGreaterThan(now);
  }
}
