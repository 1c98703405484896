package org.grapevine.libp2p.gossipsub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Map;
import java.util.Set;
import org.grapevine.libp2p.peer.PeerId;
import org.junit.jupiter.api.Test;

/** Each score component with hand-computed values. */
class PeerScoreTest {
  private static final long S = 1_000_000_000L;
  private static final long MS = 1_000_000L;
  private static final PeerId A = TestPeers.peer(1);
  private static final PeerId B = TestPeers.peer(2);

  /** A topic where only the weight under test is non-zero. */
  private static TopicScoreParams.Builder zeroTopic() {
    return TopicScoreParams.builder()
        .topicWeight(1)
        .timeInMeshWeight(0)
        .firstMessageDeliveriesWeight(0)
        .meshMessageDeliveriesWeight(0)
        .meshFailurePenaltyWeight(0)
        .invalidMessageDeliveriesWeight(0);
  }

  private static PeerScore score(TopicScoreParams topic) {
    return new PeerScore(
        PeerScoreParams.builder().topics(Map.of("t", topic)).topicScoreCap(0).build(), 120 * S);
  }

  private static MessageId id(int n) {
    return MessageId.of(new byte[] {(byte) n});
  }

  @Test
  void p1_timeInMesh_countsQuantaUpToCap() {
    PeerScore ps =
        score(
            zeroTopic().timeInMeshWeight(0.5).timeInMeshQuantumNanos(S).timeInMeshCap(10).build());
    ps.addPeer(A, null);
    ps.graft(A, "t", 0);
    assertThat(ps.score(A, 3 * S + 500 * MS)).isEqualTo(0.5 * 3); // 3 whole quanta
    assertThat(ps.score(A, 100 * S)).isEqualTo(0.5 * 10); // capped
    ps.prune(A, "t", 100 * S);
    assertThat(ps.score(A, 101 * S)).isZero();
  }

  @Test
  void p2_firstDeliveries_countCapAndDecay() {
    PeerScore ps =
        score(
            zeroTopic()
                .firstMessageDeliveriesWeight(2)
                .firstMessageDeliveriesCap(2)
                .firstMessageDeliveriesDecay(0.5)
                .build());
    ps.addPeer(A, null);
    for (int i = 0; i < 3; i++) {
      ps.validateMessage(A, id(i), "t", 0);
      ps.deliverMessage(id(i), 0);
    }
    assertThat(ps.score(A, 0)).isEqualTo(2 * 2.0); // capped at 2
    ps.decay();
    assertThat(ps.score(A, 0)).isEqualTo(2 * 1.0);
    ps.decay(); // 0.5
    ps.decay(); // 0.25
    ps.decay(); // 0.125
    ps.decay(); // 0.0625 < decayToZero 0.1 -> 0
    assertThat(ps.score(A, 0)).isZero();
  }

  @Test
  void p3_meshDeliveryDeficit_afterActivation_isSquaredDeficit() {
    PeerScore ps =
        score(
            zeroTopic()
                .meshMessageDeliveriesWeight(-1)
                .meshMessageDeliveriesThreshold(4)
                .meshMessageDeliveriesActivationNanos(5 * S)
                .meshMessageDeliveriesWindowNanos(10 * MS)
                .build());
    ps.addPeer(A, null);
    ps.addPeer(B, null);
    ps.graft(A, "t", 0);
    ps.validateMessage(B, id(1), "t", S); // B first (not in mesh), A's copy near-first
    ps.deliverMessage(id(1), S);
    ps.duplicateMessage(A, id(1), S + 5 * MS);
    ps.validateMessage(B, id(2), "t", S);
    ps.deliverMessage(id(2), S);
    ps.duplicateMessage(A, id(2), S + 11 * MS); // outside the window: not counted
    assertThat(ps.score(A, 5 * S)).isZero(); // not active yet
    assertThat(ps.score(A, 6 * S)).isEqualTo(-1 * (4 - 1) * (4 - 1));
  }

