package org.grapevine.libp2p.dcutr;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import org.grapevine.libp2p.multiaddr.Multiaddr;
import org.junit.jupiter.api.Test;

/**
 * Both sides of a hole punch joined by a simulated relay with a fixed one-way delay, in virtual
 * time: the point of the protocol is that the two dials start at the same instant.
 */
class DcutrSessionTest {
  private static final long MS = 1_000_000L;
  private static final long TIMEOUT = 5_000 * MS;
  private static final Multiaddr A_ADDR = addr("/ip4/11.0.0.2/tcp/4001");
  private static final Multiaddr B_ADDR = addr("/ip4/11.0.1.2/tcp/4001");
  private static final Multiaddr RELAYED =
      addr(
          "/ip4/11.0.9.9/tcp/4001/p2p/12D3KooWKnDdG3iXw9eTFijk3EWSunZcFi54Zka4wmtqtt6rPxc8/p2p-circuit");

  private static Multiaddr addr(String s) {
    try {
      return Multiaddr.parse(s);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static boolean direct(Multiaddr a) {
    return a.tcpSocketAddress().isPresent() && !a.toString().contains("p2p-circuit");
  }

  /** A relay between the two sessions: every message arrives {@code oneWay} after it was sent. */
  private static final class Relay {
    record Delivery(long at, long seq, boolean toA, HolePunchMessage m) {}

    final long oneWay;
    final DcutrSession a;
    final DcutrSession b;
    final PriorityQueue<Delivery> wire =
        new PriorityQueue<>(
            (x, y) -> x.at != y.at ? Long.compare(x.at, y.at) : Long.compare(x.seq, y.seq));
    final List<String> log = new ArrayList<>();
    final List<long[]> dials = new ArrayList<>(); // {time, 1 if A}
    long now;
    long seq;
    DcutrOutput.Done doneA;
    DcutrOutput.Done doneB;
    int failDials;

    Relay(long oneWay, DcutrSession a, DcutrSession b) {
      this.oneWay = oneWay;
      this.a = a;
      this.b = b;
    }

    void run(long until) {
      drain();
      while (now < until) {
        long next = Math.min(wire.isEmpty() ? Long.MAX_VALUE : wire.peek().at, nextTimer());
        if (next > until) {
          now = until;
          return;
        }
        now = next;
        if (!wire.isEmpty() && wire.peek().at == now) {
          Delivery d = wire.poll();
          if (d.m == null) {
            (d.toA ? a : b).handleClosed(now); // The other side ended and closed the stream.
          } else {
            (d.toA ? a : b).handleMessage(d.m, now);
          }
        } else {
          a.handleTimeout(now);
          b.handleTimeout(now);
        }
        drain();
      }
    }

    long nextTimer() {
      return Math.min(
          a.pollTimeout().orElse(Long.MAX_VALUE), b.pollTimeout().orElse(Long.MAX_VALUE));
    }

    void drain() {
      boolean again = true;
      while (again) {
        again = false;
        for (DcutrSession s : List.of(a, b)) {
          boolean isA = s == a;
          for (DcutrOutput o = s.poll().orElse(null); o != null; o = s.poll().orElse(null)) {
            again = true;
            log.add((isA ? "A " : "B ") + describe(o));
            if (o instanceof DcutrOutput.Send send) {
              wire.add(new Delivery(now + oneWay, seq++, !isA, send.message()));
            } else if (o instanceof DcutrOutput.Dial dial) {
              dials.add(new long[] {now, isA ? 1 : 0});
              // Spec: "A is assumed to be the client and B the server" (go and js agree).
              assertThat(dial.securityInitiator()).as("A leads the upgrade").isEqualTo(isA);
              assertThat(dial.addrs()).containsExactly(isA ? B_ADDR : A_ADDR);
              boolean ok = failDials == 0;
              if (!ok) {
                failDials--;
              }
              s.handleDialResult(ok, now);
            } else if (o instanceof DcutrOutput.Done done) {
              wire.add(new Delivery(now + oneWay, seq++, !isA, null));
              if (isA) {
                doneA = done;
              } else {
                doneB = done;
              }
            }
          }
        }
      }
    }

    private static String describe(DcutrOutput o) {
      if (o instanceof DcutrOutput.Send s) {
        return s.message().type().toString();
      }
      if (o instanceof DcutrOutput.Dial) {
        return "DIAL";
      }
      return ((DcutrOutput.Done) o).outcome().toString();
    }
  }

  private static Relay pair(long oneWay, List<Multiaddr> aAddrs, List<Multiaddr> bAddrs) {
    DcutrSession a = DcutrSession.responder(aAddrs, DcutrSessionTest::direct, TIMEOUT, 0);
    DcutrSession b = DcutrSession.initiator(bAddrs, DcutrSessionTest::direct, TIMEOUT, 0);
    return new Relay(oneWay, a, b);
  }

  @Test
  void bothDialAtTheSameInstant_halfTheMeasuredRoundTripAfterSync() {
    Relay r = pair(37 * MS, List.of(A_ADDR), List.of(B_ADDR));
    r.run(10_000 * MS);
    // B: CONNECT at 0; A gets it at 37 and answers; B gets it at 74 (RTT 74), sends SYNC and
    // dials at 74 + 37 = 111; A gets SYNC at 111 and dials at once.
    assertThat(r.dials).hasSize(2);
    assertThat(r.dials.get(0)[0]).isEqualTo(r.dials.get(1)[0]).isEqualTo(111 * MS);
    assertThat(r.b.lastRttNanos()).isEqualTo(74 * MS);
    assertThat(r.doneA.outcome()).isEqualTo(DcutrOutcome.DIRECT);
    assertThat(r.doneB.outcome()).isEqualTo(DcutrOutcome.DIRECT);
    assertThat(r.b.attempts()).isEqualTo(1);
  }

  @Test
  void failedDials_retriedOnTheSameStream_threeAttemptsInAll_thenDialsFailed() {
    Relay r = pair(20 * MS, List.of(A_ADDR), List.of(B_ADDR));
    r.failDials = Integer.MAX_VALUE;
    r.run(10_000 * MS);
    assertThat(r.dials).hasSize(2 * DcutrSession.MAX_ATTEMPTS);
    assertThat(r.doneB.outcome()).isEqualTo(DcutrOutcome.DIALS_FAILED);
    assertThat(r.b.attempts()).isEqualTo(3);
    assertThat(r.a.attempts()).isEqualTo(3);
    // A waited for a fourth CONNECT; B closed the stream when it was done.
    assertThat(r.doneA).isEqualTo(new DcutrOutput.Done(DcutrOutcome.DIALS_FAILED, "3 attempts"));
    assertThat(r.log.stream().filter(l -> l.equals("B CONNECT")).count()).isEqualTo(3);
  }

  @Test
  void secondAttemptSucceeds_afterTheFirstsDialsFailed() {
    Relay r = pair(20 * MS, List.of(A_ADDR), List.of(B_ADDR));
    r.failDials = 2; // Both dials of the first attempt fail.
    r.run(10_000 * MS);
    assertThat(r.doneB.outcome()).isEqualTo(DcutrOutcome.DIRECT);
    assertThat(r.b.attempts()).isEqualTo(2);
  }

  @Test
  void initiatorWithoutAddresses_endsBeforeSendingAnything() {
    DcutrSession b = DcutrSession.initiator(List.of(), DcutrSessionTest::direct, TIMEOUT, 0);
    assertThat(b.poll().orElseThrow())
        .isInstanceOfSatisfying(
            DcutrOutput.Done.class,
            d -> assertThat(d.outcome()).isEqualTo(DcutrOutcome.NO_OWN_ADDRS));
    assertThat(b.poll()).isEmpty();
    assertThat(b.isDone()).isTrue();
  }

  @Test
  void peerOffersOnlyRelayAddresses_noPeerAddrs_notThePeersFault() {
    Relay r = pair(10 * MS, List.of(RELAYED), List.of(B_ADDR));
    r.run(10_000 * MS);
    assertThat(r.doneB.outcome()).isEqualTo(DcutrOutcome.NO_PEER_ADDRS);
    assertThat(r.doneB.outcome().peerAtFault()).isFalse();
    assertThat(r.dials).isEmpty();
  }

  @Test
  void syncBeforeConnect_isAProtocolViolation() {
    DcutrSession a = DcutrSession.responder(List.of(A_ADDR), DcutrSessionTest::direct, TIMEOUT, 0);
    a.handleMessage(HolePunchMessage.sync(), 1);
    DcutrOutput.Done d = (DcutrOutput.Done) a.poll().orElseThrow();
    assertThat(d.outcome()).isEqualTo(DcutrOutcome.PROTOCOL_VIOLATION);
    assertThat(d.outcome().peerAtFault()).isTrue();
    a.handleMessage(HolePunchMessage.connect(List.of(B_ADDR)), 2);
    assertThat(a.poll()).as("nothing after the end").isEmpty();
  }

  @Test
  void connectWhileWaitingToDial_isAProtocolViolation() {
    DcutrSession b = DcutrSession.initiator(List.of(B_ADDR), DcutrSessionTest::direct, TIMEOUT, 0);
    b.poll();
    b.handleMessage(HolePunchMessage.connect(List.of(A_ADDR)), 10 * MS);
    assertThat(b.poll().orElseThrow()).isEqualTo(new DcutrOutput.Send(HolePunchMessage.sync()));
    b.handleMessage(HolePunchMessage.connect(List.of(A_ADDR)), 11 * MS);
    assertThat(((DcutrOutput.Done) b.poll().orElseThrow()).outcome())
        .isEqualTo(DcutrOutcome.PROTOCOL_VIOLATION);
  }

  @Test
  void aFourthConnect_isAProtocolViolation() {
    DcutrSession a = DcutrSession.responder(List.of(A_ADDR), DcutrSessionTest::direct, TIMEOUT, 0);
    for (int i = 0; i < DcutrSession.MAX_ATTEMPTS; i++) {
      a.handleMessage(HolePunchMessage.connect(List.of(B_ADDR)), i * 10L);
      a.handleMessage(HolePunchMessage.sync(), i * 10L + 1);
      a.handleDialResult(false, i * 10L + 2);
    }
    List<DcutrOutput> outs = new ArrayList<>();
    a.poll().ifPresent(outs::add);
    while (a.poll().map(outs::add).isPresent()) {
      // drained
    }
    assertThat(outs).noneMatch(o -> o instanceof DcutrOutput.Done);
    a.handleMessage(HolePunchMessage.connect(List.of(B_ADDR)), 100);
    assertThat(((DcutrOutput.Done) a.poll().orElseThrow()).outcome())
        .isEqualTo(DcutrOutcome.PROTOCOL_VIOLATION);
  }

  @Test
  void silentPeer_timesOut_atTheConfiguredTimeout() {
    DcutrSession b = DcutrSession.initiator(List.of(B_ADDR), DcutrSessionTest::direct, TIMEOUT, 0);
    b.poll();
    assertThat(b.pollTimeout()).hasValue(TIMEOUT);
    b.handleTimeout(TIMEOUT - 1);
    assertThat(b.poll()).isEmpty();
    b.handleTimeout(TIMEOUT);
    assertThat(((DcutrOutput.Done) b.poll().orElseThrow()).outcome())
        .isEqualTo(DcutrOutcome.TIMED_OUT);
    assertThat(b.pollTimeout()).isEmpty();
  }

  @Test
  void peerClosesWhileWeDial_ourDialDecides() {
    // The two ends of one simultaneous open finish their upgrades at different moments: the first
    // one done closes the stream while the other is still dialling.
    DcutrSession a = DcutrSession.responder(List.of(A_ADDR), DcutrSessionTest::direct, TIMEOUT, 0);
    a.handleMessage(HolePunchMessage.connect(List.of(B_ADDR)), 0);
    a.handleMessage(HolePunchMessage.sync(), 1);
    a.handleClosed(2);
    assertThat(a.isDone()).isFalse();
    a.handleDialResult(true, 3);
    List<DcutrOutput> outs = new ArrayList<>();
    for (DcutrOutput o = a.poll().orElse(null); o != null; o = a.poll().orElse(null)) {
      outs.add(o);
    }
    assertThat(((DcutrOutput.Done) outs.get(outs.size() - 1)).outcome())
        .isEqualTo(DcutrOutcome.DIRECT);

    DcutrSession b = DcutrSession.initiator(List.of(B_ADDR), DcutrSessionTest::direct, TIMEOUT, 0);
    b.handleMessage(HolePunchMessage.connect(List.of(A_ADDR)), 10);
    b.handleTimeout(15);
    b.handleClosed(16);
    b.handleDialResult(false, 17);
    DcutrOutput last = null;
    for (DcutrOutput o = b.poll().orElse(null); o != null; o = b.poll().orElse(null)) {
      last = o;
    }
    assertThat(((DcutrOutput.Done) last).outcome())
        .as("no retry on a closed stream")
        .isEqualTo(DcutrOutcome.CLOSED);
  }

  @Test
  void aLateSuccessOfAnEarlierDial_stillCountsAsDirect() {
    DcutrSession a = DcutrSession.responder(List.of(A_ADDR), DcutrSessionTest::direct, TIMEOUT, 0);
    a.handleMessage(HolePunchMessage.connect(List.of(B_ADDR)), 0);
    a.handleMessage(HolePunchMessage.sync(), 1);
    // B's first dial failed first; B's second CONNECT arrives while A's first dial is pending.
    a.handleMessage(HolePunchMessage.connect(List.of(B_ADDR)), 2);
    a.handleDialResult(true, 3);
    List<DcutrOutput> outs = new ArrayList<>();
    for (DcutrOutput o = a.poll().orElse(null); o != null; o = a.poll().orElse(null)) {
      outs.add(o);
    }
    assertThat(outs.get(outs.size() - 1))
        .isInstanceOfSatisfying(
            DcutrOutput.Done.class, d -> assertThat(d.outcome()).isEqualTo(DcutrOutcome.DIRECT));
  }

  @Test
  void roles_aIsTheClientOfTheSimultaneousOpen_bTheServer() {
    // Spec (relay/DCUtR.md, step 5): "For the purpose of all protocols run on top of this TCP
    // connection, A is assumed to be the client and B the server." go and js do the same (js's B
    // dials with initiator: false); with the roles swapped, a js peer and we both act as server.
    DcutrSession a = DcutrSession.responder(List.of(A_ADDR), DcutrSessionTest::direct, TIMEOUT, 0);
    a.handleMessage(HolePunchMessage.connect(List.of(B_ADDR)), 0);
    a.handleMessage(HolePunchMessage.sync(), 1);
    assertThat(a.poll().orElseThrow()).isInstanceOf(DcutrOutput.Send.class);
    assertThat(a.poll().orElseThrow()).isEqualTo(new DcutrOutput.Dial(List.of(B_ADDR), true));

    DcutrSession b = DcutrSession.initiator(List.of(B_ADDR), DcutrSessionTest::direct, TIMEOUT, 0);
    b.handleMessage(HolePunchMessage.connect(List.of(A_ADDR)), 10);
    b.handleTimeout(15);
    assertThat(b.poll().orElseThrow()).isInstanceOf(DcutrOutput.Send.class); // CONNECT
    assertThat(b.poll().orElseThrow()).isInstanceOf(DcutrOutput.Send.class); // SYNC
    assertThat(b.poll().orElseThrow()).isEqualTo(new DcutrOutput.Dial(List.of(A_ADDR), false));
  }

  @Test
  void thePeersDialReachingUs_endsTheSessionAsDirect_evenBeforeOurDial() {
    // js dials from an ephemeral port: its SYN reaches our listener as an ordinary inbound
    // connection, which is the direct connection, while B still waits for its half-RTT timer.
    DcutrSession b = DcutrSession.initiator(List.of(B_ADDR), DcutrSessionTest::direct, TIMEOUT, 0);
    b.handleMessage(HolePunchMessage.connect(List.of(A_ADDR)), 10);
    b.handleDirectConnection(11);
    List<DcutrOutput> outs = new ArrayList<>();
    for (DcutrOutput o = b.poll().orElse(null); o != null; o = b.poll().orElse(null)) {
      outs.add(o);
    }
    assertThat(outs).noneMatch(o -> o instanceof DcutrOutput.Dial);
    assertThat(outs.get(outs.size() - 1))
        .isInstanceOfSatisfying(
            DcutrOutput.Done.class,
            d -> {
              assertThat(d.outcome()).isEqualTo(DcutrOutcome.DIRECT);
              assertThat(d.detail()).contains("after 1 attempt(s)");
            });
    assertThat(b.pollTimeout()).isEmpty();
    b.handleTimeout(TIMEOUT);
    b.handleDialResult(false, TIMEOUT);
    assertThat(b.poll()).as("nothing after the end").isEmpty();
  }
}
