package org.grapevine.simulations.distributed;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ClockSyncTest {
  @Test
  void theSampleWithTheShortestRoundTripGivesTheOffset() {
    ClockSync c = new ClockSync();
    long offset = 5_000_000; // The agent's clock is 5 ms ahead.
    // A slow, lopsided exchange: 1 ms out, 9 ms back.
    c.sample(0, 1_000_000 + offset, 1_000_000 + offset, 10_000_000);
    // A quick symmetric one: 100 us each way, 50 us at the agent.
    c.sample(20_000_000, 20_100_000 + offset, 20_150_000 + offset, 20_250_000);
    assertThat(c.samples()).isEqualTo(2);
    assertThat(c.offsetNanos()).isEqualTo(offset);
    assertThat(c.uncertaintyNanos()).isEqualTo(100_000);
    assertThat(c.toCoordinator(30_000_000 + offset)).isEqualTo(30_000_000);
  }

  @Test
  void theTrueOffsetLiesWithinTheUncertaintyEvenWhenTheWaysDiffer() {
    ClockSync c = new ClockSync();
    long offset = -3_000_000;
    c.sample(0, 7_000_000 + offset, 7_000_000 + offset, 8_000_000); // 7 ms out, 1 ms back.
    assertThat(Math.abs(c.offsetNanos() - offset)).isLessThanOrEqualTo(c.uncertaintyNanos());
    assertThat(c.offsetNanos()).isNotEqualTo(offset);
  }

  @Test
  void unknownWithoutSamples() {
    ClockSync c = new ClockSync();
    assertThat(c.known()).isFalse();
    assertThat(c.uncertaintyNanos()).isEqualTo(Long.MAX_VALUE);
  }
}