  @Test
  void p3b_pruneWithActiveDeficit_isStickyAndDecays() {
    PeerScore ps =
        score(
            zeroTopic()
                .meshFailurePenaltyWeight(-2)
                .meshFailurePenaltyDecay(0.5)
                .meshMessageDeliveriesThreshold(3)
                .meshMessageDeliveriesActivationNanos(S)
                .build());
    ps.addPeer(A, null);
    ps.graft(A, "t", 0);
    ps.prune(A, "t", 2 * S); // deficit 3 -> penalty 9
    assertThat(ps.score(A, 2 * S)).isEqualTo(-2 * 9.0);
    ps.decay();
    assertThat(ps.score(A, 3 * S)).isEqualTo(-2 * 4.5);
  }

  @Test
  void p4_invalidDeliveries_squaredIncludingDuplicateSenders() {
    PeerScore ps = score(zeroTopic().invalidMessageDeliveriesWeight(-3).build());
    ps.addPeer(A, null);
    ps.addPeer(B, null);
    ps.validateMessage(A, id(1), "t", 0);
    ps.duplicateMessage(B, id(1), 0); // while pending
    ps.rejectMessage(id(1));
    ps.validateMessage(A, id(2), "t", 0);
    ps.rejectMessage(id(2));
    assertThat(ps.score(A, 0)).isEqualTo(-3 * 2.0 * 2.0);
    assertThat(ps.score(B, 0)).isEqualTo(-3 * 1.0);
    ps.duplicateMessage(B, id(2), 0); // after rejection
    assertThat(ps.score(B, 0)).isEqualTo(-3 * 2.0 * 2.0);
  }

  @Test
  void defaultTopic_scoresTopicsNotNamed_namedTopicsKeepTheirOwn() {
    PeerScoreParams params =
        PeerScoreParams.builder()
            .topics(Map.of("named", zeroTopic().build())) // named: every weight 0
            .defaultTopic(zeroTopic().invalidMessageDeliveriesWeight(-5).build())
            .topicScoreCap(0)
            .build();
    PeerScore ps = new PeerScore(params, 120 * S);
    ps.addPeer(A, null);
    ps.validateMessage(A, id(1), "grapevine/1/id/anyone", 0);
    ps.rejectMessage(id(1));
    assertThat(ps.score(A, 0)).isEqualTo(-5.0);
    ps.validateMessage(A, id(2), "named", 0);
    ps.rejectMessage(id(2));
    assertThat(ps.score(A, 0)).isEqualTo(-5.0); // the named topic's weight (0) applies there

    PeerScore none = score(zeroTopic().invalidMessageDeliveriesWeight(-5).build()); // no default
    none.addPeer(A, null);
    none.validateMessage(A, id(3), "unnamed", 0);
    none.rejectMessage(id(3));
    assertThat(none.score(A, 0)).isZero();
  }

  @Test
  void p5_applicationScore_weighted() {
    PeerScore ps = new PeerScore(PeerScoreParams.builder().appSpecificWeight(10).build(), S);
    ps.addPeer(A, null);
    ps.setApplicationScore(A, -1.5);
    assertThat(ps.score(A, 0)).isEqualTo(-15.0);
  }

  @Test
  void p6_ipColocation_surplusSquaredUnlessWhitelisted() {
    PeerScore ps =
        new PeerScore(
            PeerScoreParams.builder()
                .ipColocationFactorThreshold(1)
                .ipColocationFactorWeight(-5)
                .ipColocationWhitelist(Set.of("10.0.0.9"))
                .build(),
            S);
    for (int i = 1; i <= 3; i++) {
      ps.addPeer(TestPeers.peer(i), "10.0.0.1");
    }
    ps.addPeer(TestPeers.peer(4), "10.0.0.9");
    ps.addPeer(TestPeers.peer(5), "10.0.0.9");
    assertThat(ps.score(A, 0)).isEqualTo(-5 * (3 - 1) * (3 - 1.0));
    assertThat(ps.score(TestPeers.peer(4), 0)).isZero();
    ps.removePeer(TestPeers.peer(3), 0);
    assertThat(ps.score(A, 0)).isEqualTo(-5 * 1.0);
  }

  @Test
  void p7_behaviourPenalty_excessSquaredAndDecays() {
    PeerScore ps =
        new PeerScore(
            PeerScoreParams.builder()
                .behaviourPenaltyThreshold(1)
                .behaviourPenaltyWeight(-10)
                .behaviourPenaltyDecay(0.5)
                .build(),
            S);
    ps.addPeer(A, null);
    ps.addPenalty(A, 4);
    assertThat(ps.score(A, 0)).isEqualTo(-10 * 3.0 * 3.0);
    ps.decay(); // 2 -> excess 1
    assertThat(ps.score(A, 0)).isCloseTo(-10.0, within(1e-9));
  }

