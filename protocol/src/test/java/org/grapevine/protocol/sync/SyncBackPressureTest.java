package org.grapevine.protocol.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.grapevine.protocol.identity.Identity;
import org.grapevine.protocol.sync.SyncFixtures.PersonLogs;

/** Nodes that ingest at random speeds: both sides converge, and no server exceeds its credit. */
class SyncBackPressureTest {
  private static final PersonLogs ALICE = new PersonLogs("alice", 120, 40);
  private static final PersonLogs BOB = new PersonLogs("bob", 90);

  @Property(tries = 40, seed = "7")
  void sync_randomAcknowledgeSpeeds_convergesWithinCreditWindow(
      @ForAll long seed,
      @ForAll @IntRange(min = 1, max = 5) int window,
      @ForAll @IntRange(min = 1, max = 40) int batch) {
    SyncLimits limits = new SyncLimits(batch, SyncLimits.MAX_BATCH_BYTES, window, 30_000_000_000L);
    SyncTestNode a = new SyncTestNode();
    SyncTestNode b = new SyncTestNode();
    ALICE.giveTo(a, 120, 0);
    ALICE.giveTo(b, 10, 40);
    BOB.giveTo(b, 90);
    Set<Identity> both = Set.of(ALICE.identity(), BOB.identity());
    SyncPair p =
        new SyncPair(
            a, new SyncSession(both, a, limits, 0), b, new SyncSession(both, b, limits, 0));
    Random random = new Random(seed);
    p.a.autoAck = false;
    p.a.slowAcks = random;
    p.b.autoAck = false;
    p.b.slowAcks = random;

    p.drive();

    p.assertCompleted();
    assertThat(p.a.maxBatchesInFlight).isLessThanOrEqualTo(window);
    assertThat(p.b.maxBatchesInFlight).isLessThanOrEqualTo(window);
    assertThat(a.contiguousHead(ALICE.device(1))).isEqualTo(40);
    assertThat(a.contiguousHead(BOB.device(0))).isEqualTo(90);
    assertThat(b.contiguousHead(ALICE.device(0))).isEqualTo(120);
  }
}
