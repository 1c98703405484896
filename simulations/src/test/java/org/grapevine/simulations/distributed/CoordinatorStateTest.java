package org.grapevine.simulations.distributed;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CoordinatorStateTest {
  @Test
  void agentsGetTheNumberTheyAskForOrTheLowestFreeOne() {
    CoordinatorState s = new CoordinatorState(3);
    assertThat(s.join(2, "a:1", 0)).isEqualTo(2);
    assertThat(s.join(2, "b:1", 0)).isEqualTo(0); // Taken: the lowest free.
    assertThat(s.join(-1, "c:1", 0)).isEqualTo(1);
    assertThat(s.join(-1, "d:1", 0)).isEqualTo(-1); // Full.
    assertThat(s.missing()).isEmpty();
    assertThat(s.address(0)).isEqualTo("b:1");
  }

  @Test
  void aBarrierWaitsForEveryLiveAgentAndAFailureIsRecordedOnce() {
    CoordinatorState s = new CoordinatorState(3);
    for (int i = 0; i < 3; i++) {
      s.join(i, "h:" + i, 0);
    }
    s.phase("the set-up (start)");
    s.passed(0, CoordinatorState.Barrier.STARTED);
    assertThat(s.waitingFor(CoordinatorState.Barrier.STARTED)).containsExactly(1, 2);
    s.fail(1, "its connection closed", 7);
    s.fail(1, "a later symptom", 8);
    s.passed(2, CoordinatorState.Barrier.STARTED);
    assertThat(s.allPassed(CoordinatorState.Barrier.STARTED)).isTrue();
    assertThat(s.failures())
        .containsExactly(
            new CoordinatorState.Failure(
                1, "h:1", 7, "the set-up (start)", "its connection closed"));
  }

  @Test
  void anAgentNotHeardFromPastTheLimitIsSilent() {
    CoordinatorState s = new CoordinatorState(2);
    s.join(0, "h:0", 0);
    s.join(1, "h:1", 0);
    s.heard(0, 4_000);
    assertThat(s.silent(6_000, 5_000)).containsExactly(1);
    s.fail(1, "silent", 6_000);
    assertThat(s.silent(20_000, 5_000)).containsExactly(0);
  }
}