  @Test
  void topicCapAndWeight_applyToPositiveSum() {
    PeerScore ps =
        new PeerScore(
            PeerScoreParams.builder()
                .topicScoreCap(5)
                .topics(
                    Map.of(
                        "t", zeroTopic().topicWeight(0.5).firstMessageDeliveriesWeight(1).build()))
                .build(),
            S);
    ps.addPeer(A, null);
    for (int i = 0; i < 8; i++) {
      ps.validateMessage(A, id(i), "t", 0);
      ps.deliverMessage(id(i), 0);
    }
    assertThat(ps.score(A, 0)).isEqualTo(4.0); // 0.5 * 8
    for (int i = 8; i < 12; i++) {
      ps.validateMessage(A, id(i), "t", 0);
      ps.deliverMessage(id(i), 0);
    }
    assertThat(ps.score(A, 0)).isEqualTo(5.0); // 0.5 * 12 capped at 5
  }

  @Test
  void removePeer_retainsScoreUntilRetainScore() {
    PeerScore ps = new PeerScore(PeerScoreParams.builder().retainScoreNanos(10 * S).build(), S);
    ps.addPeer(A, null);
    ps.addPenalty(A, 2);
    ps.removePeer(A, 0);
    ps.refresh(9 * S);
    assertThat(ps.score(A, 9 * S)).isEqualTo(-40.0);
    ps.refresh(10 * S);
    assertThat(ps.score(A, 10 * S)).isZero();
  }

  /**
   * A score is computed once per time and kept (the router asks for it many times in a heartbeat):
   * every change at that same time must still show, whether to the peer's own counters, by decay,
   * or through another peer (P6 counts peers per IP).
   */
  @Test
  void scoreAtTheSameTime_seesEveryChange() {
    PeerScore ps =
        new PeerScore(
            PeerScoreParams.builder()
                .topics(
                    Map.of(
                        "t",
                        zeroTopic()
                            .invalidMessageDeliveriesWeight(-1)
                            .invalidMessageDeliveriesDecay(0.5)
                            .build()))
                .topicScoreCap(0)
                .appSpecificWeight(1)
                .ipColocationFactorWeight(-1)
                .ipColocationFactorThreshold(1)
                .behaviourPenaltyWeight(-1)
                .behaviourPenaltyThreshold(0)
                .behaviourPenaltyDecay(0.5)
                .decayToZero(0.01)
                .build(),
            120 * S);
    long t = 5 * S;
    ps.addPeer(A, "10.0.0.1");
    assertThat(ps.score(A, t)).isZero();
    ps.invalidMessage(A, "t");
    assertThat(ps.score(A, t)).isEqualTo(-1); // P4: 1²
    ps.decay();
    assertThat(ps.score(A, t)).isEqualTo(-0.25); // 0.5²
    ps.addPenalty(A, 2);
    assertThat(ps.score(A, t)).isEqualTo(-0.25 - 4); // P7: 2²
    ps.setApplicationScore(A, 10);
    assertThat(ps.score(A, t)).isEqualTo(-0.25 - 4 + 10);
    ps.addPeer(B, "10.0.0.1"); // a second peer on A's IP: surplus 1
    assertThat(ps.score(A, t)).isEqualTo(-0.25 - 4 + 10 - 1);
    ps.removePeer(B, t);
    assertThat(ps.score(A, t)).isEqualTo(-0.25 - 4 + 10);
    ps.decay(); // P4 0.25² , P7 1²
    assertThat(ps.score(A, t)).isEqualTo(-0.0625 - 1 + 10);
  }

  /** A kept score still moves with time: at each whole quantum (P1) and at P3's activation. */
  @Test
  void keptScore_movesAtEachQuantumAndAtActivation() {
    PeerScore ps =
        score(
            zeroTopic()
                .timeInMeshWeight(1)
                .timeInMeshQuantumNanos(S)
                .timeInMeshCap(3)
                .meshMessageDeliveriesWeight(-10)
                .meshMessageDeliveriesThreshold(1)
                .meshMessageDeliveriesActivationNanos(2 * S)
                .build());
    ps.addPeer(A, null);
    long graft = 7 * MS;
    ps.graft(A, "t", graft);
    assertThat(ps.score(A, graft)).isZero();
    assertThat(ps.score(A, graft + S - 1)).isZero();
    assertThat(ps.score(A, graft + S)).isEqualTo(1);
    assertThat(ps.score(A, graft + 2 * S)).isEqualTo(2); // activation not passed yet
    assertThat(ps.score(A, graft + 2 * S + 1)).isEqualTo(2 - 10); // deficit 1², weight -10
    assertThat(ps.score(A, graft + 3 * S)).isEqualTo(3 - 10);
    assertThat(ps.score(A, graft + 50 * S)).isEqualTo(3 - 10); // capped
    assertThat(ps.score(A, graft + S)).isEqualTo(1); // an earlier time is summed anew
  }

  /**
   * atLeast answers every threshold as the sum does, under random traffic, misbehaviour and decay:
   * with parameters where only a peer's own cause can make its score negative (Grapevine's: P2 and
   * P4), where it skips summing honest peers, and with a negative P3 weight, where it never skips.
   */
  @Test
  void atLeast_answersAsTheSumDoes() {
    TopicScoreParams honestOnlyNegativeByCause =
        zeroTopic()
            .firstMessageDeliveriesWeight(0.5)
            .firstMessageDeliveriesCap(20)
            .firstMessageDeliveriesDecay(0.9)
            .invalidMessageDeliveriesWeight(-10)
            .invalidMessageDeliveriesDecay(0.9)
            .build();
    TopicScoreParams withDeficit =
        zeroTopic()
            .timeInMeshWeight(0.1)
            .timeInMeshQuantumNanos(S)
            .timeInMeshCap(5)
            .meshMessageDeliveriesWeight(-1)
            .meshMessageDeliveriesThreshold(2)
            .meshMessageDeliveriesActivationNanos(3 * S)
            .meshMessageDeliveriesDecay(0.9)
            .meshMessageDeliveriesCap(10)
            .invalidMessageDeliveriesWeight(-10)
            .invalidMessageDeliveriesDecay(0.9)
            .build();
    double[] thresholds = {-100, -10, -1, -0.5, 0, 0.5, 1, 10};
    PeerId[] peers = {A, B, TestPeers.peer(3), TestPeers.peer(4)};
    for (TopicScoreParams topic : new TopicScoreParams[] {honestOnlyNegativeByCause, withDeficit}) {
      for (long seed = 1; seed <= 40; seed++) {
        java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
        PeerScore ps =
            new PeerScore(
                PeerScoreParams.builder()
                    .topics(Map.of("t", topic))
                    .decayToZero(0.01)
                    .ipColocationFactorThreshold(1)
                    .build(),
                120 * S);
        boolean[] connected = new boolean[peers.length];
        long t = 0;
        int message = 0;
        for (int step = 0; step < 300; step++) {
          t += r.nextLong(S / 2);
          int i = r.nextInt(peers.length);
          PeerId p = peers[i];
          switch (r.nextInt(10)) {
            case 0 -> {
              if (!connected[i]) {
                ps.addPeer(p, r.nextInt(4) == 0 ? "10.0.0.1" : null);
                connected[i] = true;
              } else {
                ps.removePeer(p, t);
                connected[i] = false;
              }
            }
            case 1 -> ps.graft(p, "t", t);
            case 2 -> ps.prune(p, "t", t);
            case 3, 4 -> {
              MessageId id = id(++message);
              ps.validateMessage(p, id, "t", t);
              ps.deliverMessage(id, t);
            }
            case 5 -> {
              if (r.nextInt(4) == 0) {
                ps.invalidMessage(p, "t");
              }
            }
            case 6 -> {
              if (r.nextInt(4) == 0) {
                ps.addPenalty(p, 1);
              }
            }
            case 7 -> {
              if (r.nextInt(4) == 0) {
                ps.setApplicationScore(p, r.nextDouble(-1, 1));
              }
            }
            default -> ps.decay();
          }
          for (int j = 0; j < peers.length; j++) {
            double sum = ps.score(peers[j], t);
            for (double th : thresholds) {
              assertThat(ps.atLeast(peers[j], th, t))
                  .as("seed %d step %d peer %d threshold %s score %s", seed, step, j, th, sum)
                  .isEqualTo(sum >= th);
            }
          }
        }
      }
    }
  }
}
